import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { esNifValid, frNirValid, gbNhsValid, itFiscalCodeValid, nlBsnValid, plPeselValid, sgNricValid } from '../../../src/guard/detectors/dlp/national-ids.ts';
import { euNationalIdDetector } from '../../../src/guard/detectors/pii-eu-national-id.ts';
import { nationalIdDetector } from '../../../src/guard/detectors/pii-national-id.ts';
import { ukNinoDetector } from '../../../src/guard/detectors/pii-uk-nino.ts';
import { ssnValid, usSsnDetector } from '../../../src/guard/detectors/pii-us-ssn.ts';
import { detector, found, type Case } from './support.ts';

function table(name: string, detect: (t: string) => ReturnType<ReturnType<typeof detector>>, cases: Case[]) {
  describe(name, () => {
    for (const c of cases) {
      it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text)}${c.why ? ` (${c.why})` : ''}`, () => {
        assert.deepEqual(found(detect(c.text), c.text), c.expect);
      });
    }
  });
}

table('pii-us-ssn', detector(usSsnDetector), [
  { text: 'my SSN is 536-22-8741', expect: ['536-22-8741'] },
  { text: 'applicant 536-22-8741 approved', expect: ['536-22-8741'], why: 'dashed form stands alone' },
  { text: 'social security number 536 22 8741', expect: ['536 22 8741'] },
  { text: 'SSN: 536228741', expect: ['536228741'] },
  { text: 'ref 536228741', expect: [], why: 'bare digits without SSN context' },
  { text: 'SSN 000-22-8741 or 666-22-8741 or 912-22-8741', expect: [], why: 'areas never assigned' },
  { text: 'SSN 536-00-8741 or 536-22-0000', expect: [], why: 'group 00, serial 0000' },
  { text: 'ref 078-05-1120 and 123-45-6789', expect: [], why: 'published examples without SSN context' },
  { text: 'part 536-22-8741-01', expect: [], why: 'part of a longer id' },
  { text: 'order 536-22-8741 shipped', expect: [], why: 'order context' },
  { text: 'part_no,description,qty\n512-44-0981,hex bolt M8,200\n512-44-0982,hex nut M8,200\n512-44-0983,washer M8,500', expect: [], why: 'a part number column, however far from its header' },
  { text: 'name,ssn,plan\nAda Byron,536228741,gold\nBob Stone,536228742,silver\nCy Young,511229740,gold', expect: ['536228741', '536228742', '511229740'], why: 'bare digits under an ssn column header' },
  { text: 'phone 536-22-87412', expect: [] },
]);

describe('pii-us-ssn examples', () => {
  it('reports a published example only beside SSN words, and low', () => {
    const [f] = detector(usSsnDetector)('SSN: 123-45-6789');
    assert.equal(f?.rule, 'ssn_published_example');
    assert.ok(f!.score < 0.75);
  });
});

describe('ssnValid', () => {
  it('applies the SSA area, group and serial rules', () => {
    assert.ok(ssnValid('001010001'));
    assert.ok(ssnValid('899999999'));
    assert.ok(!ssnValid('900123456'));
    assert.ok(!ssnValid('111111111'));
  });
});

table('pii-uk-nino', detector(ukNinoDetector), [
  { text: 'NI number AB123456C', expect: ['AB123456C'] },
  { text: 'reference JG 10 37 45 B on the payslip', expect: ['JG 10 37 45 B'] },
  { text: 'my national insurance number is AB123456', expect: ['AB123456'], why: 'no suffix, with context' },
  { text: 'code AB123456', expect: [], why: 'no suffix, no context' },
  { text: 'QQ123456C is the HMRC example', expect: [], why: 'Q is never a first letter' },
  { text: 'NINO GB123456A and TN123456A', expect: [], why: 'unallocated prefixes' },
  { text: 'NINO AO123456A', expect: [], why: 'O is never a second letter' },
  { text: 'NINO AB123456E', expect: [], why: 'suffix beyond D' },
  { text: 'AB 12 3456 C', expect: [], why: 'inconsistent spacing' },
  { text: 'NI No. PT 974239 A on the P45', expect: ['PT 974239 A'], why: 'digits kept whole between spaced letters' },
  { text: 'AB123456 C and AB 123456C', expect: [], why: 'one letter group spaced, the other not' },
]);

table('pii-eu-national-id', detector(euNationalIdDetector), [
  { text: 'DNI 12345678Z', expect: ['12345678Z'] },
  { text: 'NIE X1234567L para el trámite', expect: ['X1234567L'] },
  { text: 'DNI 12345678A', expect: [], why: 'wrong control letter' },
  { text: 'Adjunto el NIE Y-7850277-T para el contrato', expect: ['Y-7850277-T'], why: 'NIE printed with dashes' },
  { text: 'NIF 21.679.485-F', expect: ['21.679.485-F'], why: 'DNI printed with thousands dots' },
  { text: 'DNI 21.679.485-A', expect: [], why: 'dotted, wrong control letter' },
  { text: 'CF RSSMRA85T10A562S', expect: ['RSSMRA85T10A562S'] },
  { text: 'CF RSSMRA85T10A562T', expect: [], why: 'wrong check letter' },
  { text: 'numéro de sécurité sociale 2 55 08 14 168 025 38', expect: ['2 55 08 14 168 025 38'] },
  { text: 'NIR 255081416802539', expect: [], why: 'wrong key' },
  { text: 'build 255081416802538 passed', expect: [], why: 'unspaced, no NIR context: just a long number' },
  { text: 'NIR 255081416802538', expect: ['255081416802538'] },
  { text: 'BSN 123456782', expect: ['123456782'] },
  { text: 'klantnummer 123456782', expect: [], why: 'BSN needs its name nearby' },
  { text: 'BSN 123456789', expect: [], why: 'fails the elfproef' },
  { text: 'PESEL 44051401359', expect: ['44051401359'] },
  { text: 'PESEL 44051401358', expect: [], why: 'wrong check digit' },
  { text: 'invoice 44051401359', expect: [], why: 'PESEL needs its name nearby' },
  { text: 'imie,nazwisko,pesel,miasto\nPiotr,Zielinski,44051401359,Krakow\nAnna,Nowak,02310795326,Gdansk\nJan,Kowal,85031430730,Lodz', expect: ['44051401359', '02310795326', '85031430730'], why: 'its name heads the column' },
]);

describe('national id check symbols', () => {
  it('maps the NIE prefix letter to a digit before mod 23', () => {
    assert.ok(esNifValid('Y0000000Z'));
    assert.ok(!esNifValid('X0000000Z'));
  });

  it('counts Corsican departments 2A/2B as 19/18 for the NIR key', () => {
    assert.ok(frNirValid('255082A16802597'));
    assert.ok(!frNirValid('255082A16802596'));
  });

  it('requires a real birth date inside a PESEL, not just its check digit', () => {
    assert.ok(!plPeselValid('44133101357'), 'month 13, check digit right');
    assert.ok(!plPeselValid('44043101355'), '31 April, check digit right');
  });

  it('accepts other valid examples', () => {
    assert.ok(itFiscalCodeValid('RSSMRA85T10A562S'));
    assert.ok(nlBsnValid('111222333'));
  });
});

table('pii-national-id', detector(nationalIdDetector), [
  { text: 'Aadhaar: 2345 6789 0124', expect: ['2345 6789 0124'] },
  { text: 'my aadhar no is 234567890124', expect: ['234567890124'] },
  { text: 'Aadhaar 2345 6789 0125', expect: [], why: 'fails the Verhoeff check' },
  { text: 'order 2345 6789 0124 shipped', expect: [], why: 'twelve digits without the name' },
  { text: 'PAN card ABCPE1234F', expect: ['ABCPE1234F'] },
  { text: 'PAN ABCQE1234F', expect: [], why: 'Q is not a holder type' },
  { text: 'TFN 123 456 782', expect: ['123 456 782'] },
  { text: 'TFN 123 456 789', expect: [], why: 'wrong check digit' },
  { text: 'invoice 123 456 782', expect: [], why: 'a TFN needs its name' },
  { text: 'CPF 390.533.447-05', expect: ['390.533.447-05'] },
  { text: 'segue o documento 390.533.447-05 em anexo', expect: ['390.533.447-05'], why: 'the printed CPF shape stands alone' },
  { text: 'CPF 390.533.447-06', expect: [], why: 'wrong check digits' },
  { text: 'ref 39053344705', expect: [], why: 'bare eleven digits need the name' },
  { text: '주민등록번호: 971013-9019902', expect: ['971013-9019902'] },
  { text: 'RRN 971013-9019903', expect: [], why: 'wrong check digit' },
  { text: '身份证号 11010519491231002X', expect: ['11010519491231002X'] },
  { text: 'ID 11010519491231002Y', expect: [], why: 'not a check character' },
  { text: 'ID 110105194913310021', expect: [], why: 'month 13' },
  { text: 'SIN 424 743 466', expect: ['424 743 466'] },
  { text: 'SIN 424 743 467', expect: [], why: 'fails Luhn' },
  { text: 'tracking 424 743 466', expect: [], why: 'a SIN needs its name' },
  { text: 'henkilötunnus 131052-308T', expect: ['131052-308T'] },
  { text: 'HETU 131052-308U', expect: [], why: 'wrong check character' },
  { text: 'Steuer-ID: 36 574 261 809', expect: ['36 574 261 809'] },
  { text: 'Steuer-ID 36 574 261 808', expect: [], why: 'wrong check digit' },
  { text: 'CURP BOXW310820HNERXN09', expect: ['BOXW310820HNERXN09'] },
  { text: 'CURP BOXW310820HNERXN08', expect: [], why: 'wrong check digit' },
  { text: 'NHS number 943 476 5919', expect: ['943 476 5919'] },
  { text: 'NHS no. 943 476 5918', expect: [], why: 'fails the mod-11 check' },
  { text: 'call 943 476 5919', expect: [], why: 'a phone number shape without the NHS name' },
  { text: 'NRIC S1234567D', expect: ['S1234567D'] },
  { text: 'FIN G1234567X', expect: ['G1234567X'] },
  { text: 'NRIC S1234567A', expect: [], why: 'wrong check letter' },
  { text: 'name,nhs_number,ward\nAda Byron,9434765919,Elm\nBob Stone,4010232137,Oak', expect: ['9434765919', '4010232137'], why: 'its name heads the column' },
]);

describe('NHS and NRIC check symbols', () => {
  it('rejects an NHS number whose check would be 10', () => {
    // 1000000010: weights give a remainder of 1, so the check would be 10, which is never issued.
    assert.ok(!gbNhsValid('1000000010'));
    assert.ok(gbNhsValid('9434765919'));
  });
  it('adds 4 for the T and G series', () => {
    assert.ok(sgNricValid('T1234567J'));
    assert.ok(!sgNricValid('T1234567D'));
  });
});
