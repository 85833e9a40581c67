/**
 * Input is attacker-controlled: every DLP pattern must stay linear. Each 1 MB string below is
 * built to hurt a careless pattern (long runs of the characters a pattern repeats, near-misses
 * that fail at the last character, many overlapping starts). A backtracking pattern on 1 MB of
 * such input runs for minutes (at least a quadratic number of steps); a linear one takes
 * milliseconds to a few hundred. Each detector must get through each input in under 5 s (best of
 * three runs, so a busy machine or a collector pause does not decide the outcome): far above any
 * linear detector on a loaded machine, far below any backtracking one. Absolute speed is the
 * guard benchmark's business (bench/guard-throughput), not a test's.
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
    it(`gets through 1 MB of ${name} without backtracking`, () => {
      const slow: string[] = [];
      for (const { id, detect } of detectors) {
        let best = Infinity;
        for (let round = 0; round < 3 && best >= 5_000; round++) {
          const t = performance.now();
          detect({ text, channel: 'user' }) as readonly Finding[];
          best = Math.min(best, performance.now() - t);
        }
        if (best >= 5_000) slow.push(`${id} ${best.toFixed(0)} ms`);
      }
      assert.deepEqual(slow, [], 'a detector backtracks on this input');
    });
  }
});
