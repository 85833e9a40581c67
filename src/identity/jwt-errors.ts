/**
 * jose verification errors -> Rampart's coded errors, one code per kind of failure. jose's own
 * messages stay in `cause` (logged, never sent): they can quote claim values.
 */
import { errors } from 'jose';
import { RampartError, isRampartError } from '../core/errors.ts';

export function mapJoseError(e: unknown): RampartError {
  if (isRampartError(e)) return e;
  const cause = e;
  if (e instanceof errors.JWTExpired) {
    // RFC 7519 §4.1.4: at or after `exp` (plus the allowed skew) the token must be rejected.
    return new RampartError('RAMPART_AUTH_TOKEN_EXPIRED', { cause });
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    const missing = e.reason === 'missing';
    switch (e.claim) {
      case 'nbf':
        // RFC 7519 §4.1.5
        return missing || e.reason !== 'check_failed'
          ? new RampartError('RAMPART_AUTH_INVALID_TOKEN', { detail: 'The nbf claim is not a number.', cause })
          : new RampartError('RAMPART_AUTH_TOKEN_NOT_YET_VALID', { cause });
      case 'aud':
        // RFC 7519 §4.1.3: a token that does not name us is not for us.
        return new RampartError('RAMPART_AUTH_WRONG_AUDIENCE', { cause });
      case 'iss':
        return new RampartError('RAMPART_AUTH_UNTRUSTED_ISSUER', { cause });
      case 'exp':
        return new RampartError('RAMPART_AUTH_INVALID_TOKEN', {
          detail: missing ? 'The token has no exp claim.' : 'The exp claim is not a number.',
          cause,
        });
      case 'typ':
        return new RampartError('RAMPART_AUTH_WRONG_TOKEN_TYPE', { cause });
      default:
        return new RampartError('RAMPART_AUTH_INVALID_TOKEN', { cause });
    }
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return new RampartError('RAMPART_AUTH_ALG_NOT_ALLOWED', { cause });
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return new RampartError('RAMPART_AUTH_INVALID_TOKEN', { detail: 'The signature does not verify.', cause });
  }
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return new RampartError('RAMPART_AUTH_INVALID_TOKEN', { detail: 'No single signing key of the issuer matches the token.', cause });
  }
  // JWSInvalid, JWTInvalid, JOSENotSupported, JWKInvalid, and anything unexpected: refuse (fail closed).
  return new RampartError('RAMPART_AUTH_INVALID_TOKEN', { cause });
}
