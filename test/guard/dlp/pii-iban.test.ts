import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ibanDetector, ibanValid } from '../../../src/guard/detectors/pii-iban.ts';
import { detector, found, type Case } from './support.ts';

const detect = detector(ibanDetector);

// The registry's own example IBANs for each country.
const VALID = [
  'DE89370400440532013000', 'GB29NWBK60161331926819', 'FR1420041010050500013M02606', 'ES9121000418450200051332',
  'IT60X0542811101000000123456', 'NL91ABNA0417164300', 'BE68539007547034', 'CH9300762011623852957', 'AT611904300234573201',
  'PL61109010140000071219812874', 'NO9386011117947', 'PT50000201231234567890154',
];

const CASES: Case[] = [
  { text: 'IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX', expect: ['DE89 3704 0044 0532 0130 00'] },
  { text: 'pay GB29NWBK60161331926819 today', expect: ['GB29NWBK60161331926819'] },
  { text: 'NL91 ABNA 0417 1643 00 EUR 120', expect: ['NL91 ABNA 0417 1643 00'], why: 'stops at the country length' },
  { text: 'to NO9386011117947 and BE68539007547034', expect: ['NO9386011117947', 'BE68539007547034'] },
  { text: 'DE89 3704 0044 0532 0130 00 GB29 NWBK 6016 1331 9268 19', expect: ['DE89 3704 0044 0532 0130 00', 'GB29 NWBK 6016 1331 9268 19'], why: 'two in a row' },
  { text: 'iban: gb29 nwbk 6016 1331 9268 19', expect: ['gb29 nwbk 6016 1331 9268 19'], why: 'typed in lower case' },
  { text: 'IBAN DE88 3704 0044 0532 0130 00', expect: [], why: 'wrong check digits' },
  { text: 'IBAN DE89 3704 0044 0532 0130 001', expect: [], why: 'too long for DE' },
  { text: 'code XX89370400440532013000', expect: [], why: 'no such country' },
  { text: 'ABDE89370400440532013000', expect: [], why: 'glued to a word' },
];

describe('pii-iban', () => {
  it('accepts the registry examples and rejects any single-digit change', () => {
    for (const iban of VALID) {
      assert.ok(ibanValid(iban), iban);
      const i = iban.search(/\d(?=\d*$)/);
      const changed = iban.slice(0, i) + String((Number(iban[i]) + 1) % 10) + iban.slice(i + 1);
      assert.ok(!ibanValid(changed), changed);
    }
  });

  for (const c of CASES) {
    it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text)}${c.why ? ` (${c.why})` : ''}`, () => {
      assert.deepEqual(found(detect(c.text), c.text), c.expect);
    });
  }
});
