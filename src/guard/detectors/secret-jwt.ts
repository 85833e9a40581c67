/**
 * JSON Web Tokens in compact serialization (RFC 7519 §3, RFC 7515 §7.1): three base64url parts
 * joined by dots. A candidate is confirmed only when its header decodes to a JSON object with a
 * string `alg` (RFC 7515 §4.1.1 makes it required), so dotted base64-looking strings are not
 * enough. Unsecured tokens (`alg: none`, RFC 7519 §6) still carry claims and are reported lower.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { dlpFinding } from './dlp/finding.ts';
import { textStats } from './dlp/text-stats.ts';
import { minScoreOption } from './dlp/options.ts';
import { isDocumentedExample, isPlaceholder } from './dlp/placeholders.ts';

const optionsSchema = z.object({ minScore: minScoreOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'secret-jwt', version: '1.0.0' } as const;
/** Header and payload are JSON objects, so both start with base64url of `{"` (eyJ) or `{ ` (ey). */
const CANDIDATE = /(?<![\w-])eyJ[A-Za-z0-9_-]{8,2048}\.ey[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{0,2048}(?![\w-])/g;

function headerAlg(part: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    const alg = (header as Record<string, unknown>)['alg'];
    return typeof alg === 'string' && /^[A-Za-z0-9+-]{2,20}$/.test(alg) ? alg : undefined;
  } catch {
    return undefined;
  }
}

export const jwtDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'JSON Web Tokens whose header decodes to JSON with an alg.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['secret.jwt'],
  optionsSchema,
  create(options) {
    return ({ text }) => {
      const out: Finding[] = [];
      // A token is a run of over 20 token characters (census.longToken); `includes` alone scans for
      // the commonest letter of English.
      if (!textStats(text).longToken || !text.includes('eyJ')) return out;
      for (const m of text.matchAll(CANDIDATE)) {
        const [header, , signature] = m[0].split('.') as [string, string, string];
        const alg = headerAlg(header);
        // Only the signature is checked for masks: long base64 payloads contain filler words by chance.
        if (!alg || isDocumentedExample(m[0]) || (signature.length > 0 && isPlaceholder(signature))) continue;
        const unsecured = alg.toLowerCase() === 'none';
        if (!unsecured && signature.length < 16) continue;
        const score = unsecured ? 0.8 : 0.95;
        if (score < options.minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'secret.jwt',
            start: m.index,
            end: m.index + m[0].length,
            score,
            severity: unsecured ? 'medium' : 'high',
            rule: unsecured ? 'jwt_unsecured' : 'jwt',
            explanation: unsecured ? 'JSON Web Token without signature (alg none); its claims are still exposed.' : 'JSON Web Token: header decodes to JSON naming a signing algorithm.',
          }),
        );
      }
      return out;
    };
  },
};
