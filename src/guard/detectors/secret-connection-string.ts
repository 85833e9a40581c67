/**
 * Credentials embedded in URLs and connection strings: `scheme://user:password@host` (RFC 3986
 * §3.2.1 userinfo, which the RFC itself deprecates carrying a password in). Only the password is
 * reported, so redaction keeps the host and user that make the text useful. Template values
 * (`${DB_PASSWORD}`, `%s`), masks and words ("password", "changeme") are not secrets; a password
 * that is itself a provider token is left to the provider recognizer, which names it better.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { dlpFinding } from './dlp/finding.ts';
import { claimedByProvider } from './dlp/known-tokens.ts';
import { minScoreOption } from './dlp/options.ts';
import { isPlaceholder } from './dlp/placeholders.ts';

const optionsSchema = z.object({ minScore: minScoreOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'secret-connection-string', version: '1.0.0' } as const;
/** The scheme right before "://" (RFC 3986 §3.1), read backwards from it. */
const SCHEME_BEFORE = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}$/;
/**
 * user ":" password "@" host, right after "://"; user stops at ':', password at '@': one parse
 * only. RFC 3986 wants '#' and '?' percent-encoded in a password, but DSNs pasted by people often
 * carry them raw, and '@' still ends the user info unambiguously. The user may be empty: Redis
 * URLs carry only a password (`redis://:password@host`, the IANA "redis" URI scheme).
 */
const USER_INFO = /([^\s:@/?#"'<>]{0,128}):([^\s@/"'<>]{1,256})@(?=[A-Za-z0-9[._-])/y;

export const connectionStringDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'Passwords inside URLs and connection strings (scheme://user:password@host).',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['secret.connection_string'],
  optionsSchema,
  create(options) {
    return ({ text }) => {
      const out: Finding[] = [];
      const userInfo = new RegExp(USER_INFO.source, 'y');
      for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 3)) {
        const scheme = SCHEME_BEFORE.exec(text.slice(Math.max(0, at - 31), at))?.[0].toLowerCase();
        if (!scheme) continue;
        userInfo.lastIndex = at + 3;
        const m = userInfo.exec(text);
        if (!m) continue;
        const user = m[1]!;
        const password = m[2]!;
        const start = at + 3 + user.length + 1;
        if (isPlaceholder(password) || password === user || claimedByProvider(text, start, start + password.length)) continue;
        const score = 0.9;
        if (score < options.minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'secret.connection_string',
            start,
            end: start + password.length,
            score,
            severity: 'high',
            rule: 'url_userinfo_password',
            explanation: `Password in the user-info part of a ${scheme} URL.`,
          }),
        );
      }
      return out;
    };
  },
};
