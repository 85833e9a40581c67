/**
 * The Rampart API key string:
 *
 *     rk_<id>_<secret><checksum>
 *     rk_0h3k9w2m4q7s_Xq3...43 chars...Bd1ZkQ   (65 characters)
 *
 * - `rk_`: recognisable prefix, so secret scanners and log scrubbers can match it. (Stripe's
 *   `rk_live_` / `rk_test_` cannot collide: our id alphabet has no `l` and the id is 12 chars.)
 * - `id`: 12 chars of Crockford base32 (60 random bits), the public lookup id; not secret.
 * - `secret`: 32 random bytes (256 bits) as base64url (43 chars). Only SHA-256(secret) is stored;
 *   a fast hash is enough because the secret has full entropy (no dictionary to brute-force).
 * - `checksum`: CRC-32 of everything before it, base64url (6 chars). Rejects typos and random
 *   strings without a store read, and lets scanners drop false positives (as GitHub tokens do).
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { RampartError } from '../core/errors.ts';
import { Secret } from '../core/secret.ts';

export const API_KEY_PREFIX = 'rk_';
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_CHARS = 12;
const SECRET_BYTES = 32;

const KEY_PATTERN = /^rk_([0-9a-hjkmnp-tv-z]{12})_([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{6})$/;
const ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{12}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface ParsedApiKey {
  readonly id: string;
  /** The secret part; hash it, never store or log it. */
  readonly secret: string;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * CRC-32 of `body` as the base64url of its four big-endian bytes (six characters), spelled out
 * instead of through a Buffer: it runs on every request that presents a key.
 */
function checksum(body: string): string {
  const c = crc32(body);
  return (
    BASE64URL[c >>> 26]! +
    BASE64URL[(c >>> 20) & 63]! +
    BASE64URL[(c >>> 14) & 63]! +
    BASE64URL[(c >>> 8) & 63]! +
    BASE64URL[(c >>> 2) & 63]! +
    BASE64URL[(c & 3) << 4]!
  );
}

export function newKeyId(): string {
  const bytes = randomBytes(ID_CHARS);
  let id = '';
  for (let i = 0; i < ID_CHARS; i++) id += ID_ALPHABET[bytes[i]! & 31];
  return id;
}

/** True when `id` has the shape of an API key id (for admin routes that take one). */
export function isKeyId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** SHA-256 (hex) of a key's secret part: the only form in which it is stored. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/**
 * The stored hash as the bytes `secretMatches` compares with: its 64 hex characters (lower case, as
 * `hashSecret` writes them); null when it is not a SHA-256 hex digest.
 */
export function storedDigest(storedHash: string): Buffer | null {
  return HASH_PATTERN.test(storedHash) ? Buffer.from(storedHash, 'latin1') : null;
}

/**
 * Constant-time comparison of SHA-256(secret) with a stored digest (from `storedDigest`, made
 * once per cached key rather than on every request): timingSafeEqual on the two 64-character hex
 * forms. The digest is taken as hex and copied into a pooled Buffer because `hash(…, 'buffer')`
 * allocates an ArrayBuffer of its own on each call: 1.5 µs against 0.4 µs (it runs on every
 * request that presents a key; docs/benchmarks.md, session 16).
 */
export function secretMatches(secret: string, digest: Buffer | null): boolean {
  if (digest === null) return false;
  return timingSafeEqual(Buffer.from(hash('sha256', secret, 'hex'), 'latin1'), digest);
}

/** Makes a new key for `id`: the plaintext (show once) and the hash to store. */
export function generateApiKey(id: string = newKeyId()): { id: string; plaintext: Secret; secretHash: string } {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const body = `${API_KEY_PREFIX}${id}_${secret}`;
  return { id, plaintext: new Secret(body + checksum(body)), secretHash: hashSecret(secret) };
}

/** True when `credential` claims to be a Rampart API key (it may still be malformed). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/**
 * Splits a presented key into id and secret. Throws RAMPART_AUTH_MALFORMED when the shape is
 * wrong and RAMPART_AUTH_INVALID_KEY when the checksum does not match; neither touches the store.
 */
export function parseApiKey(presented: string): ParsedApiKey {
  const m = KEY_PATTERN.exec(presented);
  if (m === null) throw new RampartError('RAMPART_AUTH_MALFORMED', { detail: 'This is not a well-formed Rampart API key.' });
  const [, id, secret, sum] = m as unknown as [string, string, string, string];
  // The pattern is anchored: everything before the checksum is `rk_<id>_<secret>`.
  if (checksum(presented.slice(0, presented.length - sum.length)) !== sum) {
    throw new RampartError('RAMPART_AUTH_INVALID_KEY', { detail: 'Its checksum does not match: check for a copy error.' });
  }
  return { id, secret };
}
