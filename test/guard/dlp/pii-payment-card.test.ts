import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardIssuer, paymentCardDetector } from '../../../src/guard/detectors/pii-payment-card.ts';
import { detector, found, type Case } from './support.ts';

const detect = detector(paymentCardDetector);

// Issuers' published test numbers: Luhn-valid, in real ranges.
const CASES: Case[] = [
  { text: 'visa 4111 1111 1111 1111 exp 12/27', expect: ['4111 1111 1111 1111'] },
  { text: 'mc 5500-0055-5555-5559', expect: ['5500-0055-5555-5559'] },
  { text: 'mc 2223003122003222', expect: ['2223003122003222'] },
  { text: 'IBAN DE39 2417 8601 1590 0763 54', expect: [], why: 'digits inside an IBAN' },
  { text: 'amex 3782 822463 10005', expect: ['3782 822463 10005'] },
  { text: 'discover 6011111111111117.', expect: ['6011111111111117'] },
  { text: 'jcb 3530 1113 3330 0000', expect: ['3530 1113 3330 0000'] },
  { text: 'diners 3056 9309 0259 04', expect: ['3056 9309 0259 04'] },
  { text: 'card: 4111 1111\n1111 1111', expect: ['4111 1111\n1111 1111'], why: 'split across lines' },
  { text: 'pay with 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1', expect: ['4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'], why: 'one digit at a time' },
  { text: 'NIR 1 30 02 44 395 491 18', expect: [], why: 'grouped unlike a card, no card context' },
  { text: 'my card number: 41 1111 1111 11 1111', expect: ['41 1111 1111 11 1111'], why: 'odd grouping, but card context' },
  { text: 'card 4111.1111.1111.1111', expect: ['4111.1111.1111.1111'], why: 'dots as separators' },
  { text: 'ref 12 4111 1111 1111 1111 paid', expect: ['4111 1111 1111 1111'], why: 'leading group is not part of it' },
  { text: 'card 4111 1111 1111 1112', expect: [], why: 'fails Luhn' },
  { text: 'number 1234567812345670', expect: [], why: 'Luhn-valid but no issuer starts with 1' },
  { text: 'tracking 4111111111111111', expect: [], why: 'tracking context, no card context' },
  { text: 'IMEI 490154203237518', expect: [], why: '15-digit Luhn-valid IMEI, not a card length for that range' },
  { text: 'pi=3.4111111111111111', expect: [], why: 'decimals' },
  { text: 'pi is 3.961374484052493', expect: [], why: 'a decimal whose digits pass Luhn for a Diners range' },
  { text: 'hash 41111111111111111111111111', expect: [], why: 'longer digit run' },
  { text: 'id A4111111111111111', expect: [], why: 'glued to a word' },
  { text: 'xoxb-532189341842-4847975784695-ODeTAvCs8', expect: [], why: 'digits inside a hyphenated token' },
];

describe('pii-payment-card', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text)}${c.why ? ` (${c.why})` : ''}`, () => {
      assert.deepEqual(found(detect(c.text), c.text), c.expect);
    });
  }

  it('names the issuer by range and length', () => {
    assert.equal(cardIssuer('378282246310005'), 'American Express');
    assert.equal(cardIssuer('37828224631000'), undefined);
    assert.equal(cardIssuer('2720990000000007'), 'Mastercard');
    assert.equal(cardIssuer('2721000000000000'), undefined);
  });
});
