/**
 * The DPoP binding of an access token (RFC 9449 §6.1): `cnf.jkt`, the SHA-256 thumbprint of the
 * client's proof key. A bound token is only good with a proof by that key: sent as a plain Bearer
 * token it must be refused (§7.1, §7.2), or a stolen token would work without the key.
 */
import { invalid, isPlainObject, type Claims } from './claim-read.ts';

/** RFC 7638 SHA-256 thumbprint, base64url without padding. */
const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The `cnf.jkt` of verified access-token claims, or undefined when the token is not DPoP-bound.
 * Throws RAMPART_AUTH_INVALID_TOKEN when `cnf` or `cnf.jkt` has another shape.
 *
 * @example
 *   const jkt = readDpopBinding(payload);
 *   if (jkt !== undefined && scheme === 'bearer') throw ...; // a bound token needs its proof
 */
export function readDpopBinding(claims: Claims): string | undefined {
  if (!Object.hasOwn(claims, 'cnf')) return undefined;
  const cnf = claims.cnf;
  if (!isPlainObject(cnf)) throw invalid('The cnf claim must be a JSON object.');
  if (!Object.hasOwn(cnf, 'jkt')) return undefined;
  const jkt = cnf.jkt;
  if (typeof jkt !== 'string' || !JKT.test(jkt)) throw invalid('The cnf.jkt claim must be a base64url SHA-256 JWK thumbprint.');
  return jkt;
}
