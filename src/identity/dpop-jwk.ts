/**
 * The public key a DPoP proof carries in its `jwk` header (RFC 9449 §4.2, §4.3 points 5 and 7),
 * checked on plain data before any key is imported: an allow-list per algorithm of key type,
 * curve, member names and sizes. A symmetric key or any private member is refused.
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import { isPlainObject } from './claim-read.ts';

interface KeyShape {
  readonly kty: 'EC' | 'OKP' | 'RSA';
  readonly crv?: string;
  /** Exact base64url length of each coordinate (RFC 7518 §6.2.1.2: full-length, left-padded). */
  readonly coordChars?: number;
}

/**
 * The asymmetric JWS algorithms a proof may use and the key each needs (RFC 7518 §3.3–3.5,
 * RFC 8037 §3.1, RFC 9864). No `none`, no HS*: a proof must prove possession of a private key.
 */
export const PROOF_KEY_SHAPES: Readonly<Record<string, KeyShape>> = Object.freeze({
  ES256: { kty: 'EC', crv: 'P-256', coordChars: 43 },
  ES384: { kty: 'EC', crv: 'P-384', coordChars: 64 },
  ES512: { kty: 'EC', crv: 'P-521', coordChars: 88 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', coordChars: 43 },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', coordChars: 43 },
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
});

/** RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2: members that hold private or secret key material. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const PUBLIC_MEMBERS: Readonly<Record<KeyShape['kty'], readonly string[]>> = { EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], RSA: ['n', 'e'] };
/** `kty`, and the optional members a client library may add (WebCrypto's exportKey adds key_ops and ext). */
const COMMON_MEMBERS = new Set(['kty', 'kid', 'alg', 'use', 'key_ops', 'ext']);
/** RSA modulus between 2048 and 4096 bits: 342..683 base64url characters. Larger keys cost CPU to verify. */
const RSA_N_CHARS = { min: 342, max: 683 } as const;
const MAX_KID_CHARS = 256;

function b64url(chars: number | { min: number; max: number }): RegExp {
  return typeof chars === 'number' ? new RegExp(`^[A-Za-z0-9_-]{${chars}}$`) : new RegExp(`^[A-Za-z0-9_-]{${chars.min},${chars.max}}$`);
}
const RSA_N = b64url(RSA_N_CHARS);
const RSA_E = b64url({ min: 1, max: 8 });
const COORDS = new Map([43, 64, 88].map((n) => [n, b64url(n)]));

/**
 * Returns a clean public JWK (only the members RFC 7638 hashes) for `alg`, or a string saying which
 * check failed. `alg` must be a key of PROOF_KEY_SHAPES.
 */
export function readProofJwk(raw: unknown, alg: string): JWK | string {
  const shape = PROOF_KEY_SHAPES[alg];
  if (shape === undefined) return 'The proof alg is not one this gateway accepts.';
  if (!isPlainObject(raw)) return 'The proof jwk is not a JSON object.';
  if (raw.kty === 'oct') return 'The proof jwk is a symmetric key; a proof needs a public key.';
  // RFC 9449 §4.3 point 7: a private key in the header is refused (the client leaked it).
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(raw, m))) return 'The proof jwk contains private key material.';
  if (raw.kty !== shape.kty) return 'The proof jwk key type does not match its alg.';
  const required = PUBLIC_MEMBERS[shape.kty];
  for (const name of Object.keys(raw)) {
    if (!COMMON_MEMBERS.has(name) && !required.includes(name)) return 'The proof jwk has a member a public key does not need.';
  }
  if (raw.alg !== undefined && raw.alg !== alg) return 'The proof jwk alg differs from the header alg.';
  if (raw.use !== undefined && raw.use !== 'sig') return 'The proof jwk is not a signing key (use).';
  if (raw.key_ops !== undefined && !(Array.isArray(raw.key_ops) && raw.key_ops.length <= 8 && raw.key_ops.includes('verify'))) {
    return 'The proof jwk is not a verification key (key_ops).';
  }
  if (raw.kid !== undefined && (typeof raw.kid !== 'string' || raw.kid.length > MAX_KID_CHARS)) return 'The proof jwk kid is not a short string.';
  if (raw.ext !== undefined && typeof raw.ext !== 'boolean') return 'The proof jwk ext is not a boolean.';

  if (shape.kty === 'RSA') {
    if (typeof raw.n !== 'string' || !RSA_N.test(raw.n)) return 'The proof jwk RSA modulus is missing or not 2048 to 4096 bits.';
    if (typeof raw.e !== 'string' || !RSA_E.test(raw.e)) return 'The proof jwk RSA exponent is missing or malformed.';
    return { kty: 'RSA', n: raw.n, e: raw.e };
  }
  if (raw.crv !== shape.crv) return 'The proof jwk curve does not match its alg.';
  const coord = COORDS.get(shape.coordChars ?? 0);
  if (coord === undefined) return 'The proof alg is not one this gateway accepts.';
  if (typeof raw.x !== 'string' || !coord.test(raw.x)) return 'The proof jwk x coordinate is missing or has the wrong length.';
  if (shape.kty === 'OKP') return { kty: 'OKP', crv: shape.crv, x: raw.x };
  if (typeof raw.y !== 'string' || !coord.test(raw.y)) return 'The proof jwk y coordinate is missing or has the wrong length.';
  return { kty: 'EC', crv: shape.crv, x: raw.x, y: raw.y };
}

/**
 * The RFC 7638 JWK SHA-256 thumbprint, base64url: the value of `cnf.jkt` in a DPoP-bound access
 * token (RFC 9449 §6.1).
 *
 * @example
 *   const jkt = await jwkThumbprint(await exportJWK(publicKey));
 */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}
