/**
 * Verifies OIDC / OAuth 2.0 bearer JWTs (RFC 6750, RFC 7519) from the trusted issuers (IdPs and
 * federated workload issuers) and maps them to a Principal, following the JWT BCP (RFC 8725):
 *
 * 1. size cap, then JWS compact shape (RFC 7515 §7.1) — before any decoding;
 * 2. header `alg` against the allow-list (§3.1, §3.2) — `none` and HS* never get further;
 * 3. the unverified `iss` only selects which issuer's keys and rules apply (§3.8); nothing else is
 *    read from the unverified payload;
 * 4. jose verifies the signature with that issuer's JWKS, then `iss`, `aud`, `exp` (required) and
 *    `nbf` with the issuer's clock tolerance (RFC 7519 §4.1);
 * 5. `iat` must not lie in the future; `typ` against the issuer's allow-list (§3.11);
 * 6. the issuer's mapper turns the verified claims into a Principal: an IdP entry checks the tenant
 *    and reads roles, scopes, client and delegation per its preset; a workload entry applies its
 *    trust rules (first match wins).
 *
 * Verified tokens are cached by their SHA-256, until `exp` or `maxTtlMs` whichever comes first, in
 * a bounded LRU: the hot path is a hash and a map lookup.
 */
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import { Secret } from '../core/secret.ts';
import type { OidcIssuerConfig } from '../config/oidc-issuer.ts';
import type { WorkloadRuleConfig } from '../config/workload-trust.ts';
import type { FetchLike } from './idp-fetch.ts';
import type { JwksSource } from './jwks-source.ts';
import { mapJoseError } from './jwt-errors.ts';
import { readDpopBinding } from './dpop-binding.ts';
import { buildTrustedIssuers, normalizeTyp, type TrustedIssuer } from './trusted-issuers.ts';
import { TtlCache } from './ttl-cache.ts';

/** header.payload.signature, base64url (RFC 7515 §7.1). The signature may be empty only to be refused as alg none. */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_KID_CHARS = 256;

export interface OidcAuthenticatorOptions {
  /** Trusted IdPs (`auth.oidc`). */
  issuers: readonly OidcIssuerConfig[];
  /** Workload trust rules (`auth.workloads`). */
  workloads?: readonly WorkloadRuleConfig[];
  clock?: Clock;
  /** Verified-token cache. Defaults: 10 000 entries, 5 minutes. `maxEntries: 0` disables it. */
  cache?: { maxEntries?: number; maxTtlMs?: number };
  /** After a failed IdP fetch, no new fetch for this long (default 2000 ms). */
  retryBackoffMs?: number;
  /** Injectable fetch for discovery and JWKS (tests); defaults to the global fetch. */
  fetch?: FetchLike;
}

function fail(code: 'RAMPART_AUTH_MALFORMED' | 'RAMPART_AUTH_INVALID_TOKEN', detail: string): RampartError {
  return new RampartError(code, { detail });
}

export class OidcAuthenticator {
  readonly #issuers: Map<string, TrustedIssuer>;
  readonly #allAlgorithms = new Set<string>();
  readonly #maxTokenChars: number;
  readonly #clock: Clock;
  readonly #cache: TtlCache<string, Principal>;
  readonly #maxTtlMs: number;

