/**
 * Value generators for the independent DLP set (scripts/make-dlp-independent.ts): a seeded random
 * source, checksummed PII (Luhn, ISO 13616 mod 97, national check symbols) and secrets in their
 * providers' formats. Written from the public specifications, not from the detectors.
 */
import { crc32 } from 'node:zlib';

// ---- deterministic randomness ------------------------------------------------------------------

const SEED = 0x5eed_1d1d;
let seed = SEED;
/** Restarts the random sequence, so that every build of the set draws the same values. */
export function reseed(): void {
  seed = SEED;
}
export function rnd(): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
export const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
export const from = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
export const DIGITS = '0123456789';
export const HEX = '0123456789abcdef';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz${DIGITS}`;
export const B64URL = `${ALNUM}-_`;
export const B64 = `${ALNUM}+/`;
export const digits = (n: number) => from(DIGITS, n);
export const hex = (n: number) => from(HEX, n);
export const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));

/** Splits s into groups of the given sizes (the last size repeats) joined by sep. */
export function group(s: string, sizes: readonly number[], sep: string): string {
  const out: string[] = [];
  let i = 0;
  for (let k = 0; i < s.length; k++) {
    const n = sizes[Math.min(k, sizes.length - 1)]!;
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out.join(sep);
}

// ---- checksummed PII values -------------------------------------------------------------------

export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
export function card(prefix: string, length: number): string {
  const body = prefix + digits(length - prefix.length - 1);
  return body + luhnDigit(body);
}
/** The same number with a check digit that fails Luhn. */
export function breakLast(s: string): string {
  return s.slice(0, -1) + String((Number(s.at(-1)) + 3) % 10);
}

export function mod97(s: string): number {
  let r = 0;
  for (const ch of s.toUpperCase()) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) r = (r * 10 + Number(d)) % 97;
  }
  return r;
}
export const CIN_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
/** Check letter of the Italian codice fiscale (same scheme as the CIN of Italian accounts). */
export function italianCheck(s: string): string {
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const v = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 65;
    sum += i % 2 === 0 ? CIN_ODD[v]! : v;
  }
  return String.fromCharCode(65 + (sum % 26));
}
export function spanishControl(s: string): string {
  const w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
  const r = 11 - ([...s].reduce((a, d, i) => a + Number(d) * w[i]!, 0) % 11);
  return String(r === 11 ? 0 : r === 10 ? 1 : r);
}
export const BBAN: Record<string, () => string> = {
  DE: () => digits(18),
  GB: () => pick(['NWBK', 'BARC', 'HBUK', 'LOYD', 'MIDL']) + digits(14),
  FR: () => {
    const bank = digits(5);
    const branch = digits(5);
    const account = digits(11);
    const key = 97 - ((89 * (Number(bank) % 97) + 15 * (Number(branch) % 97) + 3 * (Number(account) % 97)) % 97);
    return bank + branch + account + pad(key, 2);
  },
  ES: () => {
    const bank = digits(4);
    const branch = digits(4);
    const account = digits(10);
    return bank + branch + spanishControl(`00${bank}${branch}`) + spanishControl(account) + account;
  },
  NL: () => pick(['ABNA', 'RABO', 'INGB', 'SNSB', 'TRIO']) + digits(10),
  IT: () => {
    const rest = digits(5) + digits(5) + digits(12);
    return italianCheck(rest) + rest;
  },
  BE: () => {
    const n = digits(10);
    return n + pad(Number(n) % 97 || 97, 2);
  },
  PL: () => digits(24),
  CH: () => digits(17),
  AT: () => digits(16),
  IE: () => pick(['AIBK', 'BOFI']) + digits(14),
};
export function iban(cc: string): string {
  const bban = BBAN[cc]!();
  return cc + pad(98 - mod97(`${bban}${cc}00`), 2) + bban;
}
export const iban4 = (cc: string) => group(iban(cc), [4], ' ');
export function badIban(cc: string): string {
  const good = iban(cc);
  const check = (Number(good.slice(2, 4)) + 7) % 100;
  return good.slice(0, 2) + pad(check, 2) + good.slice(4);
}

export const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
export function dni(): string {
  const n = pad(int(1_000_000, 99_999_999), 8);
  return n + NIF_LETTERS[Number(n) % 23];
}
export function nie(): string {
  const p = pick(['X', 'Y', 'Z']);
  const n = digits(7);
  return p + n + NIF_LETTERS[Number(String('XYZ'.indexOf(p)) + n) % 23];
}
export function badDni(): string {
  const good = dni();
  const i = NIF_LETTERS.indexOf(good.at(-1)!);
  return good.slice(0, -1) + NIF_LETTERS[(i + 5) % 23];
}

export function nir(dept = pick(['75', '69', '13', '59', '33', '31', '44', '2A', '2B'])): string {
  const body = `${pick(['1', '2'])}${pad(int(40, 99), 2)}${pad(int(1, 12), 2)}${dept}${pad(int(1, 899), 3)}${pad(int(1, 999), 3)}`;
  const numeric = body.replace('2A', '19').replace('2B', '18');
  return body + pad(Number(97n - (BigInt(numeric) % 97n)), 2);
}
export const nirSpaced = (n: string) => [n.slice(0, 1), n.slice(1, 3), n.slice(3, 5), n.slice(5, 7), n.slice(7, 10), n.slice(10, 13), n.slice(13)].join(' ');

export function bsn(): string {
  for (;;) {
    const b = String(int(1, 6)) + digits(7);
    const s = [...b].reduce((a, d, i) => a + Number(d) * (9 - i), 0);
    const last = s % 11;
    if (last < 10) return b + String(last);
  }
}

export function pesel(year: number, month: number, day: number, female: boolean): string {
  const mm = month + (year >= 2000 ? 20 : 0);
  const serial = digits(3) + String(int(0, 4) * 2 + (female ? 0 : 1));
  const body = `${pad(year % 100, 2)}${pad(mm, 2)}${pad(day, 2)}${serial}`;
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  const sum = [...body].reduce((a, d, i) => a + Number(d) * w[i]!, 0);
  return body + String((10 - (sum % 10)) % 10);
}

export function cfPart(word: string, isName: boolean): string {
  const w = word.toUpperCase().replace(/[^A-Z]/g, '');
  const cons = [...w].filter((c) => !'AEIOU'.includes(c));
  const vow = [...w].filter((c) => 'AEIOU'.includes(c));
  if (isName && cons.length >= 4) return cons[0]! + cons[2]! + cons[3]!;
  return [...cons, ...vow, 'X', 'X', 'X'].slice(0, 3).join('');
}
export function codiceFiscale(surname: string, name: string, year: number, month: number, day: number, female: boolean, place: string): string {
  const body = `${cfPart(surname, false)}${cfPart(name, true)}${pad(year % 100, 2)}${'ABCDEHLMPRST'[month - 1]}${pad(day + (female ? 40 : 0), 2)}${place}`;
  return body + italianCheck(body);
}

export function nino(): string {
  const first = 'ABCEGHJKLMNOPRSTWXYZ';
  const second = 'ABCEGHJKLMNPRSTWXYZ';
  for (;;) {
    const p = pick([...first]) + pick([...second]);
    if (!['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(p)) return p + digits(6) + pick(['A', 'B', 'C', 'D']);
  }
}
export const ninoSpaced = (n: string) => `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)} ${n.slice(8)}`;

export function ssn(): string {
  let area = int(1, 899);
  if (area === 666) area = 667;
  return `${pad(area, 3)}-${pad(int(1, 99), 2)}-${pad(int(1, 9999), 4)}`;
}

// ---- secrets in real formats ------------------------------------------------------------------

export const BASE62 = `${DIGITS}${UPPER}abcdefghijklmnopqrstuvwxyz`;
/** GitHub / npm style token: 30 random characters then a base62 CRC32 of them. */
export function checksummedToken(prefix: string): string {
  const body = from(ALNUM, 30);
  let n = crc32(body);
  let enc = '';
  while (n > 0) {
    enc = BASE62[n % 62] + enc;
    n = Math.floor(n / 62);
  }
  return prefix + body + enc.padStart(6, '0');
}
export const openaiProject = () => `sk-proj-${from(B64URL, 74)}T3BlbkFJ${from(B64URL, 74)}`;
export const openaiLegacy = () => `sk-${from(ALNUM, 20)}T3BlbkFJ${from(ALNUM, 20)}`;
export const openaiSvc = () => `sk-svcacct-${from(B64URL, 74)}T3BlbkFJ${from(B64URL, 74)}`;
export const anthropic = (kind = 'api03') => `sk-ant-${kind}-${from(B64URL, 93)}AA`;
export const AWS_B32 = `${UPPER}234567`;
export const awsAccess = (prefix = 'AKIA') => prefix + from(AWS_B32, 16);
export const awsSecret = () => from(B64, 40);
export const gcpKey = () => `AIza${from(B64URL, 35)}`;
export const gocspx = () => `GOCSPX-${from(B64URL, 28)}`;
export const azureClientSecret = () => `${from(ALNUM, 3)}8Q~${from(`${ALNUM}_~.-`, 34)}`;
export const githubPat = () => `github_pat_11${from(UPPER + DIGITS, 20)}_${from(ALNUM, 59)}`;
export const glpat = () => `glpat-${from(B64URL, 20)}`;
export function jwt(payload: object, alg = 'HS256'): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sig = bytes(alg === 'RS256' ? 256 : 32).toString('base64url');
  return `${enc({ alg, typ: 'JWT' })}.${enc(payload)}.${sig}`;
}
export function pem(label: string, prefix: string, nBytes: number, eol = '\n'): string {
  const b64 = prefix + bytes(nBytes).toString('base64');
  return `-----BEGIN ${label}-----${eol}${group(b64, [64], eol)}${eol}-----END ${label}-----`;
}
export const pypi = () => `pypi-AgEIcHlwaS5vcmcCJD${from(B64URL, 14)}-${from(B64URL, 4)}-${from(B64URL, 4)}-${from(B64URL, 12)}AAIqWzMsImV4${from(B64URL, 100)}`;
export const sendgrid = () => `SG.${from(B64URL, 22)}.${from(B64URL, 43)}`;
export const slackBot = () => `xoxb-${digits(12)}-${digits(13)}-${from(ALNUM, 24)}`;
export const slackUser = () => `xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${hex(32)}`;
export const slackApp = () => `xapp-1-A${from(UPPER + DIGITS, 10)}-${digits(13)}-${hex(64)}`;
export const slackHook = () => `https://hooks.slack.com/services/T${from(UPPER + DIGITS, 8)}/B${from(UPPER + DIGITS, 10)}/${from(ALNUM, 24)}`;
export const stripe = (kind: string) => `${kind}_${from(ALNUM, 99)}`;
export const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
