/**
 * Check-digit rules of European national identifiers. Each validator takes the identifier without
 * separators, in upper case, and answers whether its structure and check symbol are right.
 */
import { mod97, weightedSum } from './checksums.ts';

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spain, DNI and NIE (Real Decreto 1553/2005; Orden INT/2058/2008): number mod 23 picks the letter. */
export function esNifValid(id: string): boolean {
  const m = /^([XYZ]\d{7}|\d{8})([A-Z])$/.exec(id);
  if (!m) return false;
  const number = Number(m[1]!.replace(/^[XYZ]/, (c) => String('XYZ'.indexOf(c))));
  return DNI_LETTERS[number % 23] === m[2];
}

const CF_ODD: Readonly<Record<string, number>> = Object.fromEntries(
  '0123456789'.split('').map((d, i) => [d, [1, 0, 5, 7, 9, 13, 15, 17, 19, 21][i]!]).concat(
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c, i) => [c, [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23][i]!]),
  ),
);
const CF_SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** Italy, codice fiscale (DM 23/12/1976): odd/even position tables, sum mod 26 is the check letter. */
export function itFiscalCodeValid(id: string): boolean {
  if (!CF_SHAPE.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = id[i]!;
    // Positions are 1-based in the decree: index 0 is an "odd" position.
    sum += i % 2 === 0 ? CF_ODD[c]! : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26)) === id[15];
}

/**
 * France, NIR (numéro d'inscription au répertoire, INSEE): sex, year, month, département, commune,
 * order, then a key equal to 97 - (first 13 digits mod 97); Corsica's 2A and 2B count as 19 and 18.
 */
export function frNirValid(id: string): boolean {
  const m = /^([1278])(\d{2})(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$/.exec(id);
  if (!m) return false;
  const body = id.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const key = Number(m[7]);
  return key >= 1 && key <= 97 && 97 - mod97(body) === key;
}

/** Netherlands, BSN (Wet algemene bepalingen BSN): the "elfproef", weights 9..2 and -1, sum mod 11 = 0. */
export function nlBsnValid(id: string): boolean {
  if (!/^\d{9}$/.test(id) || id === '000000000') return false;
  const sum = weightedSum(id, [9, 8, 7, 6, 5, 4, 3, 2, -1]);
  return sum % 11 === 0;
}

/** Poland, PESEL (Ustawa o ewidencji ludności): weights 1-3-7-9, check digit, and a real birth date. */
export function plPeselValid(id: string): boolean {
  if (!/^\d{11}$/.test(id)) return false;
  const check = (10 - (weightedSum(id, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10;
  if (check !== Number(id[10])) return false;
  // The month carries the century: +80 for 1800s, +0 for 1900s, +20 for 2000s, +40, +60.
  const mm = Number(id.slice(2, 4));
  const month = mm % 20;
  const century = [1900, 2000, 2100, 2200, 1800][Math.floor(mm / 20)]!;
  const year = century + Number(id.slice(0, 2));
  const day = Number(id.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/*
 * The two below are written here because `stdnum` (which the non-European rules use) has no
 * validator for them.
 */

/** United Kingdom, NHS number (NHS Data Dictionary): weights 10..2, check = 11 − sum mod 11 (11 → 0, 10 never issued). */
export function gbNhsValid(id: string): boolean {
  if (!/^\d{10}$/.test(id)) return false;
  const check = 11 - (weightedSum(id, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === id.charCodeAt(9) - 48;
}

/**
 * Singapore, NRIC and FIN of the S, T, F and G series (ICA): weights 2,7,6,5,4,3,2, plus 4 for
 * the T and G series; the remainder mod 11 picks the letter from the series' table.
 */
export function sgNricValid(id: string): boolean {
  const m = /^([STFG])(\d{7})([A-Z])$/.exec(id);
  if (!m) return false;
  const sum = (m[1] === 'T' || m[1] === 'G' ? 4 : 0) + weightedSum(m[2]!, [2, 7, 6, 5, 4, 3, 2]);
  const table = m[1] === 'S' || m[1] === 'T' ? 'JZIHGFEDCBA' : 'XWUTRQPNMLK';
  return table[sum % 11] === m[3];
}
