/**
 * Verifies DPoP proofs (RFC 9449) for a protected resource: `Authorization: DPoP <access token>`
 * with a `DPoP: <proof JWT>` header. The checks of §4.3, cheapest first, on a plain-data snapshot:
 *
 * 1. exactly one proof, at most 8 KiB, in JWS compact form — before anything is decoded;
 * 2. the header holds only `typ`, `alg`, `jwk` (and an ignored `kid`): `typ` is `dpop+jwt`, `alg`
 *    is on the asymmetric allow-list, `jwk` is a public key of that alg (no key by reference);
 * 3. the claims: `jti`, `htm` = method, `htu` = URL without query and fragment, `iat` within the
 *    window, `ath` = hash of the access token;
 * 4. the jwk's thumbprint is the token's `cnf.jkt`;
 * 5. the server nonce, when configured (§8, §9);
 * 6. jose verifies the signature with the jwk;
 * 7. jti + jkt were not used within the window (§11.1). Recorded only after the signature
 *    verified, so a forged proof cannot use up a legitimate client's jti.
 *
 * Any failure is RAMPART_AUTH_INVALID_DPOP_PROOF with a `detail` naming the check and a
 * `WWW-Authenticate: DPoP` challenge (§7.1); the proof and the token are never echoed.
 */
import { createHash } from 'node:crypto';
import { errors, importJWK, jwtVerify, type JWK } from 'jose';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError, isRampartError } from '../core/errors.ts';
import { Secret } from '../core/secret.ts';
import { isPlainObject } from './claim-read.ts';
import { invalidProof, type DpopChallengeError } from './dpop-error.ts';
import { comparableHtu } from './dpop-htu.ts';
import { PROOF_KEY_SHAPES, jwkThumbprint, readProofJwk } from './dpop-jwk.ts';
import type { DpopNonceSource } from './dpop-nonce.ts';
import { createMemoryReplayStore, type DpopReplayStore } from './dpop-replay.ts';

export { dpopChallenge, type DpopChallengeError } from './dpop-error.ts';
export { jwkThumbprint } from './dpop-jwk.ts';
export { createMemoryReplayStore, type DpopReplayStore, type MemoryReplayStoreOptions } from './dpop-replay.ts';
export { createDpopNonceSource, type DpopNonceOptions, type DpopNonceSource } from './dpop-nonce.ts';
export { readDpopBinding } from './dpop-binding.ts';

export interface DpopOptions {
  /** Allowed proof algorithms, asymmetric only. 'none' and HS* are refused when the verifier is built. */
  algorithms?: readonly string[];
  /** Max age of `iat` in seconds (default 60). */
  maxAgeSeconds?: number;
  /** Allowed future skew of `iat` in seconds (default 5). */
  clockSkewSeconds?: number;
  /** Replay store for jti; default: an in-memory bounded store on `clock`. */
  replay?: DpopReplayStore;
  clock?: Clock;
  /** RFC 9449 §8: when set, proofs must carry a nonce it accepts; otherwise refused with use_dpop_nonce and a fresh `DPoP-Nonce`. */
  nonce?: DpopNonceSource;
}

export interface DpopCheck {
  /** The `DPoP` header: Node's `req.headers.dpop` or `req.headersDistinct.dpop`, or `Headers.get('dpop')`. */
  proof: string | readonly string[] | undefined;
  /** The request method as received (`GET`, `POST`). */
  method: string;
  /** The absolute request URL as the server sees it (scheme and host as the client used them). */
  url: string;
  /** The access token from `Authorization: DPoP <token>`. */
  accessToken: Secret | string;
  /** The access token's `cnf.jkt` (see readDpopBinding). */
  expectedJkt: string;
}

export interface DpopProof {
  /** The proof key's RFC 7638 thumbprint (equal to the token's cnf.jkt). */
  jkt: string;
  jti: string;
}

export type DpopVerifier = (check: DpopCheck) => Promise<DpopProof>;

