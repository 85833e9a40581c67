/**
 * Assembles the identity services from the parsed `auth` config: the one call the server makes.
 */
import type { Clock } from '../core/clock.ts';
import type { ApiKeyRepo } from '../store/types.ts';
import { ApiKeyService } from './api-keys.ts';
import { createAuthenticator, type Authenticate, type DpopSettings } from './authenticate.ts';
import { createDpopNonceSource, createDpopVerifier, type DpopReplayStore } from './dpop.ts';
import { Secret } from '../core/secret.ts';
import { apiKeySettings, type AuthConfig } from '../config/auth.ts';
import type { FetchLike } from './idp-fetch.ts';
import type { WarnLogger } from './last-used.ts';
import { OidcAuthenticator } from './oidc-authenticator.ts';

export interface Identity {
  readonly authenticate: Authenticate;
  /** Verifies IdP and federated workload tokens; null when no issuer or workload rule is configured. */
  readonly oidc: OidcAuthenticator | null;
  /** Null when API keys are disabled. */
  readonly apiKeys: ApiKeyService | null;
  /** Flushes last-used times and stops timers. */
  close(): Promise<void>;
}

export interface IdentityDeps {
  keys: ApiKeyRepo;
  clock?: Clock;
  logger?: WarnLogger;
  /** Injectable fetch for discovery and JWKS (tests). */
  fetch?: FetchLike;
  /** Where used DPoP proofs are remembered; default in memory (one instance). */
  dpopReplay?: DpopReplayStore;
}

function dpopSettings(cfg: AuthConfig['dpop'], deps: IdentityDeps): DpopSettings | undefined {
  if (cfg.mode === 'disabled') return undefined;
  const verify = createDpopVerifier({
    algorithms: cfg.algorithms,
    maxAgeSeconds: cfg.maxAgeSeconds,
    clockSkewSeconds: cfg.clockSkewSeconds,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.dpopReplay ? { replay: deps.dpopReplay } : {}),
    ...(cfg.nonce ? { nonce: createDpopNonceSource({ ...(cfg.nonceSecret ? { secret: new Secret(cfg.nonceSecret) } : {}), ...(deps.clock ? { clock: deps.clock } : {}) }) } : {}),
  });
  return { mode: cfg.mode, algorithms: cfg.algorithms, verify };
}

/**
 * @example
 *   const identity = createIdentity(config.auth, { keys: store.keys, logger });
 *   for (const f of await identity.oidc?.warm() ?? []) logger.warn({ issuer: f.issuer, code: f.error.code }, 'IdP not reachable');
 *   const principal = await identity.authenticate(req.headers);
 */
export function createIdentity(cfg: AuthConfig, deps: IdentityDeps): Identity {
  const settings = apiKeySettings(cfg.apiKeys);
  const oidc =
    cfg.oidc.length === 0 && cfg.workloads.length === 0
      ? null
      : new OidcAuthenticator({
          issuers: cfg.oidc,
          workloads: cfg.workloads,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        });
  const apiKeys =
    settings === null
      ? null
      : new ApiKeyService({
          repo: deps.keys,
          settings,
          policy: cfg.apiKeyPolicy,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.logger ? { logger: deps.logger } : {}),
        });
  return {
    authenticate: createAuthenticator({ oidc, apiKeys, keysDisabled: settings === null, ...(oidc ? { dpop: dpopSettings(cfg.dpop, deps) } : {}) }),
    oidc,
    apiKeys,
    close: async () => {
      await apiKeys?.close();
    },
  };
}
