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

export function newId(prefix?: string, now: number = Date.now()): string {
  if (poolOffset + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let id = prefix ? `${prefix}_` : '';
  for (const place of TIME_PLACES) id += ALPHABET[Math.floor(now / place) % 32];
  const end = poolOffset + RANDOM_CHARS;
  for (let i = poolOffset; i < end; i++) id += ALPHABET[pool[i]! & 31];
  poolOffset = end;
  return id;
}
