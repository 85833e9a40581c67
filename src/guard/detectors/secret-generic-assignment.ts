/**
 * Secrets assigned to a name that says so: `password = "…"`, `DB_PASSWORD=…`, `api_key: …`,
 * `"client_secret": "…"`, `--token …`, `Authorization: Bearer …`, `mysql -p…`, and in chat "my
 * password is …".
 * The key name must end in a secret noun (so `token_type`, `max_tokens`, `public_key`,
 * `password_policy` are not keys); the value must be a literal (not `${ENV}`, `getPassword()`,
 * `config.password`), not a placeholder, and random enough: Shannon entropy and character classes
 * with thresholds per kind (human passwords are less random than API tokens). Values that are a
 * provider token, a JWT or a PEM block are left to those recognizers.
 */
import { z } from 'zod';
import { letterGate } from '../normalize/char-census.ts';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { assignmentAt, keyAround, keyWords } from './dlp/assignment.ts';
import { characterClasses, shannonEntropy } from './dlp/entropy.ts';
import { dlpFinding } from './dlp/finding.ts';
import { textStats } from './dlp/text-stats.ts';
import { claimedByProvider } from './dlp/known-tokens.ts';
import { minScoreOption } from './dlp/options.ts';
import { isPlaceholder } from './dlp/placeholders.ts';