export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256']);
export const MAX_PROOF_CHARS = 8_192;
const MAX_JTI_CHARS = 256;
const MAX_NONCE_CHARS = 256;
const NQCHARS = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;
const MAX_CLAIMS = 32;
/** The signature may be empty here only so that alg none is refused by name. */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const HEADER_PARAMS = new Set(['typ', 'alg', 'jwk', 'kid']);
/** RFC 7515 §4.1: ways to name a key other than embedding it; a proof must carry its own (§4.2). */
const KEY_REFERENCES = new Set(['jku', 'x5u', 'x5c', 'x5t', 'x5t#S256']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Settings {
  readonly algs: readonly string[];
  readonly maxAgeSec: number;
  readonly skewSec: number;
  /** How long a proof stays acceptable, hence how long its jti is remembered. */
  readonly windowSec: number;
  readonly replay: DpopReplayStore;
  readonly clock: Clock;
  readonly nonce: DpopNonceSource | undefined;
}

function configError(detail: string): RampartError {
  return new RampartError('RAMPART_CONFIG_INVALID', { detail });
}

function seconds(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw configError(`DPoP ${name} must be a number from ${min} to ${max}.`);
  return v;
}

/** Checks the options once, when the verifier is built (never per request), and copies what it keeps. */
function buildSettings(options: DpopOptions): Settings {
  if (options.algorithms !== undefined && !Array.isArray(options.algorithms)) throw configError('DPoP proof algorithms must be a list.');
  const algs = [...new Set(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS)];
  if (algs.length === 0) throw configError('DPoP needs at least one proof algorithm.');
  for (const alg of algs) {
    if (typeof alg !== 'string') throw configError('DPoP proof algorithms must be strings.');
    // RFC 9449 §4.2: a proof is signed with an asymmetric key; none and MACs prove nothing.
    if (alg.toLowerCase() === 'none' || /^HS\d+$/i.test(alg)) throw configError(`DPoP proofs must use an asymmetric algorithm, not ${alg}.`);
    if (!Object.hasOwn(PROOF_KEY_SHAPES, alg)) throw configError(`DPoP proof algorithm ${alg} is not supported.`);
  }
  const maxAgeSec = seconds(options.maxAgeSeconds, 60, 1, 3_600, 'maxAgeSeconds');
  const skewSec = seconds(options.clockSkewSeconds, 5, 0, 300, 'clockSkewSeconds');
  const clock = options.clock ?? systemClock;
  const replay = options.replay ?? createMemoryReplayStore({ clock });
  if (typeof replay.claim !== 'function') throw configError('The DPoP replay store has no claim function.');
  const nonce = options.nonce;
  if (nonce !== undefined && (typeof nonce.current !== 'function' || typeof nonce.accepts !== 'function')) {
    throw configError('The DPoP nonce source needs current and accepts functions.');
  }
  return Object.freeze({ algs: Object.freeze(algs), maxAgeSec, skewSec, windowSec: Math.ceil(maxAgeSec + skewSec), replay, clock, nonce });
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

/** A failure in a dependency (replay store, nonce source) refuses the request, as a server error. */
function dependencyError(what: string, e: unknown): RampartError {
  return isRampartError(e) ? e : new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: `The DPoP ${what} did not answer.`, cause: e });
}

/**
 * Builds a DPoP proof verifier once from its options.
 *
 * @example
 *   const verifyDpop = createDpopVerifier({ algorithms: ['ES256', 'EdDSA'] });
 *   const { jkt } = await verifyDpop({ proof: req.headers.dpop, method: req.method, url, accessToken, expectedJkt });
 */
