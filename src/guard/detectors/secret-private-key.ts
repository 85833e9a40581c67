/**
 * PEM private keys (RFC 7468 §10 PKCS #8 "PRIVATE KEY", §11 "ENCRYPTED PRIVATE KEY"; the legacy
 * OpenSSL "RSA/EC/DSA PRIVATE KEY"; "OPENSSH PRIVATE KEY"; OpenPGP "PGP PRIVATE KEY BLOCK").
 * The span runs from the BEGIN line to the END line, whether the block is raw or escaped inside a
 * JSON string ("\n"); a block cut short still leaks its first bytes and is reported to the end of
 * its base64. Blocks whose body is elided ("...", "<your key>") are documentation, not keys.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { dlpFinding } from './dlp/finding.ts';
import { minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'secret-private-key', version: '1.0.0' } as const;
const LABEL = '((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)';
const BEGIN = new RegExp(`-----BEGIN ${LABEL}-----`, 'g');
const END = new RegExp(`-----END ${LABEL}-----`, 'g');
/** Longest body searched for the END line: a 16384-bit RSA key in PEM is ~13 KB. */
const MAX_BODY = 16_384;
/** Header lines some formats carry (RFC 1421 Proc-Type/DEK-Info, PGP Version/Comment). */
const HEADERS = /^(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset):[^\n]*$/gm;

/** Bodies that are masks (`XXXX…`, `AAAA…`, "EXAMPLE") rather than key material. */
function masked(data: string): boolean {
  if (/EXAMPLE|REDACTED/.test(data)) return true;
  let run = 1;
  for (let i = 1; i < data.length; i++) {
    run = data.charCodeAt(i) === data.charCodeAt(i - 1) ? run + 1 : 1;
    if (run >= 16) return true;
  }
  return false;
}

/** The base64 payload of a body, with line breaks (raw or JSON-escaped), quotes and headers removed. */
function payload(body: string): string {
  return body.replace(/\\r|\\n/g, '\n').replace(HEADERS, '').replace(/[\s"'+,\\]/g, '');
}

export const privateKeyDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'PEM / OpenSSH / PGP private key blocks, raw or JSON-escaped.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['secret.private_key'],
  optionsSchema,
  create(options) {
    return ({ text }) => {
      const out: Finding[] = [];
      if (!text.includes('PRIVATE KEY')) return out;
      // One pass for BEGIN lines and one for END lines, then pair them in order: a text of many
      // BEGIN lines must not make each one search the rest of the text for its END.
      const begins = [...text.matchAll(BEGIN)];
      const ends = [...text.matchAll(END)];
      let e = 0;
      let coveredTo = 0;
      for (const [k, m] of begins.entries()) {
        if (m.index < coveredTo) continue;
        const label = m[1]!;
        const bodyStart = m.index + m[0].length;
        const limit = Math.min(begins[k + 1]?.index ?? text.length, bodyStart + MAX_BODY);
        while (e < ends.length && ends[e]!.index < bodyStart) e++;
        const endMatch = e < ends.length && ends[e]!.index <= limit && ends[e]![1] === label ? ends[e] : undefined;
        const complete = endMatch !== undefined;
        let end: number;
        let body: string;
        if (endMatch) {
          end = endMatch.index + endMatch[0].length;
          body = text.slice(bodyStart, endMatch.index);
        } else {
          // Truncated: the key runs as far as base64 and line breaks go.
          const tail = /^(?:[A-Za-z0-9+/=\s]|\\n|\\r)*/.exec(text.slice(bodyStart, limit))![0];
          end = bodyStart + tail.trimEnd().length;
          body = tail;
        }
        coveredTo = end;
        const data = payload(body);
        if (data.length < 64 || !/^[A-Za-z0-9+/=]+$/.test(data) || masked(data)) continue;
        const score = complete ? 0.99 : 0.9;
        if (score < options.minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'secret.private_key',
            start: m.index,
            end,
            score,
            severity: 'critical',
            rule: complete ? 'pem_private_key' : 'pem_private_key_truncated',
            explanation: `Private key block (${label.toLowerCase()})${complete ? '' : ', cut short but carrying key material'}.`,
          }),
        );
      }
      return out;
    };
  },
};