const optionsSchema = z
  .object({
    minScore: minScoreOption,
    /** Minimum Shannon entropy (bits per character) of a token-like value. */
    minEntropy: z.number().min(0).max(8).default(3),
    /** Minimum length of a token-like value (passwords have their own, lower floor of 6). */
    minLength: z.number().int().min(4).max(256).default(12),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'secret-generic-assignment', version: '1.0.0' } as const;
const KEYWORD = /pass(?:word|wd|phrase|code)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|signing[_-]?key|credentials?/gi;
/** Census gates of KEYWORD and of the Authorization header: a regex pass each costs more. */
const MAY_HAVE_KEYWORD = letterGate(['pass', 'pwd', 'secret', 'token', 'key', 'credential']);
const MAY_HAVE_AUTH = letterGate(['authorization']);
const MAY_HAVE_MYSQL = letterGate(['mysql', 'mariadb']);
const PASSWORD_NOUNS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode', 'pw']);
const SECRET_NOUNS = new Set(['secret', 'token', 'apikey', 'credential', 'credentials']);
/** Words before `key` that make it a secret key (`api_key`, `secret_key`, not `primary_key`). */
const KEY_QUALIFIERS = new Set(['api', 'access', 'secret', 'private', 'auth', 'signing', 'encryption', 'master', 'client', 'app', 'service', 'account', 'subscription', 'license', 'x']);
/** Words anywhere in the key that make it metadata about a secret, not the secret. */
const NOT_SECRET_WORDS = new Set(['public', 'page', 'cursor', 'continuation', 'next', 'pagination', 'max', 'min', 'num', 'count', 'forgot', 'reset', 'show', 'hide', 'is', 'has', 'use', 'enable', 'enabled', 'require', 'required', 'policy', 'length', 'strength', 'hint', 'prompt', 'label', 'field', 'input']);
/** `curl -u user:password` and `--user user:password` (curl(1) "-u, --user <user:password>"). */
const CURL_USER = /(?:^|\s)(?:-u|--user)[ \t]{1,3}["']?([^\s:'"]{1,64}):([^\s'"]{1,128})/g;
/** mysql(1) "-p[password]": the password glued to -p (a space after -p means "prompt for it"). */
const MYSQL_PASSWORD = /\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb|mariadb-dump)\b[^\n|;&]{0,200}?[ \t]-p([^\s'"-][^\s'"]{0,127})/g;
const ELLIPSIS = /^(?:\.\.\.|…)/;
const AUTH_HEADER = /\bAuthorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(Bearer|Basic|Token|Bot)[ \t]{1,3}([A-Za-z0-9._~+/=-]{8,4096})/gi;

type Kind = 'password' | 'generic';

function kindOf(words: readonly string[]): Kind | undefined {
  if (words.length === 0 || words.some((w) => NOT_SECRET_WORDS.has(w))) return undefined;
  const last = words[words.length - 1]!;
  if (PASSWORD_NOUNS.has(last)) return 'password';
  if (SECRET_NOUNS.has(last)) return 'generic';
  if (last === 'key' && words.length > 1 && KEY_QUALIFIERS.has(words[words.length - 2]!)) return 'generic';
  return undefined;
}

/** Values handled by other recognizers (provider tokens, JWTs, PEM blocks, URLs). */
function belongsElsewhere(text: string, start: number, end: number): boolean {
  const value = text.slice(start, end);
  return claimedByProvider(text, start, end) || /^eyJ[\w-]+\.[\w-]+\./.test(value) || value.includes('-----BEGIN') || /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/** Identifier-looking values (`user_password`, `config.db.pass`) and YAML tags (`!vault`) are references. */
function looksLikeReference(value: string): boolean {
  return /^![A-Za-z]+$/.test(value) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) || /^[a-z]+(?:_[a-z]+)+$/.test(value) || /^[a-z]+(?:[A-Z][a-z]+)+$/.test(value) || /^[A-Z]+(?:_[A-Z]+)+$/.test(value);
}

function randomEnough(kind: Kind, value: string, options: Options): number {
  const entropy = shannonEntropy(value);
  const classes = characterClasses(value);
  if (kind === 'password') {
    if (value.length < 6 || value.length > 128 || /^\d+$/.test(value)) return 0;
    if (classes < 2 && value.length < 10) return 0;
    return entropy >= 2 ? 1 : 0;
  }
  if (value.length < options.minLength || classes < 2 || entropy < options.minEntropy) return 0;
  if (/^[a-z]+(?:[-_.][a-z]+)+$/i.test(value)) return 0;
  return entropy >= 3.5 ? 1 : 0.85;
}

export const genericAssignmentDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'Passwords and high-entropy secrets assigned to secret-named keys, and Authorization headers.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['secret.password', 'secret.generic'],
  optionsSchema,
  create(options) {
    const report = (out: Finding[], kind: Kind, start: number, end: number, score: number, rule: string, explanation: string) => {
      if (score < options.minScore) return;
      out.push(dlpFinding(META, { category: kind === 'password' ? 'secret.password' : 'secret.generic', start, end, score, severity: 'high', rule, explanation }));
    };
    return ({ text }) => {
      const out: Finding[] = [];
      const census = textStats(text);
      const keyword = new RegExp(KEYWORD.source, 'gi');
      for (let m = MAY_HAVE_KEYWORD(census) ? keyword.exec(text) : null; m !== null; m = keyword.exec(text)) {
        const key = keyAround(text, m.index, m.index + m[0].length);
        if (!key) continue;
        // `scheme://user:password@host`: user info, the URL recognizer's business.
        if (text.startsWith('//', key[0] - 2)) continue;
        keyword.lastIndex = Math.max(keyword.lastIndex, key[1]);
        const kind = kindOf(keyWords(text.slice(key[0], key[1])));
        if (!kind) continue;
        const a = assignmentAt(text, key[0], key[1], kind === 'password');
        if (!a) continue;
        const value = text.slice(a.valueStart, a.valueEnd);
        if (isPlaceholder(value) || belongsElsewhere(text, a.valueStart, a.valueEnd) || (!a.quoted && (value.startsWith('$') || looksLikeReference(value)))) continue;
        // `KEY=sk-ant-api03-...`: the value read stops before the ellipsis, but it is elided all the same.
        if (!a.prose && ELLIPSIS.test(text.slice(a.valueEnd, a.valueEnd + 3))) continue;
        const strength = randomEnough(kind, value, options);
        if (strength === 0) continue;
        const score = (kind === 'password' ? (a.quoted ? 0.85 : a.prose ? 0.7 : 0.8) : a.quoted ? 0.85 : 0.8) * (strength === 1 ? 1 : 0.9);
        keyword.lastIndex = Math.max(keyword.lastIndex, a.valueEnd);
        report(
          out,
          kind,
          a.valueStart,
          a.valueEnd,
          score,
          kind === 'password' ? 'password_assignment' : 'secret_assignment',
          `${kind === 'password' ? 'Password' : 'Secret'} value assigned to a key named as one${a.prose ? ' (in prose)' : ''}, not a placeholder${kind === 'password' ? '' : ', with high entropy'}.`,
        );
      }
      if (text.includes('-u')) {
        for (const m of text.matchAll(CURL_USER)) {
          const password = m[2]!;
          const start = m.index + m[0].length - password.length;
          if (isPlaceholder(password) || password.startsWith('$') || belongsElsewhere(text, start, start + password.length)) continue;
          if (randomEnough('password', password, options) === 0) continue;
          report(out, 'password', start, start + password.length, 0.85, 'curl_user_password', 'Password in a command-line user:password credential.');
        }
      }
      // The census gate, then a substring search (not /mysql|mariadb/, several times dearer).
      if (MAY_HAVE_MYSQL(census) && (text.includes('mysql') || text.includes('mariadb'))) {
        for (const m of text.matchAll(MYSQL_PASSWORD)) {
          const password = m[1]!;
          const start = m.index + m[0].length - password.length;
          if (isPlaceholder(password) || password.startsWith('$') || randomEnough('password', password, options) === 0) continue;
          report(out, 'password', start, start + password.length, 0.85, 'mysql_command_password', 'Password glued to the -p option of a MySQL command line.');
        }
      }
      if (MAY_HAVE_AUTH(census) && /authorization/i.test(text)) {
        for (const m of text.matchAll(AUTH_HEADER)) {
          const scheme = m[1]!.toLowerCase();
          const value = m[2]!;
          const start = m.index + m[0].length - value.length;
          if (isPlaceholder(value) || belongsElsewhere(text, start, start + value.length)) continue;
          if (scheme === 'basic') {
            const decoded = Buffer.from(value, 'base64').toString('utf8');
            if (!/^[^:\s]{1,128}:\S{1,128}$/.test(decoded) || isPlaceholder(decoded.slice(decoded.indexOf(':') + 1))) continue;
            report(out, 'password', start, start + value.length, 0.9, 'basic_auth_header', 'HTTP Basic credentials (user and password) in an Authorization header.');
          } else if (value.length >= 16 && shannonEntropy(value) >= options.minEntropy) {
            report(out, 'generic', start, start + value.length, 0.85, 'bearer_auth_header', 'Bearer token in an Authorization header.');
          }
        }
      }
      return out.sort((a, b) => a.start - b.start);
    };
  },
};
