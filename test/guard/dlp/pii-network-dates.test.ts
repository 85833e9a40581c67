import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateOfBirthDetector } from '../../../src/guard/detectors/pii-date-of-birth.ts';
import { ipAddressDetector } from '../../../src/guard/detectors/pii-ip-address.ts';
import { detector, found, type Case } from './support.ts';

function table(name: string, detect: ReturnType<typeof detector>, cases: Case[]) {
  describe(name, () => {
    for (const c of cases) {
      it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text)}${c.why ? ` (${c.why})` : ''}`, () => {
        assert.deepEqual(found(detect(c.text), c.text), c.expect);
      });
    }
  });
}

table('pii-ip-address', detector(ipAddressDetector), [
  { text: 'login from 81.2.69.160 failed', expect: ['81.2.69.160'] },
  { text: 'client=10.20.30.40, upstream 172.16.5.4:8080', expect: ['10.20.30.40', '172.16.5.4'] },
  { text: 'route 203.0.113.0/24 via gw', expect: ['203.0.113.0/24'] },
  { text: 'http://93.184.216.34/index.html', expect: ['93.184.216.34'] },
  { text: 'host 2001:db8:85a3::8a2e:370:7334 is up', expect: ['2001:db8:85a3::8a2e:370:7334'] },
  { text: '[fe80::1ff:fe23:4567:890a]:443', expect: ['fe80::1ff:fe23:4567:890a'] },
  { text: 'mapped ::ffff:81.2.69.160.', expect: ['::ffff:81.2.69.160'] },
  { text: 'version 10.0.19041.1 installed', expect: [], why: 'a four-part version' },
  { text: 'v1.2.3.4 and Chrome/120.0.6099.109', expect: [], why: 'versions' },
  { text: 'see section 2.1.3.4', expect: [], why: 'outline numbering' },
  { text: 'please upgrade from 1.2.3.3 to 1.2.3.4', expect: [], why: 'versions after "upgrade"' },
  { text: 'upgraded the firewall at 81.2.69.160', expect: ['81.2.69.160'], why: 'an upgrade of something else' },
  { text: '1.2.3.4.5 and 256.1.1.1 and 01.2.3.4', expect: [], why: 'too many parts, octet out of range, leading zero' },
  { text: 'netmask 255.255.255.0', expect: [], why: 'a mask' },
  { text: 'localhost 127.0.0.1 and 0.0.0.0 and ::1', expect: [], why: 'loopback and unspecified are skipped by default' },
  { text: 'std::vector<int> a::b', expect: [] },
  { text: 'at 12:30:45 on Monday', expect: [], why: 'a clock time' },
  { text: 'mac 00:1a:2b:3c:4d:5e', expect: [], why: 'a MAC address' },
  { text: 'eui 00:1a:2b:ff:fe:3c:4d:5e', expect: [], why: 'an EUI-64' },
  { text: 'pi 3.14159 and 1.5', expect: [] },
]);

describe('pii-ip-address options', () => {
  it('skips private ranges when the profile says so', () => {
    const detect = detector(ipAddressDetector, { skipRanges: ['private', 'loopback'] });
    const text = 'from 10.1.2.3 and 81.2.69.160 and fd12:3456:789a::1';
    assert.deepEqual(found(detect(text), text), ['81.2.69.160']);
  });

  it('rejects unknown range names when the profile loads', () => {
    assert.throws(() => ipAddressDetector.optionsSchema.parse({ skipRanges: ['intranet'] }));
  });
});

table('pii-date-of-birth', detector(dateOfBirthDetector), [
  { text: 'DOB: 1985-03-12', expect: ['1985-03-12'] },
  { text: 'I was born on 12 March 1985 in Leeds', expect: ['12 March 1985'] },
  { text: 'date of birth 03/12/1985', expect: ['03/12/1985'] },
  { text: 'birthday: March 12th, 1985', expect: ['March 12th, 1985'] },
  { text: 'Geburtsdatum 12.03.1985', expect: ['12.03.1985'] },
  { text: 'D.O.B. 7 Jul 1979', expect: ['7 Jul 1979'] },
  { text: 'Date of Birth: 15-Jan-1985', expect: ['15-Jan-1985'] },
  { text: 'born 1985/3/12', expect: ['1985/3/12'] },
  { text: 'Mme Dubois, née le 5 janvier 1982 à Lyon', expect: ['5 janvier 1982'], why: 'month named in the language of the birth word' },
  { text: 'geboren am 14. März 1990 in Köln', expect: ['14. März 1990'] },
  { text: 'fecha de nacimiento: 14 de marzo de 1987', expect: ['14 de marzo de 1987'] },
  { text: 'née le 1er août 1975', expect: ['1er août 1975'] },
  { text: 'geboortedatum 12 mei 1985', expect: ['12 mei 1985'] },
  { text: 'born 12 Foo 1985', expect: [], why: 'not a month name' },
  { text: 'deployed on 2024-03-12', expect: [], why: 'no birth context' },
  { text: 'DOB: 1985-02-30', expect: [], why: 'no such day' },
  { text: 'born 2999-01-01', expect: [], why: 'in the future' },
  { text: 'DOB 1985-03-12, last visit 2024-01-15', expect: ['1985-03-12'], why: 'context belongs to the first date only' },
  { text: 'born in 1985', expect: [], why: 'a year is not a date' },
  { text: 'name,birth_date,plan\nAda Byron,1985-12-31,gold\nBob Stone,1990-01-02,silver\nCy Young,1975-07-04,gold', expect: ['1985-12-31', '1990-01-02', '1975-07-04'], why: 'the column header is birth context' },
  { text: 'name,signup_date,note\nAda Byron,2024-03-12,-\nBob Stone,2024-03-13,-\nCy Young,2024-03-14,born in Leeds', expect: [], why: 'another date column' },
]);
