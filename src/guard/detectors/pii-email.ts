/**
 * E-mail addresses. Candidates are found from each '@' outwards (no regex backtracking over
 * attacker text), then confirmed against the RFC 5321 §4.5.3.1 limits (local part ≤ 64, domain ≤
 * 255, labels ≤ 63) and the shape of a public domain: at least two labels, an alphabetic TLD, no
 * leading or trailing hyphens. Retina image names (`icon@2x.png`) and scp-style git remotes
 * (`git@host:org/repo`) are not addresses of people and are skipped.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { isSpacelessScript } from '../normalize/scripts.ts';
import { contextWords, hasContext } from './dlp/context.ts';
import { dlpFinding } from './dlp/finding.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption, contextWindow: contextWindowOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-email', version: '1.0.0' } as const;
const CONTEXT = contextWords(['email', 'e-mail', 'mail', 'contact', 'reach', 'address', 'courriel', 'correo']);
/** Extensions that follow '@' in asset names (`logo@2x.png`) but are not top-level domains. */
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp', 'css', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'json', 'yaml', 'yml', 'lock', 'txt', 'log', 'map', 'wasm']);

const UNICODE_LETTER = /[\p{L}\p{M}]/u;
/** Letters beyond ASCII: internationalized addresses (RFC 6531) and IDN domains (RFC 5890). */
function isUnicodeLetter(c: number): boolean {
  return c > 127 && UNICODE_LETTER.test(String.fromCharCode(c));
}
function isLocalChar(c: number): boolean {
  // RFC 5322 atext minus the rarely used characters that mostly appear as punctuation in prose.
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || isUnicodeLetter(c);
}
/**
 * An apostrophe between two letters or digits of a local part (`o'neil@`, `d'arcy@`): valid atext
 * and common in names. At either end it is a quotation mark around the address, not part of it.
 */
function isInnerApostrophe(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 39 || i === 0) return false;
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i + 1);
  return isLocalChar(before) && before !== 46 && isLocalChar(after) && after !== 46;
}
function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45 || isUnicodeLetter(c);
}

/** True when the word holding the address (back to a space or quote) starts with `scheme://`. */
function inUrlUserInfo(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 300), start);
  const token = before.slice(Math.max(before.lastIndexOf(' '), before.lastIndexOf('\n'), before.lastIndexOf('"'), before.lastIndexOf("'"), before.lastIndexOf('(')) + 1);
  return token.includes('://');
}

/** Returns [start, end) of a confirmed address around the '@' at `at`, or undefined. */
function addressAt(text: string, at: number, hasUrls: boolean): [number, number] | undefined {
  let start = at;
  while (start > 0 && at - start < 64 && (isLocalChar(text.charCodeAt(start - 1)) || isInnerApostrophe(text, start - 1))) start--;
  // Chinese, Japanese and Korean run words together: in `邮箱是zhang.wei@…` the address starts after
  // the last Han, kana or Hangul letter. A local part wholly in those scripts (`张伟@例子.中国`) stays whole.
  for (let i = at - 1; i > start; i--) {
    if (isSpacelessScript(text.charCodeAt(i - 1)) && !isSpacelessScript(text.charCodeAt(i))) {
      start = i;
      break;
    }
  }
  let end = at + 1;
  while (end < text.length && end - at <= 255 && isDomainChar(text.charCodeAt(end))) end++;
  // Sentence punctuation after an address is not part of it.
  while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  while (start < at && text[start] === '.') start++;
  if (start === at || end === at + 1) return undefined;
  const before = text.charCodeAt(start - 1);
  if (start > 0 && ((isLocalChar(before) && !isSpacelessScript(before)) || text[start - 1] === '@' || text[start - 1] === '/')) return undefined;
  // `scheme://user:password@host`: the part before '@' is a URL's user info, not a mailbox.
  if (hasUrls && inUrlUserInfo(text, start)) return undefined;
  const local = text.slice(start, at);
  if (local.endsWith('.') || local.includes('..')) return undefined;
  const labels = text.slice(at + 1, end).split('.');
  if (labels.length < 2) return undefined;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return undefined;
  }
  const tld = labels[labels.length - 1]!.toLowerCase();
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}|\p{L}{2,63})$/u.test(tld) || FILE_EXTENSIONS.has(tld)) return undefined;
  if (text[end] === '@') return undefined;
  // scp-style remote `git@github.com:org/repo.git`: a login, not a mailbox.
  if (text[end] === ':' && /[A-Za-z~/]/.test(text[end + 1] ?? '')) return undefined;
  return [start, end];
}

export const emailDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'E-mail addresses, confirmed against RFC 5321 length limits and public domain shape.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.email'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    return ({ text }) => {
      const out: Finding[] = [];
      let lastEnd = -1;
      const hasUrls = text.includes('://');
      for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
        if (at < lastEnd) continue;
        const span = addressAt(text, at, hasUrls);
        if (!span) continue;
        const [start, end] = span;
        lastEnd = end;
        const context = hasContext(text, start, end, CONTEXT, contextWindow);
        const score = context ? 0.95 : 0.9;
        if (score < minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'pii.email',
            start,
            end,
            score,
            severity: 'medium',
            rule: 'email_address',
            explanation: `E-mail address: valid local part and public domain shape${context ? ', with e-mail context nearby' : ''}.`,
          }),
        );
      }
      return out;
    };
  },
};
