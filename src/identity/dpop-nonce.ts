/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9): a proof must echo a recent nonce, which bounds
 * how far ahead a stolen key holder can pre-compute proofs. Stateless: a nonce is a time slot and
 * its HMAC, so every instance that shares the secret accepts the others' nonces.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { Secret } from '../core/secret.ts';

export interface DpopNonceSource {
  /** The nonce to hand out now, in the `DPoP-Nonce` response header. */
  current(): string | Promise<string>;
  /** true while `nonce` is still accepted. */
  accepts(nonce: string): boolean | Promise<boolean>;
}

export interface DpopNonceOptions {
  /** HMAC key shared by every gateway instance, at least 32 characters. Default: random per process. */
  secret?: Secret;
  /** A nonce is handed out for this long and accepted for up to twice as long (default 300 s). */
  rotateSeconds?: number;
  clock?: Clock;
}

/** slot (base 36) "." 22 base64url characters of HMAC-SHA256: only RFC 9449 §8.1 NQCHARs. */
const NONCE = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/;
const MIN_SECRET_CHARS = 32;

/**
 * @example
 *   const nonce = createDpopNonceSource({ secret: new Secret(process.env.DPOP_NONCE_KEY!) });
 *   const verify = createDpopVerifier({ nonce });
 */
export function createDpopNonceSource(options: DpopNonceOptions = {}): DpopNonceSource {
  const rotateMs = (options.rotateSeconds ?? 300) * 1000;
  if (!Number.isInteger(rotateMs) || rotateMs < 10_000 || rotateMs > 86_400_000) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'The DPoP nonce rotateSeconds must be between 10 and 86400.' });
  }
  const secret = options.secret?.reveal();
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `The DPoP nonce secret must be at least ${MIN_SECRET_CHARS} characters.` });
  }
  const key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const clock = options.clock ?? systemClock;
  const mac = (slot: number) => createHmac('sha256', key).update(`dpop-nonce.${slot}`).digest('base64url').slice(0, 22);
  const slotNow = () => Math.floor(clock.now() / rotateMs);

  return {
    current: () => {
      const slot = slotNow();
      return `${slot.toString(36)}.${mac(slot)}`;
    },
    accepts: (nonce) => {
      const m = typeof nonce === 'string' ? NONCE.exec(nonce) : null;
      if (m === null) return false;
      const slot = Number.parseInt(m[1]!, 36);
      const now = slotNow();
      if (slot !== now && slot !== now - 1) return false;
      return timingSafeEqual(Buffer.from(m[2]!), Buffer.from(mac(slot)));
    },
  };
}
