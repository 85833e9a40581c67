/**
 * Input is attacker-controlled: every DLP pattern must stay linear. Each 1 MB string below is
 * built to hurt a careless pattern (long runs of the characters a pattern repeats, near-misses
 * that fail at the last character, many overlapping starts); all detectors together must get
 * through each one in well under a second.
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
    it(`get through 1 MB of ${name} in well under a second`, () => {
      const slowest: [string, number][] = [];
      const started = performance.now();
      for (const { id, detect } of detectors) {
        const t = performance.now();
        detect({ text, channel: 'user' }) as readonly Finding[];
        slowest.push([id, performance.now() - t]);
      }
      const total = performance.now() - started;
      slowest.sort((a, b) => b[1] - a[1]);
      assert.ok(total < 800, `took ${total.toFixed(0)} ms; slowest ${slowest.slice(0, 3).map(([id, ms]) => `${id} ${ms.toFixed(0)} ms`).join(', ')}`);
    });
  }
});