export function createDpopVerifier(options: DpopOptions = {}): DpopVerifier {
  const s = buildSettings(options);
  const allowed: ReadonlySet<string> = new Set(s.algs);
  const fail = (detail: string, error?: DpopChallengeError, cause?: unknown) =>
    invalidProof(detail, { algs: s.algs, ...(error ? { error } : {}) }, cause);

  /** RFC 9449 §4.3 points 1 and 2: one header, one well-formed JWT. */
  function singleProof(proof: DpopCheck['proof']): string {
    let value: unknown = proof;
    if (typeof proof === 'object' && proof !== null) {
      if (proof.length !== 1) throw fail(proof.length === 0 ? 'The request has no DPoP proof.' : 'Send exactly one DPoP header.');
      value = proof[0];
    }
    if (typeof value !== 'string' || value === '') throw fail('The request has no DPoP proof.');
    // Bound the work an unauthenticated caller can cause: nothing is decoded before this check.
    if (value.length > MAX_PROOF_CHARS) throw fail(`The DPoP proof is longer than ${MAX_PROOF_CHARS} characters.`);
    // Fetch's Headers and Node join repeated headers with ", ".
    if (value.includes(',')) throw fail('Send exactly one DPoP proof.');
    if (!JWS_COMPACT.test(value)) throw fail('The DPoP proof is not a JWT in JWS compact serialization.');
    return value;
  }

  /** RFC 9449 §4.3 points 4, 5 and 7; §4.2 header. Returns the alg and the clean public key. */
  function checkHeader(header: Record<string, unknown>): { alg: string; jwk: JWK } {
    for (const name of Object.keys(header)) {
      if (KEY_REFERENCES.has(name)) throw fail('The proof must carry its key in jwk, not by reference (jku, x5u, x5c, x5t).');
      if (!HEADER_PARAMS.has(name)) throw fail('The proof header has a parameter other than typ, alg, jwk and kid.');
    }
    const { typ, alg, kid } = header;
    // RFC 7515 §4.1.9: media types compare case-insensitively, the "application/" prefix optional.
    if (typeof typ !== 'string' || !['dpop+jwt', 'application/dpop+jwt'].includes(typ.toLowerCase())) throw fail('The proof typ is not dpop+jwt.');
    if (typeof alg !== 'string') throw fail('The proof header has no alg.');
    if (alg.toLowerCase() === 'none') throw fail('The proof is not signed (alg none).');
    if (!allowed.has(alg)) throw fail('The proof alg is not one this gateway accepts.');
    if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256)) throw fail('The proof kid is not a short string.');
    if (!Object.hasOwn(header, 'jwk')) throw fail('The proof header has no jwk.');
    const jwk = readProofJwk(header.jwk, alg);
    if (typeof jwk === 'string') throw fail(jwk);
    return { alg, jwk };
  }

  /** RFC 9449 §4.3 points 3, 8, 9, 11 and 12 (ath). Returns the jti. */
  function checkClaims(claims: Record<string, unknown>, check: DpopCheck, requestUrl: string, now: number): string {
    if (Object.keys(claims).length > MAX_CLAIMS) throw fail(`The proof has more than ${MAX_CLAIMS} claims.`);
    const { jti, htm, htu, iat, ath } = claims;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_CHARS) {
      throw fail(`The proof jti is missing or not a string of 1 to ${MAX_JTI_CHARS} characters.`);
    }
    if (typeof htm !== 'string') throw fail('The proof has no htm claim.');
    if (htm !== check.method) throw fail('The proof htm does not match the request method.');
    if (typeof htu !== 'string') throw fail('The proof has no htu claim.');
    const proofUrl = comparableHtu(htu);
    if (proofUrl === undefined) throw fail('The proof htu is not an absolute http(s) URL.');
    if (proofUrl !== requestUrl) throw fail('The proof htu does not match the request URL.');
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw fail('The proof has no numeric iat claim.');
    const nowSec = now / 1000;
    if (iat < nowSec - s.maxAgeSec) throw fail('The proof is too old (iat).');
    if (iat > nowSec + s.skewSec) throw fail('The proof was issued in the future (iat).');
    if (typeof ath !== 'string') throw fail('The proof has no ath claim (hash of the access token).');
    const token = check.accessToken instanceof Secret ? check.accessToken.reveal() : check.accessToken;
    if (typeof token !== 'string' || token === '') throw fail('No access token accompanies the proof.');
    if (ath !== sha256(token)) throw fail('The proof ath does not match the access token.');
    return jti;
  }

  /** RFC 9449 §9: a missing or stale nonce is answered with a fresh one. */
  async function checkNonce(source: DpopNonceSource, nonce: unknown): Promise<void> {
    let fresh: string;
    try {
      const wellFormed = typeof nonce === 'string' && nonce.length > 0 && nonce.length <= MAX_NONCE_CHARS;
      if (wellFormed && (await source.accepts(nonce)) === true) return;
      fresh = await source.current();
    } catch (e) {
      throw dependencyError('nonce source', e);
    }
    // RFC 9449 §8.1: nonce = 1*NQCHAR; anything else must not reach a response header.
    if (typeof fresh !== 'string' || !NQCHARS.test(fresh)) throw dependencyError('nonce source', new TypeError('not an RFC 9449 nonce'));
    const detail = nonce === undefined ? 'The proof has no nonce: use the one in the DPoP-Nonce header.' : 'The proof nonce is not current: use the one in the DPoP-Nonce header.';
    throw invalidProof(detail, { algs: s.algs, error: 'use_dpop_nonce', nonce: fresh });
  }

  /** RFC 9449 §4.3 point 6, with jose: only the embedded key, only the header's (allowed) alg. */
  async function checkSignature(proof: string, jwk: JWK, alg: string, now: number): Promise<void> {
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK(jwk, alg);
    } catch (e) {
      throw fail('The proof jwk is not a valid public key for its alg.', undefined, e);
    }
    try {
      await jwtVerify(proof, key, { algorithms: [alg], typ: 'dpop+jwt', currentDate: new Date(now) });
    } catch (e) {
      if (e instanceof errors.JWSSignatureVerificationFailed) throw fail('The proof signature does not verify with its jwk.', undefined, e);
      throw fail('The proof could not be verified.', undefined, e);
    }
  }

  return async (check) => {
    const proof = singleProof(check.proof);
    const [h, p] = proof.split('.') as [string, string, string];
    const header = decodeJson(h);
    if (header === undefined) throw fail('The proof header is not a base64url-encoded JSON object.');
    const claims = decodeJson(p);
    if (claims === undefined) throw fail('The proof payload is not a base64url-encoded JSON object.');

    const { alg, jwk } = checkHeader(header);
    const requestUrl = comparableHtu(check.url);
    if (requestUrl === undefined) throw new RampartError('RAMPART_INTERNAL', { cause: new TypeError('DPoP check: url is not an absolute http(s) URL') });
    const now = s.clock.now();
    const jti = checkClaims(claims, check, requestUrl, now);

    // RFC 9449 §4.3 point 12, §7.1: a valid proof by another key than the token's is a token problem.
    const jkt = await jwkThumbprint(jwk);
    if (jkt !== check.expectedJkt) throw fail('The proof key is not the key the access token is bound to (cnf.jkt).', 'invalid_token');

    if (s.nonce !== undefined) await checkNonce(s.nonce, claims.nonce);
    await checkSignature(proof, jwk, alg, now);

    let first: boolean;
    try {
      // The jkt is base64url (no "."), so "jkt.jti" is unambiguous; hashed to a fixed-size key.
      first = (await s.replay.claim(`dpop:${sha256(`${jkt}.${jti}`)}`, s.windowSec)) === true;
    } catch (e) {
      throw dependencyError('replay store', e);
    }
    if (!first) throw fail('The proof was already used (jti replay).');
    return { jkt, jti };
  };
}
