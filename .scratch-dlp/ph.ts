import { findPhoneNumbersInText, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import * as min from 'libphonenumber-js/min';
const t = 'Call me at (415) 555-2671 or +44 20 7946 0958, version 1.2.3.4, date 2024-01-15, id 123456789, +1-202-555-0147, (555) 123-4567, 555.867.5309 and 06 12 34 56 78';
console.log(findPhoneNumbersInText(t, { defaultCountry: 'US', v2: true }).map(x => [x.startsAt, x.endsAt, x.number.number, x.number.isValid()]));
console.log(min.findPhoneNumbersInText(t, { defaultCountry: 'US', v2: true }).map(x => [x.startsAt, x.endsAt, x.number.number, x.number.isValid()]));
for (const s of ['(555) 123-4567','+1-202-555-0147','(415) 555-2671','2024-01-15','06 12 34 56 78','+33 6 12 34 56 78', '4155552671', '+49 30 901820', '+91 98765 43210', '020 7946 0958']) {
  const p = parsePhoneNumberFromString(s, 'US'); const q = parsePhoneNumberFromString(s, 'GB');
  console.log(s, p?.number, p?.isValid(), p?.isPossible(), q?.number, q?.isValid());
}
const big = (t + ' lorem ipsum dolor sit amet ').repeat(10).slice(0, 2048);
let t0 = performance.now(); for (let i = 0; i < 1000; i++) findPhoneNumbersInText(big, { defaultCountry: 'US', v2: true }); console.log('find 2KB us', (performance.now()-t0)/1000, 'ms');
t0 = performance.now(); for (let i = 0; i < 20000; i++) parsePhoneNumberFromString('(415) 555-2671', 'US')?.isValid(); console.log('parse', (performance.now()-t0)/20000, 'ms');
