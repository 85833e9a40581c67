/**
 * How a refused DPoP proof is reported: one coded error, a `detail` naming the check that failed
 * (never the proof or the token), and the RFC 9449 §7.1 `WWW-Authenticate: DPoP` challenge.
 */
import { RampartError } from '../core/errors.ts';

/** RFC 6750 §3 and RFC 9449 §7.1, §9.1 error codes a DPoP challenge may carry. */
export type DpopChallengeError = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof' | 'use_dpop_nonce';

const CHALLENGE_ERRORS: ReadonlySet<string> = new Set<DpopChallengeError>([
  'invalid_request',
  'invalid_token',
  'insufficient_scope',
  'invalid_dpop_proof',
  'use_dpop_nonce',
]);
/** RFC 7518 §3.1 algorithm names are tokens; the `algs` value is a space-separated list of them. */
const ALG_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$/;
const MAX_DESCRIPTION_CHARS = 256;

/** RFC 6750 §3: quoted-string values may not contain `"`, `\` or control characters. */
function quoted(s: string): string {
  return `"${s.slice(0, MAX_DESCRIPTION_CHARS).replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ')}"`;
}

/**
 * The `WWW-Authenticate` value of a DPoP challenge (RFC 9449 §7.1). Alg names and the error code
 * are checked (a TypeError for a programming mistake); the description is made header-safe.
 *
 * @example
 *   dpopChallenge(['ES256', 'EdDSA']);
 *   // DPoP algs="ES256 EdDSA"
 *   dpopChallenge(['ES256'], 'invalid_dpop_proof', 'The proof htu does not match the request URL.');
 *   // DPoP error="invalid_dpop_proof", error_description="The proof htu does not match the request URL.", algs="ES256"
 */
export function dpopChallenge(algs: readonly string[], error?: DpopChallengeError, description?: string): string {
  for (const alg of algs) {
    if (typeof alg !== 'string' || !ALG_NAME.test(alg)) throw new TypeError('dpopChallenge: an algorithm name is not a JOSE alg token');
  }
  const params: string[] = [];
  if (error !== undefined) {
    if (!CHALLENGE_ERRORS.has(error)) throw new TypeError('dpopChallenge: unknown error code');
    params.push(`error="${error}"`);
    if (description !== undefined && description !== '') params.push(`error_description=${quoted(description)}`);
  }
  if (algs.length > 0) params.push(`algs="${algs.join(' ')}"`);
  return params.length === 0 ? 'DPoP' : `DPoP ${params.join(', ')}`;
}

/**
 * The error for a refused proof. `error` is `invalid_dpop_proof` for the proof itself,
 * `invalid_token` when a valid proof is for another key than the token's (RFC 9449 §7.1 example),
 * `use_dpop_nonce` with `nonce` set when a fresh server nonce is required (§9).
 */
export function invalidProof(
  detail: string,
  challenge: { algs: readonly string[]; error?: DpopChallengeError; nonce?: string },
  cause?: unknown,
): RampartError {
  const headers: Record<string, string> = {
    'WWW-Authenticate': dpopChallenge(challenge.algs, challenge.error ?? 'invalid_dpop_proof', detail),
  };
  if (challenge.nonce !== undefined) headers['DPoP-Nonce'] = challenge.nonce;
  return new RampartError('RAMPART_AUTH_INVALID_DPOP_PROOF', { detail, headers, cause });
}
