/**
 * Valid PII values for the DLP corpus, built from the published rules (not from the detectors'
 * code, so the corpus checks the detectors rather than echoing them): Luhn cards in real issuer
 * ranges, MOD 97 IBANs, SSA-valid SSNs, HMRC-valid NINOs, national ids with their check symbols,
 * and telephone numbers that libphonenumber-js (full metadata) accepts as valid.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { DIGITS, HEX, UPPER, type Rng } from './random.ts';

export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Mia', 'Lucas', 'Harper', 'Mateo', 'Aisha',
  'Arjun', 'Chen', 'Yuki', 'Fatima', 'Kwame', 'Ingrid', 'Lars', 'Sofia', 'Giulia', 'Pierre', 'Camille', 'Jürgen', 'Anna',
  'Diego', 'Lucía', 'Priya', 'Rahul', 'Wei', 'Mei', 'Hannah', 'Tomasz', 'Agnieszka', 'Sean', 'Siobhan', 'Kofi', 'Nadia',
  'Omar', 'Leila', 'Daniel', 'Grace', 'Marcus', 'Elena', 'Victor', 'Zoe', 'Isaac', 'Ruth', 'Samuel',
];
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Martinez', 'Brown', 'Okafor', 'Nguyen', 'Kim', 'Patel', 'Singh', 'Müller', 'Schmidt',
  'Rossi', 'Bianchi', 'Dubois', 'Lefebvre', 'Kowalski', 'Nowak', 'Andersson', 'Johansson', "O'Brien", 'Murphy', 'Tanaka',
  'Sato', 'Haddad', 'Mensah', 'Fernandes', 'Silva', 'Cohen', 'Levi', 'Walker', 'Hughes', 'Reyes', 'Ivanova', 'Petrov',
  'Van der Berg', 'Jansen', 'De Vries', 'Novak', 'Horvat', 'Costa', 'Moreau', 'Fischer', 'Weber', 'Wright', 'Clarke',
];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.co.uk', 'proton.me', 'acme-corp.com', 'northwind.io', 'contoso.org', 'globex.net', 'initech.co', 'umbrella-health.de', 'fabrikam.fr', 'example-bank.es', 'hooli.xyz', 'mail.stark.industries', 'uni-bonn.de', 'cs.ox.ac.uk'];

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();

export function personName(r: Rng): string {
  return `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
}

export function email(r: Rng, name = personName(r)): string {
  const [first, ...rest] = name.split(' ');
  const f = ascii(first!);
  const l = ascii(rest.join(''));
  const local = r.pick([`${f}.${l}`, `${f[0]}${l}`, `${f}_${l}${r.int(1, 99)}`, `${f}${r.int(1970, 2005)}`, `${f}+${r.pick(['news', 'work', 'shop'])}`, `${l}.${f[0]}`, `${f}-${l}`]);
  return `${local}@${r.pick(DOMAINS)}`;
}

// ---- telephone numbers: national significant numbers by region, kept only when valid.

const US_AREAS = ['201', '202', '206', '212', '213', '214', '305', '312', '404', '415', '503', '512', '602', '617', '646', '702', '718', '720', '808', '917'];
const NSN: Record<string, (r: Rng) => string> = {
  US: (r) => `${r.pick(US_AREAS)}${r.int(2, 9)}${r.digits(2)}${r.digits(4)}`,
  GB: (r) => r.pick([`7${r.int(4, 9)}${r.digits(8)}`, `20${r.pick(['3', '7', '8'])}${r.digits(7)}`, `161${r.int(2, 9)}${r.digits(6)}`]),
  DE: (r) => r.pick([`15${r.pick(['1', '2', '7'])}${r.digits(8)}`, `17${r.int(0, 9)}${r.digits(7)}`, `30${r.int(2, 9)}${r.digits(7)}`, `89${r.int(2, 9)}${r.digits(6)}`]),
  FR: (r) => `${r.pick(['6', '7', '1', '4'])}${r.digits(8)}`,
  ES: (r) => `${r.pick(['6', '9'])}${r.digits(8)}`,
  IT: (r) => `3${r.int(2, 9)}${r.digits(8)}`,
  IN: (r) => `${r.int(7, 9)}${r.digits(9)}`,
  AU: (r) => `4${r.digits(8)}`,
  NL: (r) => `6${r.int(1, 5)}${r.digits(7)}`,
  BR: (r) => `11${r.int(9, 9)}${r.int(6, 9)}${r.digits(7)}`,
};

export interface Phone {
  readonly international: string;
  readonly national: string;
  readonly region: string;
}

export function phone(r: Rng, region = r.pick(['US', 'US', 'US', 'GB', 'DE', 'FR', 'ES', 'IT', 'IN', 'AU', 'NL', 'BR'])): Phone {
  for (;;) {
    const n = parsePhoneNumberFromString(NSN[region]!(r), region as CountryCode);
    if (n?.isValid()) return { international: n.formatInternational(), national: n.formatNational(), region };
  }
}

/** A US number in one of the ways people write them. */
export function usPhone(r: Rng): string {
  const d = phone(r, 'US').international.replace(/\D/g, '').slice(1);
  const [a, b, c] = [d.slice(0, 3), d.slice(3, 6), d.slice(6)];
  return r.pick([`(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `${a}.${b}.${c}`, `+1 ${a} ${b} ${c}`, `+1-${a}-${b}-${c}`, `+1${a}${b}${c}`, `+1 (${a}) ${b}-${c}`, `${a} ${b} ${c}`]);
}

// ---- payment cards (ISO/IEC 7812): issuer prefix + random digits + Luhn check digit.

function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function luhnValid(digits: string): boolean {
  return luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

export function cardNumber(r: Rng): { digits: string; brand: string } {
  const brands: [string, string, number][] = [
    ['Visa', '4', 16], ['Visa', '4', 16], ['Visa', '4', 13], ['Mastercard', String(r.int(51, 55)), 16], ['Mastercard', String(r.int(2221, 2720)), 16],
    ['Amex', r.pick(['34', '37']), 15], ['Discover', r.pick(['6011', '65', String(r.int(644, 649))]), 16], ['JCB', String(r.int(3528, 3589)), 16],
    ['Diners', r.pick(['36', '300', '305', '38']), 14], ['UnionPay', '62', r.pick([16, 19])], ['Maestro', r.pick(['6759', '5018', '6304']), r.pick([12, 16, 19])],
  ];
  const [brand, prefix, length] = r.pick(brands);
  const partial = prefix + r.digits(length - prefix.length - 1);
  return { digits: partial + luhnCheckDigit(partial), brand };
}

/** Formats a card number the way it is printed or typed. */
export function formatCard(r: Rng, digits: string, style = r.pick(['space', 'space', 'dash', 'plain', 'plain', 'newline'])): string {
  const groups = digits.length === 15 ? [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10)] : digits.match(/.{1,4}/g)!;
  if (style === 'plain') return digits;
  if (style === 'dash') return groups.join('-');
  if (style === 'newline') return `${groups.slice(0, 2).join(' ')}\n${groups.slice(2).join(' ')}`;
  return groups.join(' ');
}

/** A digit string of card length that fails the Luhn check (hard negative). */
export function nonLuhnDigits(r: Rng, length = r.int(13, 19)): string {
  for (;;) {
    const d = String(r.int(1, 9)) + r.digits(length - 1);
    if (!luhnValid(d)) return d;
  }
}

// ---- IBAN (ISO 13616): BBAN by country, check digits 98 - (BBAN + country + "00") mod 97.

function mod97(s: string): number {
  let rest = 0;
  for (const ch of s) rest = (rest * (/\d/.test(ch) ? 10 : 100) + (/\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55)) % 97;
  return rest;
}

const BBAN: Record<string, (r: Rng) => string> = {
  DE: (r) => r.digits(18),
  GB: (r) => r.chars(UPPER, 4) + r.digits(14),
  FR: (r) => r.digits(10) + r.chars(DIGITS + UPPER, 11) + r.digits(2),
  ES: (r) => r.digits(20),
  IT: (r) => r.chars(UPPER, 1) + r.digits(10) + r.chars(DIGITS + UPPER, 12),
  NL: (r) => r.chars(UPPER, 4) + r.digits(10),
  BE: (r) => r.digits(12),
  CH: (r) => r.digits(5) + r.chars(DIGITS + UPPER, 12),
  AT: (r) => r.digits(16),
  PL: (r) => r.digits(24),
  SE: (r) => r.digits(20),
  NO: (r) => r.digits(11),
  IE: (r) => r.chars(UPPER, 4) + r.digits(14),
  PT: (r) => r.digits(21),
};

export function iban(r: Rng, country = r.pick(Object.keys(BBAN))): string {
  const bban = BBAN[country]!(r);
  const check = 98 - mod97(bban + country + '00');
  return country + String(check).padStart(2, '0') + bban;
}

export function formatIban(r: Rng, value: string): string {
  return r.chance(0.65) ? value.match(/.{1,4}/g)!.join(' ') : value;
}

/** Same shape, wrong check digits (hard negative). */
export function badIban(r: Rng): string {
  const good = iban(r);
  const check = (Number(good.slice(2, 4)) + r.int(1, 50)) % 97;
  return good.slice(0, 2) + String(Math.max(check, 2)).padStart(2, '0') + good.slice(4);
}

// ---- national ids.

export function ssn(r: Rng): string {
  let area: number;
  do area = r.int(1, 899);
  while (area === 666);
  return `${String(area).padStart(3, '0')}-${String(r.int(1, 99)).padStart(2, '0')}-${String(r.int(1, 9999)).padStart(4, '0')}`;
}

/** SSN-shaped but never assigned by the SSA: area 000/666/9xx, group 00 or serial 0000. */
export function invalidSsn(r: Rng): string {
  return r.pick([`000-${r.digits(2)}-${r.digits(4)}`, `666-${r.int(10, 99)}-${r.int(1000, 9999)}`, `9${r.digits(2)}-${r.int(10, 99)}-${r.int(1000, 9999)}`, `${r.int(100, 665)}-00-${r.int(1000, 9999)}`, `${r.int(100, 665)}-${r.int(10, 99)}-0000`]);
}

export function nino(r: Rng): string {
  const first = 'ABCEGHJKLMNOPRSTWXYZ';
  const second = 'ABCEGHJKLMNPRSTWXYZ';
  let prefix: string;
  do prefix = r.pick([...first]) + r.pick([...second]);
  while (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(prefix));
  const d = r.digits(6);
  const suffix = r.pick(['A', 'B', 'C', 'D']);
  return r.chance(0.5) ? `${prefix}${d}${suffix}` : `${prefix} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suffix}`;
}

export function esDni(r: Rng): string {
  const letters = 'TRWAGMYFPDXBNJZSQVHLCKE';
  if (r.chance(0.3)) {
    const p = r.pick(['X', 'Y', 'Z']);
    const d = r.digits(7);
    return `${p}${d}${letters[Number('XYZ'.indexOf(p) + d) % 23]}`;
  }
  const n = r.int(10_000_000, 99_999_999);
  return `${n}${r.chance(0.3) ? '-' : ''}${letters[n % 23]}`;
}

const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
export function itFiscalCode(r: Rng): string {
  const body = r.chars(UPPER.replace(/[AEIOU]/g, ''), 6) + r.digits(2) + r.pick([...'ABCDEHLMPRST']) + String(r.chance(0.5) ? r.int(1, 28) : r.int(41, 68)).padStart(2, '0') + r.pick([...'ABCDEFGHILM']) + r.digits(3);
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = body[i]!;
    const v = /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
    sum += i % 2 === 0 ? CF_ODD[v]! : v;
  }
  return body + String.fromCharCode(65 + (sum % 26));
}

export function frNir(r: Rng): string {
  const dept = String(r.int(1, 95)).padStart(2, '0');
  const body = `${r.int(1, 2)}${r.digits(2)}${String(r.int(1, 12)).padStart(2, '0')}${dept}${r.digits(3)}${r.digits(3)}`;
  const key = String(97 - (Number(BigInt(body) % 97n))).padStart(2, '0');
  return r.chance(0.6) ? `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10)} ${key}` : body + key;
}

export function nlBsn(r: Rng): string {
  for (;;) {
    const d = r.digits(8);
    const partial = [...d].reduce((s, c, i) => s + Number(c) * (9 - i), 0);
    const last = partial % 11;
    if (last <= 9 && d[0] !== '0') return d + String(last);
  }
}

export function plPesel(r: Rng): string {
  const year = r.int(1940, 2015);
  const month = r.int(1, 12) + (year >= 2000 ? 20 : 0);
  const day = r.int(1, 28);
  const body = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${r.digits(4)}`;
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i]!, 0);
  return body + String((10 - (sum % 10)) % 10);
}

