import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phoneDetector } from '../../../src/guard/detectors/pii-phone.ts';
import { detector, found, type Case } from './support.ts';

const detect = detector(phoneDetector);

const CASES: Case[] = [
  { text: 'call me at (212) 736-5000 tonight', expect: ['(212) 736-5000'] },
  { text: 'Phone: 212-736-5000', expect: ['212-736-5000'] },
  { text: 'reach me on 212.736.5000', expect: ['212.736.5000'] },
  { text: 'office +1 212 736 5000 ext 12', expect: ['+1 212 736 5000'] },
  { text: 'UK desk +44 20 7946 0321, Paris +33 1 42 68 53 00', expect: ['+44 20 7946 0321', '+33 1 42 68 53 00'] },
  { text: 'mobile +49 151 23456789', expect: ['+49 151 23456789'] },
  { text: 'Tel. 020 7946 0321', expect: ['020 7946 0321'], why: 'national UK number with phone context' },
  { text: 'whatsapp +919876543210', expect: ['+919876543210'] },
  { text: 'Paris office: 0033 1 42 68 53 00', expect: ['0033 1 42 68 53 00'], why: '00 is the international prefix, read like +' },
  { text: "tu peux m'appeler au 06 12 34 56 78 ce soir", expect: ['06 12 34 56 78'], why: 'French call word, French national number' },
  { text: 'ring me on 020 7946 0321 tomorrow', expect: ['020 7946 0321'], why: 'British call word' },
  { text: 'released 2024-03-15 at 10:30', expect: [], why: 'a date' },
  { text: 'call_id=2024061100123 queue=support', expect: [], why: 'assigned to a key naming an id, though "call" is a phone word' },
  { text: '{"contactId": "212-736-5000"}', expect: [], why: 'camelCase id key' },
  { text: 'phone_no=212-736-5000', expect: ['212-736-5000'] },
  { text: 'account 0012 3456 7890', expect: [], why: 'not a valid number after the 00 prefix' },
  { text: 'logged at 2016-01-05 22:58:39', expect: [], why: 'a date-time' },
  { text: 'upgrade to version 10.4.12.1234', expect: [], why: 'a version' },
  { text: 'order 2127365000 shipped', expect: [], why: 'bare digits need phone context' },
  { text: 'SSN 536-22-8741', expect: [], why: 'SSN shape' },
  { text: 'card 4111 1111 1111 1111', expect: [], why: 'too many digits for E.164' },
  { text: 'IBAN NL91 ABNA 0417 1643 00', expect: [], why: 'tail of a grouped code' },
  { text: 'ip 192.168.10.254 and pi 3.14159265', expect: [] },
  { text: 'see (555) 123-4567', expect: [], why: 'area code 555 is not assigned' },
  { text: 'id=212-736-5000-77', expect: [], why: 'part of a longer id' },
  { text: 'see 185-89-8761-13', expect: [], why: 'valid US digits, but not grouped the North American way' },
];

describe('pii-phone', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text)}${c.why ? ` (${c.why})` : ''}`, () => {
      assert.deepEqual(found(detect(c.text), c.text), c.expect);
    });
  }

  it('accepts an unassigned but possible number only beside phone words, and scores it low', () => {
    const [f] = detect('call (555) 123-4567');
    assert.ok(f && f.score < 0.75);
  });

  it('reads national numbers in the configured default region', () => {
    const uk = detector(phoneDetector, { defaultRegion: 'GB' });
    assert.deepEqual(found(uk('ring 020 7946 0321'), 'ring 020 7946 0321'), ['020 7946 0321']);
    assert.deepEqual(found(uk('see 020 7946 0321'), 'see 020 7946 0321'), ['020 7946 0321']);
  });

  it('rejects a malformed region option when the profile loads', () => {
    assert.throws(() => phoneDetector.optionsSchema.parse({ defaultRegion: 'usa' }));
  });
});
