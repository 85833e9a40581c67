/**
 * Check-digit algorithms the recognizers confirm candidates with. Each takes the bare symbols
 * (separators already removed) and never throws on odd input: a wrong character is a failed check.
 */
import { crc32 } from 'node:zlib';

/** ISO/IEC 7812-1 Annex B (the Luhn formula): doubling every second digit from the right. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * ISO 7064 MOD 97-10 over an alphanumeric string, letters counted as A=10 … Z=35 (the conversion
 * ISO 13616-1 §7.1 prescribes for IBANs). Computed piecewise so no big integers are needed.
 */
export function mod97(symbols: string): number {
  let rest = 0;
  for (let i = 0; i < symbols.length; i++) {
    const c = symbols.charCodeAt(i);
    if (c >= 48 && c <= 57) rest = (rest * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rest = (rest * 100 + (c - 55)) % 97;
    else return -1;
  }
  return rest;
}

/** Weighted digit sum modulo `m`, for the many national ids defined that way. */
export function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return sum;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of a non-negative integer, left-padded with '0' to `width`. */
export function base62(n: number, width: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}

/**
 * The 6-character checksum GitHub ("Behind GitHub's new authentication token formats", 2021) and
 * npm (same scheme, `npm_` tokens) append to the 30 random characters: CRC32 of the random part,
 * base62-encoded and zero-padded.
 */
export function crc32Base62(body: string): string {
  return base62(crc32(body) >>> 0, 6);
}
