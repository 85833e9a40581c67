import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personNameDetector } from '../../../src/guard/detectors/pii-person-name.ts';
import { postalAddressDetector } from '../../../src/guard/detectors/pii-postal-address.ts';
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

table('pii-postal-address', detector(postalAddressDetector), [
  { text: 'ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500 asap', expect: ['1600 Pennsylvania Avenue NW, Washington, DC 20500'] },
  { text: 'office: 221B Baker Street, London NW1 6XE', expect: ['221B Baker Street, London NW1 6XE'] },
  { text: 'I live at 42 Oak Lane, Apt 3, Springfield, IL 62704.', expect: ['42 Oak Lane, Apt 3, Springfield, IL 62704'] },
  { text: 'Anschrift: Hauptstraße 5, 10115 Berlin', expect: ['Hauptstraße 5, 10115 Berlin'] },
  { text: 'mail it to 123 Main St, Anytown, USA 12345', expect: ['123 Main St, Anytown, USA 12345'] },
  { text: 'adresse : 12 rue de la Paix, 75002 Paris', expect: ['12 rue de la Paix, 75002 Paris'] },
  { text: 'Ship to:\nEmily Watson\n42 Elm Street, Apt 3B\nSpringfield, IL 62704\nUSA', expect: ['42 Elm Street, Apt 3B\nSpringfield, IL 62704'], why: 'city line under the street line' },
  { text: 'Adres: Keizersgracht 123, 1015 CJ Amsterdam', expect: ['Keizersgracht 123, 1015 CJ Amsterdam'], why: 'Dutch postcode' },
  { text: 'Dirección de entrega: Calle de Alcalá 45, 3º izq., 28014 Madrid', expect: ['Calle de Alcalá 45, 3º izq., 28014 Madrid'] },
  { text: 'Indirizzo: Via Roma 12, 20121 Milano MI', expect: ['Via Roma 12, 20121 Milano MI'] },
  { text: 'ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa', expect: ['ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa'] },
  { text: 'sent via Slack 2 times, see Smith et al. Nature 2020', expect: [], why: 'street-type-first words without a postcode' },
  { text: 'we sold 300 units on Main St', expect: [], why: 'no street line shape: the number is not a house number' },
  { text: 'the 3 Ways to win', expect: [] },
]);

describe('pii-postal-address scores', () => {
  it('scores a full address above a bare street line, and both below structured ids', () => {
    const detect = detector(postalAddressDetector);
    const [full] = detect('10 Maple Street, Austin, TX 78701');
    const [bare] = detect('meet at 10 Maple Street');
    assert.ok(full!.score > bare!.score);
    assert.ok(full!.score < 0.95);
  });
});

table('pii-person-name', detector(personNameDetector), [
  { text: 'Hello, my name is Amara Okafor and I need help', expect: ['Amara Okafor'] },
  { text: 'Dear Ms. Ingrid Johansson,', expect: ['Ingrid Johansson'] },
  { text: 'Dear Kofi,\nthanks for the report', expect: ['Kofi'] },
  { text: 'Patient: Jean-Luc Picard\nDOB unknown', expect: ['Jean-Luc Picard'] },
  { text: '{"name": "Sofia Garcia", "id": 7}', expect: ['Sofia Garcia'] },
  { text: 'Best regards,\nMaria van der Berg\n', expect: ['Maria van der Berg'] },
  { text: 'Dr. Watson will see you', expect: ['Watson'] },
  { text: 'Customer: Jane Doe', expect: ['Jane Doe'], why: 'a capitalized label (V8 missed it in a case-insensitive group)' },
  { text: 'From: Kevin O’Brien <kevin@uni-hamburg.de>', expect: ['Kevin O’Brien'], why: 'apostrophe after a one-letter prefix' },
  { text: '| Field | Value |\n|---|---|\n| Holder | Hiroshi Tanaka |', expect: ['Hiroshi Tanaka'], why: 'a markdown key-value row' },
  { text: '{"firstName":"Emma","lastName":"Wilson"}', expect: ['Emma', 'Wilson'], why: 'name part fields' },
  { text: 'Hi, I was charged twice.\nThanks, Daniel Okafor', expect: ['Daniel Okafor'], why: 'sign-off and name on one line' },
  { text: 'Ship to:\nEmily Watson\n42 Elm Street', expect: ['Emily Watson'] },
  { text: 'Pani Zofia Wiśniewska złożyła wniosek', expect: ['Zofia Wiśniewska'], why: 'Polish title' },
  { text: 'intestato alla Sig.ra Giulia Ferrari', expect: ['Giulia Ferrari'], why: 'Italian title' },
  { text: 'a Sig Sauer P226 and an ING account', expect: [], why: 'title abbreviations count only with their dot' },
  { text: 'Gentile Chiara Esposito,\nla sua pratica', expect: ['Chiara Esposito'], why: 'Italian salutation' },
  { text: 'order_id,customer,amount\n10442,Lucía Fernández,129.90\n10443,Tom Becker,15.00', expect: ['Lucía Fernández', 'Tom Becker'], why: 'cells under a header naming a person' },
  { text: 'cognome,nome,cf\nConti,Elena,X', expect: ['Conti', 'Elena'], why: 'name part columns hold single words' },
  { text: 'id,product_name,price\n1,Blue Widget,3.00', expect: [], why: 'a product column' },
  { text: 'Kind regards\nProperty Management', expect: [], why: 'a department signs' },
  { text: 'Dear Team,\nthe build is red', expect: [], why: 'a group, not a person' },
  { text: 'Hi all, call me at 5', expect: [] },
  { text: 'I am Happy to help', expect: [] },
  { text: 'my name is not important', expect: [], why: 'lower case words are not names' },
]);
