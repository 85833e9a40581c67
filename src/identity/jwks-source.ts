/**
 * An issuer's signing keys: discovery (when no jwksUri is configured), then jose's remote JWKS
 * set (cached for `cacheMaxAge`; an unknown `kid` triggers one refresh, at most once per
 * `cooldown`, so forged kids cannot make us hammer the IdP — RFC 8725 §3.10).
 *
 * Two additions over plain `createRemoteJWKSet`:
 * - after a failed fetch, requests do not wait on the IdP again for `retryBackoffMs`: they fail
 *   fast with RAMPART_AUTH_IDP_UNAVAILABLE instead of each stalling for the timeout;
 * - keys fetched at most `cacheMaxAge + maxStale` ago stay usable while the IdP is unreachable.
 *   The keys are still the ones the IdP published; only their freshness is relaxed, and boundedly.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwksCache,
  type CryptoKey,
  type FetchImplementation,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type JWKSCacheInput,
  type LocalJWKSet,
  type RemoteJWKSet,
} from 'jose';
import { RampartError, isRampartError } from '../core/errors.ts';
import { discoverJwksUri } from './discovery.ts';
import { fetchIdpJson, type FetchLike } from './idp-fetch.ts';

const MAX_JWKS_BYTES = 512 * 1024;

export interface JwksSourceOptions {
  issuer: string;
  /** Configured JWKS URL; when absent it is discovered from the issuer. */
  jwksUri?: string | undefined;
  timeoutMs: number;
  cacheMaxAgeMs: number;
  cooldownMs: number;
  maxStaleMs: number;
  /** After a failed discovery or JWKS fetch, no new fetch for this long. Default 2000. */
  retryBackoffMs?: number;
  /** Injectable fetch (tests); defaults to the global fetch. */
  fetch?: FetchLike;
}

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** Errors that mean "the IdP did not give us a usable key set", as opposed to "this token is bad". */
function asIdpFailure(e: unknown): RampartError | null {
  if (isRampartError(e)) return e;
  if (e instanceof errors.JWKSTimeout) return new RampartError('RAMPART_AUTH_IDP_UNAVAILABLE', { cause: e });
  if (e instanceof errors.JWKSInvalid) return new RampartError('RAMPART_AUTH_IDP_MISCONFIGURED', { cause: e });
  return null;
}

export class JwksSource {
  readonly #opts: JwksSourceOptions;
  readonly #retryBackoffMs: number;
  /** jose writes the last good key set and its fetch time here (the `jwksCache` option). */
  readonly #cache: { jwks?: JSONWebKeySet; uat?: number } = {};
  #remote: RemoteJWKSet | null = null;
  #discovering: Promise<RemoteJWKSet> | null = null;
  #failedAt = Number.NEGATIVE_INFINITY;
  #lastFailure: RampartError | null = null;
  #fallback: { uat: number; set: LocalJWKSet } | null = null;

  constructor(opts: JwksSourceOptions) {
    this.#opts = { ...opts };
    this.#retryBackoffMs = opts.retryBackoffMs ?? 2_000;
  }

  /** The key resolver handed to `jwtVerify`. */
  readonly getKey: KeyResolver = async (header, token) => {
    const remote = await this.#remoteSet();
    if (this.#inBackoff()) return this.#fromCache(header, token);
    try {
      return await remote(header, token);
    } catch (e) {
      const failure = asIdpFailure(e);
      if (failure === null) throw e;
      this.#recordFailure(failure);
      return this.#fromCache(header, token);
    }
  };

  /** Fetches metadata and keys now (start-up, readiness). Rejects with a coded error. */
  async warm(): Promise<void> {
    const remote = await this.#remoteSet();
    try {
      await remote.reload();
    } catch (e) {
      const failure = asIdpFailure(e) ?? new RampartError('RAMPART_AUTH_IDP_UNAVAILABLE', { cause: e });
      this.#recordFailure(failure);
      throw failure;
    }
  }

  #inBackoff(): boolean {
    return Date.now() - this.#failedAt < this.#retryBackoffMs;
  }

  #recordFailure(failure: RampartError): void {
    this.#failedAt = Date.now();
    this.#lastFailure = failure;
  }

  async #remoteSet(): Promise<RemoteJWKSet> {
    if (this.#remote !== null) return this.#remote;
    if (this.#discovering === null) {
      if (this.#inBackoff() && this.#lastFailure !== null) throw this.#lastFailure;
      this.#discovering = this.#createRemote().finally(() => {
        this.#discovering = null;
      });
    }
    return this.#discovering;
  }

  async #createRemote(): Promise<RemoteJWKSet> {
    const o = this.#opts;
    let jwksUri: string;
    try {
      jwksUri = o.jwksUri ?? (await discoverJwksUri(o.issuer, { timeoutMs: o.timeoutMs }, o.fetch));
    } catch (e) {
      const failure = asIdpFailure(e) ?? new RampartError('RAMPART_AUTH_IDP_UNAVAILABLE', { cause: e });
      this.#recordFailure(failure);
      throw failure;
    }
    const fetchJwks: FetchImplementation = async (url, init) => {
      const json = await fetchIdpJson(url, { timeoutMs: o.timeoutMs, maxBytes: MAX_JWKS_BYTES, signal: init.signal }, o.fetch);
      return Response.json(json);
    };
    this.#remote = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: o.timeoutMs,
      cooldownDuration: o.cooldownMs,
      cacheMaxAge: o.cacheMaxAgeMs,
      [customFetch]: fetchJwks,
      [jwksCache]: this.#cache as JWKSCacheInput,
    });
    return this.#remote;
  }

  /** Resolves from the last good key set if it is not older than allowed, else rethrows the failure. */
  async #fromCache(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const { jwks, uat } = this.#cache;
    const maxAge = this.#opts.cacheMaxAgeMs + this.#opts.maxStaleMs;
    if (jwks === undefined || uat === undefined || Date.now() - uat > maxAge) {
      throw this.#lastFailure ?? new RampartError('RAMPART_AUTH_IDP_UNAVAILABLE');
    }
    if (this.#fallback?.uat !== uat) this.#fallback = { uat, set: createLocalJWKSet(jwks) };
    return this.#fallback.set(header, token);
  }
}
