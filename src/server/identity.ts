/**
 * The server's view of identity: authenticate a request (principal plus the limits its API key
 * carries) and manage keys. Built from the `auth` config over the store's key repository.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { RampartConfig } from '../config/schema.ts';
import { apiKeyLimitsOf } from '../identity/api-keys.ts';
import { createIdentity } from '../identity/create-identity.ts';
import type { OidcAuthenticator } from '../identity/oidc-authenticator.ts';
import type { AuthResult } from '../gateway/data-plane.ts';
import type { KeyManager } from '../admin/keys-routes.ts';
import type { Store } from '../store/types.ts';

export interface Identity {
  authenticate(req: IncomingMessage): Promise<AuthResult>;
  readonly keys: KeyManager;
  readonly keysEnabled: boolean;
  readonly oidc: OidcAuthenticator | null;
  close(): Promise<void>;
}

const disabledKeys = (): never => {
  throw new RampartError('RAMPART_CONFLICT', { detail: 'API keys are disabled in this configuration (auth.apiKeys).' });
};

export function buildIdentity(config: RampartConfig, store: Store, clock: Clock, logger: Logger): Identity {
  const inner = createIdentity(config.auth, { keys: store.keys, clock, logger });
  const svc = inner.apiKeys;
  const keys: KeyManager = svc
    ? {
        create: (input) => svc.create(input),
        list: (opts) => svc.list(opts),
        get: (id) => svc.get(id),
        revoke: (id) => svc.revoke(id),
        rotate: (id, opts) => svc.rotate(id, { ...(opts.overlapMs !== undefined ? { overlapMs: opts.overlapMs } : {}), createdBy: opts.createdBy }),
      }
    : { create: disabledKeys, list: disabledKeys, get: disabledKeys, revoke: disabledKeys, rotate: disabledKeys };
  return {
    authenticate: async (req) => {
      const principal = await inner.authenticate(req.headers);
      return { principal, keyLimits: principal.apiKeyId ? apiKeyLimitsOf(principal) : null };
    },
    keys,
    keysEnabled: svc !== null,
    oidc: inner.oidc,
    close: () => inner.close(),
  };
}
