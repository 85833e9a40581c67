/**
 * Input is attacker-controlled: every DLP pattern must stay linear. Each 1 MB string below is
 * built to hurt a careless pattern (long runs of the characters a pattern repeats, near-misses
 * that fail at the last character, many overlapping starts). A pattern that backtracks grows
 * at least quadratically with its input; a linear one does not: each input is scanned at a quarter
 * of its size and at full size (best of three each, so a busy machine does not decide the
 * outcome), and the full size must cost less than 10 times the quarter (quadratic: 16 times).
 * Absolute speed is the guard benchmark's business (bench/guard-throughput), not a test's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DLP_DETECTORS } from '../../../src/guard/detectors/dlp-index.ts';
import type { Finding } from '../../../src/guard/types.ts';

const MB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

const ADVERSARIAL: Record<string, string> = {
  'one letter': fill('a'),
  'one digit': fill('7'),
  'digits and spaces': fill('4 '),
  'digit groups with dashes': fill('1234-'),
  'dots and digits': fill('1.'),
  'colons and hex': fill('a:'),
  'double colons': fill('::1'),
  'at signs': fill('a.b@'),
  'base64 run after aws': `aws secret ${fill('A/b+')}`,
  'sk- prefixes': fill('sk-'),
  'ghp_ prefixes': fill('ghp_a'),
  'jwt starts': fill('eyJhbGciOi.'),
  'pem begins': fill('-----BEGIN PRIVATE KEY-----\n'),
  'key names': fill('password=token=secret:'),
  'urls': fill('http://a:b'),
  'street words': fill('12 Main Street '),
  'capitalized names': fill('Dear Aaaa Bbbb Cccc '),
  'iban-ish': fill('DE89 '),
  'date-ish': fill('12/12/'),
  'birth context and digits': fill('born 1 '),
  'nino-ish': fill('AB 12 34 56 '),
  'unicode letters': fill('é'),
  'near-miss card runs': fill('4111 1111 1111 111'),
  // Texts packed with real-looking matches: output handling must not be quadratic either.
  'many e-mails': fill('jo@acme.io '),
  'many cards': fill('4111 1111 1111 1111, '),
  'many key ids': fill('AKIA2QW3ER4TY5UI6OP7 '),
  'many addresses': fill('12 Main Street, Austin, TX 78701; '),
  'many salutations': fill('Dear Kofi Mensah,\n'),
  'many ips': fill('81.2.69.160 '),
};

const detectors = DLP_DETECTORS.map((d) => ({ id: d.id, detect: d.create(d.optionsSchema.parse({}), { assetsDir: 'assets' }) }));

describe('DLP detectors on adversarial input', () => {
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(`scales linearly on 1 MB of ${name}`, () => {
      const quarter = text.slice(0, text.length >> 2);
      const cost = (input: string) => {
        const perDetector = new Map<string, number>();
        for (let round = 0; round < 3; round++) {
          for (const { id, detect } of detectors) {
            const t = performance.now();
            detect({ text: input, channel: 'user' }) as readonly Finding[];
            const ms = performance.now() - t;
            perDetector.set(id, Math.min(perDetector.get(id) ?? Infinity, ms));
          }
        }
        return perDetector;
      };
      const small = cost(quarter);
      const full = cost(text);
      for (const [id, ms] of full) {
        // Below a few milliseconds the ratio is noise; a backtracking pattern on 1 MB is far above it.
        const ratio = ms / Math.max(small.get(id)!, 2);
        assert.ok(ratio < 10, `${id}: ${ms.toFixed(0)} ms on 1 MB against ${small.get(id)!.toFixed(0)} ms on 256 KB (×${ratio.toFixed(1)}: not linear)`);
      }
    });
  }
});