  constructor(opts: OidcAuthenticatorOptions) {
    this.#clock = opts.clock ?? systemClock;
    this.#cache = new TtlCache(opts.cache?.maxEntries ?? 10_000, this.#clock);
    this.#maxTtlMs = opts.cache?.maxTtlMs ?? 300_000;
    this.#issuers = buildTrustedIssuers(opts.issuers, opts.workloads ?? [], {
      ...(opts.retryBackoffMs !== undefined ? { retryBackoffMs: opts.retryBackoffMs } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    let maxChars = 0;
    for (const i of this.#issuers.values()) {
      for (const a of i.algorithms) this.#allAlgorithms.add(a);
      maxChars = Math.max(maxChars, i.maxTokenBytes);
    }
    this.#maxTokenChars = maxChars;
  }

  /** The trusted issuer identifiers (templates expanded, workload issuers included). */
  get issuers(): readonly string[] {
    return [...this.#issuers.keys()];
  }

  /**
   * Fetches every issuer's metadata and keys (start-up, readiness). Never throws: returns the
   * failures, each a coded error, so the caller can log them and decide.
   */
  async warm(): Promise<{ issuer: string; error: RampartError }[]> {
    // Tenants of one template can share a key source: warm each source once.
    const sources = new Map<JwksSource, string>();
    for (const i of this.#issuers.values()) if (!sources.has(i.keys)) sources.set(i.keys, i.issuer);
    const results = await Promise.allSettled([...sources.keys()].map((k) => k.warm()));
    const failures: { issuer: string; error: RampartError }[] = [];
    [...sources.values()].forEach((issuer, i) => {
      const r = results[i];
      if (r?.status === 'rejected') failures.push({ issuer, error: mapJoseError(r.reason) });
    });
    return failures;
  }

  /**
   * Verifies a bearer JWT and returns its principal, or throws a coded RampartError.
   *
   * @example
   *   const principal = await oidc.authenticate(new Secret(bearerToken));
   */
  async authenticate(token: Secret | string): Promise<Principal> {
    const raw = token instanceof Secret ? token.reveal() : token;
    if (this.#issuers.size === 0) {
      throw new RampartError('RAMPART_AUTH_UNTRUSTED_ISSUER', { detail: 'No identity provider is configured.' });
    }
    // Bound the work an unauthenticated caller can cause: nothing is decoded before this check.
    if (raw.length > this.#maxTokenChars) throw new RampartError('RAMPART_AUTH_TOKEN_TOO_LARGE');

    const cacheKey = createHash('sha256').update(raw).digest('base64');
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;

    if (!JWS_COMPACT.test(raw)) throw fail('RAMPART_AUTH_MALFORMED', 'A bearer token must be a signed JWT (JWS compact serialization).');
    const header = this.#readHeader(raw);
    if (!this.#allAlgorithms.has(header.alg)) throw new RampartError('RAMPART_AUTH_ALG_NOT_ALLOWED');

    const issuer = this.#selectIssuer(raw);
    if (raw.length > issuer.maxTokenBytes) throw new RampartError('RAMPART_AUTH_TOKEN_TOO_LARGE');
    if (!issuer.algorithms.has(header.alg)) throw new RampartError('RAMPART_AUTH_ALG_NOT_ALLOWED');
    // RFC 8725 §3.11: a JWT typed for another use (dpop+jwt, logout+jwt, an ID token where the
    // issuer types its access tokens at+jwt) must not pass as an access token.
    if (typeof header.typ === 'string' ? !issuer.tokenTypes.has(normalizeTyp(header.typ)) : !issuer.allowMissingTyp) {
      throw new RampartError('RAMPART_AUTH_WRONG_TOKEN_TYPE');
    }

    const now = this.#clock.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(raw, issuer.keys.getKey, {
        issuer: issuer.issuer,
        audience: issuer.audience,
        algorithms: [...issuer.algorithms],
        clockTolerance: issuer.clockToleranceSec,
        requiredClaims: ['exp'],
        currentDate: new Date(now),
      }));
    } catch (e) {
      throw mapJoseError(e);
    }
    // jose checks `iat` only with maxTokenAge; a token issued in the future means a broken or
    // forged issuer clock (RFC 7519 §4.1.6).
    if (typeof payload.iat === 'number' && payload.iat > now / 1000 + issuer.clockToleranceSec) {
      throw new RampartError('RAMPART_AUTH_TOKEN_NOT_YET_VALID', { detail: 'The token was issued in the future (iat).' });
    }

    const mapped = issuer.toPrincipal(payload, issuer);
    // RFC 9449 §6.1: a DPoP-bound token carries the proof key's thumbprint; the authenticate stage
    // refuses it without a proof by that key.
    const jkt = readDpopBinding(payload);
    const principal = jkt === undefined ? mapped : { ...mapped, dpopJkt: jkt };
    // `exp` is required and numeric after jwtVerify.
    this.#cache.set(cacheKey, principal, Math.min((payload.exp as number) * 1000, now + this.#maxTtlMs));
    return principal;
  }

  /** Decodes and checks the protected header's fields we rely on before verification. */
  #readHeader(raw: string): ProtectedHeaderParameters & { alg: string } {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(raw);
    } catch {
      throw fail('RAMPART_AUTH_MALFORMED', 'The token header is not a base64url JSON object.');
    }
    if (typeof header.alg !== 'string') throw fail('RAMPART_AUTH_INVALID_TOKEN', 'The token header has no alg.');
    if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > MAX_KID_CHARS)) {
      throw fail('RAMPART_AUTH_INVALID_TOKEN', 'The token header kid is not a short string.');
    }
    // `jku`, `x5u`, `jwk`, `x5c` are ignored on purpose: keys come only from the configured
    // issuer's JWKS, never from a URL or key inside the token (RFC 8725 §3.10).
    return header as ProtectedHeaderParameters & { alg: string };
  }

  /** Chooses the issuer by the (not yet verified) `iss`; jwtVerify checks it again after the signature. */
  #selectIssuer(raw: string): TrustedIssuer {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(raw);
    } catch {
      throw fail('RAMPART_AUTH_MALFORMED', 'The token payload is not a base64url JSON object.');
    }
    const issuer = typeof claims.iss === 'string' ? this.#issuers.get(claims.iss) : undefined;
    if (issuer === undefined) throw new RampartError('RAMPART_AUTH_UNTRUSTED_ISSUER');
    return issuer;
  }
}

/** Builds the token authenticator from the parsed `auth.oidc` and `auth.workloads` config. */
export function createOidcAuthenticator(opts: OidcAuthenticatorOptions): OidcAuthenticator {
  return new OidcAuthenticator(opts);
}
