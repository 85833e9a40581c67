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
import type { Counters, Store } from '../store/types.ts';
import type { DpopReplayStore } from '../identity/dpop.ts';
import { trustedHeaderReader } from './client-ip.ts';
import { AgentService, type AgentCheck } from '../identity/agents.ts';
import { refusalOf } from '../core/principal.ts';

/** What the audit event says about an agent caller: its inventory id, or that it is a shadow agent. */
function agentDetails(check: AgentCheck): Record<string, unknown> {
  if (check.kind === 'registered') return { agentId: check.agent.id };
  // A detection-like note: security searches audit events for shadow agents.
  return check.kind === 'shadow' ? { agentId: null, note: 'shadow_agent' } : { agentId: null };
}

export interface Identity {
  authenticate(req: IncomingMessage): Promise<AuthResult>;
  readonly keys: KeyManager;
  /** The agent inventory; also checks agent principals in `authenticate`. */
  readonly agents: AgentService;
  readonly keysEnabled: boolean;
  readonly oidc: OidcAuthenticator | null;
  /** Drops cached key and agent records: another thread changed them (server/threads.ts). */
  forgetCaches(): void;
  close(): Promise<void>;
}

const disabledKeys = (): never => {
  throw new RampartError('RAMPART_CONFLICT', { detail: 'API keys are disabled in this configuration (auth.apiKeys).' });
};

/**
 * Used DPoP proofs in the shared counters (Redis, or memory the threads share), so a proof used on one instance is a replay on
 * every other: the first claim of a key takes the only unit of a counter that lives as long as a
 * proof is acceptable.
 */
function countersReplayStore(counters: Counters, clock: Clock): DpopReplayStore {
  return {
    claim: async (key, ttlSeconds) => {
      const now = clock.now();
      const r = await counters.takeAll([{ key, cost: 1, limit: 1, window: { kind: 'fixed', startMs: 0, endMs: now + ttlSeconds * 1000 } }], now);
      return r.allowed;
    },
  };
}

/**
 * The request URL as the client used it, for the DPoP proof's `htu`: `auth.dpop.publicBaseUrl`,
 * else the Host header with https when a trusted proxy says so.
 */
function requestUrl(config: RampartConfig): (req: IncomingMessage) => string {
  const base = config.auth.dpop.publicBaseUrl?.replace(/\/+$/, '');
  if (base !== undefined) return (req) => `${base}${req.url ?? '/'}`;
  const proto = trustedHeaderReader(config.server.trustedProxies, 'x-forwarded-proto');
  return (req) => `${proto(req)?.toLowerCase() === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
}

export function buildIdentity(
  config: RampartConfig,
  store: Store,
  clock: Clock,
  logger: Logger,
  sourceIp: (req: IncomingMessage) => string | null = () => null,
  counters?: Counters,
): Identity {
  const inner = createIdentity(config.auth, {
    keys: store.keys,
    clock,
    logger,
    ...(counters?.shared ? { dpopReplay: countersReplayStore(counters, clock) } : {}),
  });
  const urlOf = requestUrl(config);
  const agents = new AgentService({ repo: store.agents, config: config.agents, clock, logger });
  const svc = inner.apiKeys;
  const keys: KeyManager = svc
    ? {
        create: (input) => svc.create(input),
        list: (opts) => svc.list(opts),
        get: (id) => svc.get(id),
        revoke: (id) => svc.revoke(id),
        rotate: (id, opts) =>
          svc.rotate(id, {
            ...(opts.overlapMs !== undefined ? { overlapMs: opts.overlapMs } : {}),
            ...(opts.expiresAt !== undefined ? { expiresAt: opts.expiresAt } : {}),
            createdBy: opts.createdBy,
          }),
        hygiene: (opts) => svc.hygiene(opts),
      }
    : { create: disabledKeys, list: disabledKeys, get: disabledKeys, revoke: disabledKeys, rotate: disabledKeys, hygiene: disabledKeys };
  return {
    authenticate: async (req) => {
      const principal = await inner.authenticate(req.headers, { sourceIp: sourceIp(req), method: req.method ?? 'GET', url: urlOf(req) });
      let agent: AgentCheck | null;
      try {
        agent = await agents.check(principal);
      } catch (e) {
        throw refusalOf(e as object, principal); // suspended, expired or unregistered: audit who
      }
      return {
        principal,
        keyLimits: principal.apiKeyId ? apiKeyLimitsOf(principal) : null,
        ...(agent === null ? {} : { details: agentDetails(agent) }),
      };
    },
    keys,
    agents,
    keysEnabled: svc !== null,
    oidc: inner.oidc,
    forgetCaches: () => {
      svc?.forgetAll();
      agents.forgetAll();
    },
    close: async () => {
      await agents.close();
      await inner.close();
    },
  };
}