// ---- network and dates.

export function publicIpv4(r: Rng): string {
  for (;;) {
    const o = [r.int(1, 223), r.int(0, 255), r.int(0, 255), r.int(1, 254)];
    if ([10, 127, 100, 169, 172, 192, 198, 203].includes(o[0]!)) continue;
    return o.join('.');
  }
}

export function privateIpv4(r: Rng): string {
  return r.pick([`10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`, `192.168.${r.int(0, 255)}.${r.int(1, 254)}`, `172.${r.int(16, 31)}.${r.int(0, 255)}.${r.int(1, 254)}`]);
}

export function ipv6(r: Rng): string {
  const groups = Array.from({ length: 8 }, () => r.chars(HEX, r.int(1, 4)).replace(/^0+(?=.)/, ''));
  if (r.chance(0.5)) return `2001:db8:${groups.slice(2, 4).join(':')}::${groups[7]}`.replace('2001:db8', r.pick(['2001:db8', '2a02:8108', '2600:1f18', 'fe80']));
  return [r.pick(['2a00', '2001', '2607', '2620']), ...groups.slice(1)].join(':');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export function birthDate(r: Rng): string {
  const y = r.int(1940, 2006);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  const p = (n: number) => String(n).padStart(2, '0');
  return r.pick([`${y}-${p(m)}-${p(d)}`, `${p(d)}/${p(m)}/${y}`, `${p(m)}/${p(d)}/${y}`, `${d} ${MONTHS[m - 1]} ${y}`, `${MONTHS[m - 1]} ${d}, ${y}`, `${p(d)}.${p(m)}.${y}`, `${d} ${MONTHS[m - 1]!.slice(0, 3)} ${y}`]);
}

export function anyDate(r: Rng): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${r.int(2015, 2025)}-${p(r.int(1, 12))}-${p(r.int(1, 28))}`;
}

// ---- postal addresses.

const STREETS = ['Maple', 'Oak', 'Cedar', 'Pine', 'Elm', 'Washington', 'Lake', 'Hill', 'Park', 'Main', 'Sunset', 'Highland', 'River', 'Church', 'Mill', 'Market', 'King', 'Queen'];
const SUFFIXES = ['Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Lane', 'Drive', 'Court', 'Way', 'Place'];
const US_CITIES: [string, string, string][] = [['Springfield', 'IL', '627'], ['Austin', 'TX', '787'], ['Portland', 'OR', '972'], ['Denver', 'CO', '802'], ['Boston', 'MA', '021'], ['San Jose', 'CA', '951'], ['Columbus', 'OH', '432'], ['Raleigh', 'NC', '276'], ['Madison', 'WI', '537'], ['Tucson', 'AZ', '857']];
const UK_TOWNS: [string, string][] = [['London', 'SW1A'], ['Manchester', 'M1'], ['Leeds', 'LS6'], ['Bristol', 'BS8'], ['Edinburgh', 'EH3'], ['Cardiff', 'CF10']];
const DE_STREETS = ['Hauptstraße', 'Bahnhofstraße', 'Lindenallee', 'Gartenweg', 'Schillerstraße', 'Marktplatz', 'Goethestraße', 'Am Ring'];
const DE_CITIES: [string, string][] = [['10115', 'Berlin'], ['80331', 'München'], ['50667', 'Köln'], ['20095', 'Hamburg'], ['60311', 'Frankfurt am Main']];
const FR_STREETS = ['rue de la Paix', 'avenue Victor Hugo', 'boulevard Saint-Germain', 'rue des Lilas', 'place de la République', 'rue du Moulin'];
const FR_CITIES: [string, string][] = [['75002', 'Paris'], ['69003', 'Lyon'], ['13001', 'Marseille'], ['31000', 'Toulouse'], ['33000', 'Bordeaux']];

export function postalAddress(r: Rng): string {
  switch (r.int(0, 4)) {
    case 0:
    case 1: {
      const [city, state, zip] = r.pick(US_CITIES);
      const unit = r.chance(0.3) ? `, ${r.pick(['Apt', 'Suite', 'Unit'])} ${r.int(1, 40)}${r.pick(['', 'B'])}` : '';
      return `${r.int(1, 9899)} ${r.pick(STREETS)} ${r.pick(SUFFIXES)}${unit}, ${city}, ${state} ${zip}${r.digits(2)}`;
    }
    case 2: {
      const [town, area] = r.pick(UK_TOWNS);
      return `${r.int(1, 220)} ${r.pick(STREETS)} ${r.pick(['Road', 'Street', 'Lane', 'Close', 'Gardens'])}, ${town} ${area} ${r.int(1, 9)}${r.chars('ABDEFGHJLNPQRSTUWXYZ', 2)}`;
    }
    case 3: {
      const [zip, city] = r.pick(DE_CITIES);
      const street = r.pick(DE_STREETS.filter((s) => s !== 'Am Ring'));
      return `${street} ${r.int(1, 180)}${r.pick(['', '', 'a'])}, ${zip} ${city}`;
    }
    default: {
      const [zip, city] = r.pick(FR_CITIES);
      return `${r.int(1, 140)} ${r.pick(FR_STREETS)}, ${zip} ${city}`;
    }
  }
}


// ---- national ids outside Europe (the published check rules, written out here).

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** India, Aadhaar: 11 digits (the first 2–9) and a Verhoeff check digit. */
export function inAadhaar(r: Rng): string {
  const body = String(r.int(2, 9)) + r.digits(10);
  let c = 0;
  const rev = [...body].reverse();
  for (let i = 0; i < rev.length; i++) c = VERHOEFF_D[c]![VERHOEFF_P[(i + 1) % 8]![Number(rev[i])]!]!;
  return body + String(VERHOEFF_INV[c]);
}

/** Australia, tax file number: nine digits whose weighted sum (1,4,3,7,5,8,6,9,10) is a multiple of 11. */
export function auTfn(r: Rng): string {
  const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
  for (;;) {
    const d = r.digits(9);
    if ([...d].reduce((s, c, i) => s + Number(c) * w[i]!, 0) % 11 === 0 && d[0] !== '0') return d;
  }
}

/** Brazil, CPF: nine digits and two mod-11 check digits. */
export function brCpf(r: Rng): string {
  const d = r.digits(9);
  if (/^(\d)\1+$/.test(d)) return brCpf(r);
  const check = (s: string) => {
    const sum = [...s].reduce((a, c, i) => a + Number(c) * (s.length + 1 - i), 0);
    const x = (sum * 10) % 11;
    return String(x === 10 ? 0 : x);
  };
  const d10 = d + check(d);
  return d10 + check(d10);
}

/** South Korea, resident registration number: birth date, sex/century digit, place of birth (00–95), serial, check. */
export function krRrn(r: Rng): string {
  const year = r.int(1950, 2010);
  const body = `${String(year % 100).padStart(2, '0')}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${year >= 2000 ? r.pick(['3', '4']) : r.pick(['1', '2'])}${String(r.int(0, 95)).padStart(2, '0')}${r.digits(3)}`;
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i]!, 0);
  return `${body.slice(0, 6)}-${body.slice(6)}${(11 - (sum % 11)) % 10}`;
}

/** China, resident identity number (GB 11643): region, birth date, sequence, ISO 7064 MOD 11-2 check. */
export function cnRic(r: Rng): string {
  const body = `${r.pick(['110105', '310104', '440305', '510107', '330106', '420111'])}${r.int(1950, 2005)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${r.digits(3)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (2 ** (17 - i) % 11);
  return body + '10X98765432'[sum % 11]!;
}

/** Canada, social insurance number: eight digits (the first 1–7) and a Luhn check digit. */
export function caSin(r: Rng): string {
  const partial = String(r.int(1, 7)) + r.digits(7);
  const d = partial + luhnCheckDigit(partial);
  return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
}

/** Finland, personal identity code: date, century sign, individual number, mod-31 check character. */
export function fiHetu(r: Rng): string {
  const year = r.int(1940, 2010);
  const date = `${String(r.int(1, 28)).padStart(2, '0')}${String(r.int(1, 12)).padStart(2, '0')}${String(year % 100).padStart(2, '0')}`;
  const n = String(r.int(2, 899)).padStart(3, '0');
  return `${date}${year >= 2000 ? 'A' : '-'}${n}${'0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(date + n) % 31]}`;
}

/** United Kingdom, NHS number: nine digits and a mod-11 check digit (never 10). */
export function gbNhs(r: Rng): string {
  for (;;) {
    const d = String(r.int(4, 6)) + r.digits(8);
    const sum = [...d].reduce((s, c, i) => s + Number(c) * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    const all = d + String(check === 11 ? 0 : check);
    return `${all.slice(0, 3)} ${all.slice(3, 6)} ${all.slice(6)}`;
  }
}

/** Singapore, NRIC of the S and T series: seven digits and a check letter. */
export function sgNric(r: Rng): string {
  const series = r.pick(['S', 'T']);
  const d = r.digits(7);
  const w = [2, 7, 6, 5, 4, 3, 2];
  const sum = [...d].reduce((s, c, i) => s + Number(c) * w[i]!, series === 'T' ? 4 : 0);
  return series + d + 'JZIHGFEDCBA'[sum % 11]!;
}
