import { randomFillSync } from 'node:crypto';

/** Time-ordered, URL-safe id: 10 chars of millisecond time + 16 random chars (base32). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

const RANDOM_CHARS = 16;
/**
 * Random bytes for 256 ids, drawn from the CSPRNG in one call: `randomBytes(16)` per id cost
 * about 4 % of a request's CPU (docs/benchmarks.md). Each byte is used once.
 */
const pool = Buffer.alloc(RANDOM_CHARS * 256);
let poolOffset = pool.length;

/** 32^9 … 32^0: dividing by a power of two is exact, so each digit is exact below 2^53. */
const TIME_PLACES = Array.from({ length: 10 }, (_, i) => 32 ** (9 - i));
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Character codes of the id being built; the time digits are kept while the millisecond lasts. */
const codes: number[] = new Array<number>(TIME_PLACES.length + RANDOM_CHARS).fill(0);
let codesTime = Number.NaN;

export function newId(prefix?: string, now: number = Date.now()): string {
  if (poolOffset + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  if (now !== codesTime) {
    for (let i = 0; i < TIME_PLACES.length; i++) codes[i] = CODES[Math.floor(now / TIME_PLACES[i]!) % 32]!;
    codesTime = now;
  }
  for (let i = 0; i < RANDOM_CHARS; i++) codes[TIME_PLACES.length + i] = CODES[pool[poolOffset + i]! & 31]!;
  poolOffset += RANDOM_CHARS;
  // One string from the codes instead of 26 concatenations: ids are made several times a request.
  const body = String.fromCharCode.apply(null, codes);
  return prefix ? `${prefix}_${body}` : body;
}
