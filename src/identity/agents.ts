/**
 * The agent inventory over an `AgentRepo`: register, list, update, suspend and resume agents, a
 * review of stale ones, and the request-path check of agent principals.
 *
 * On the request path (`check`), a principal of kind `agent` is looked up by its principal id and
 * its OAuth client id (see agentIdentityKey). The lookup is cached for `cacheTtlMs`, misses too,
 * and the cache is dropped on every inventory write of this instance, so a suspension here is
 * effective at once (on other instances within `cacheTtlMs`).
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Principal } from '../core/principal.ts';
import type { AgentsConfig } from '../config/agents.ts';
import type { AgentPatch, AgentRecord, AgentRepo, AgentStatus, Page } from '../store/types.ts';
import { parseInput } from '../config/load.ts';
import { agentState, agentView, registerAgentSchema, updateAgentSchema, type AgentView, type RegisterAgentInput, type UpdateAgentInput } from './agent-input.ts';
import { LastUsedTracker, type WarnLogger } from './last-used.ts';
import { REFRESH_SHARE, TtlCache } from './ttl-cache.ts';

const DAY_MS = 86_400_000;
const AGENT_ID = /^agt_[A-Za-z0-9_-]{1,64}$/;

export interface AgentServiceOptions {
  repo: AgentRepo;
  config?: Partial<AgentsConfig>;
  clock?: Clock;
  logger?: WarnLogger;
  /** Bound of the lookup cache (default 10 000). */
  cacheMaxEntries?: number;
}

/** What the request path learned about an agent principal. */
export type AgentCheck =
  | { readonly kind: 'registered'; readonly agent: AgentRecord }
  /** Not in the inventory and `agents.unregistered: flag`: let through, marked for security. */
  | { readonly kind: 'shadow' }
  /** Not in the inventory and `agents.unregistered: allow`. */
  | { readonly kind: 'unregistered' };

export interface AgentReviewItem {
  readonly agent: AgentView;
  readonly reasons: readonly ('unseen' | 'never-seen' | 'expired' | 'no-owner')[];
}

/** The registered agent a principal was matched to on this request (read by the policy scope). */
const matched = new WeakMap<Principal, AgentRecord>();

export function agentOf(principal: Principal): AgentRecord | undefined {
  return matched.get(principal);
}

/**
 * The identity keys a principal may be registered under, most specific first: its id, its client
 * at its issuer, then its client id alone (a `client` binding that names no issuer).
 */
export function identityKeysOf(principal: Principal): string[] {
  const keys = [`principal:${principal.id}`];
  if (principal.clientId !== undefined) {
    if (principal.issuer !== undefined) keys.push(`client:${principal.issuer}#${principal.clientId}`);
    keys.push(`client:${principal.clientId}`);
  }
  return keys;
}

export class AgentService {
  readonly #repo: AgentRepo;
  readonly #clock: Clock;
  readonly #unregistered: AgentsConfig['unregistered'];
  readonly #cacheTtlMs: number;
  /** Lookups by identity keys (joined), with the keys themselves for a background reload. */
  readonly #cache: TtlCache<string, { agent: AgentRecord | null; keys: readonly string[] }>;
  readonly #logger: AgentServiceOptions['logger'];
  readonly #lastSeen: LastUsedTracker;
  /** Bumped by every write so a read that started before it is not cached after it. */
  #epoch = 0;

  constructor(opts: AgentServiceOptions) {
    const c = opts.config ?? {};
    this.#repo = opts.repo;
    this.#clock = opts.clock ?? systemClock;
    this.#unregistered = c.unregistered ?? 'flag';
    this.#cacheTtlMs = c.cacheTtlMs ?? 5_000;
    this.#cache = new TtlCache(this.#cacheTtlMs > 0 ? (opts.cacheMaxEntries ?? 10_000) : 0, this.#clock);
    this.#logger = opts.logger;
    this.#lastSeen = new LastUsedTracker(opts.repo, { intervalMs: c.lastSeenFlushMs ?? 10_000, logger: opts.logger });
  }

  /**
   * @example
   *   await agents.register({ name: 'triage-bot', binding: { type: 'client', clientId: appId }, owner: 'team-soc', allowedDeployments: ['chat'] }, admin.id);
   */
  async register(input: RegisterAgentInput, createdBy: string | null): Promise<AgentView> {
    const req = parseInput(registerAgentSchema, input);
    const now = this.#clock.now();
    const record: AgentRecord = {
      id: newId('agt'),
      ...req,
      allowedDeployments: [...new Set(req.allowedDeployments)],
      allowedTools: [...new Set(req.allowedTools)],
      datasets: [...new Set(req.datasets)],
      status: 'active',
      createdAt: now,
      createdBy,
      updatedAt: now,
      lastSeenAt: null,
    };
    await this.#repo.insert(record);
    this.#invalidate();
    return agentView(record, now);
  }

  async get(id: string): Promise<AgentView | null> {
    if (!AGENT_ID.test(id)) return null;
    const rec = await this.#repo.get(id);
    return rec === null ? null : agentView(rec, this.#clock.now(), this.#lastSeen.pending(id));
  }

  async list(opts: { status?: AgentStatus; limit?: number; cursor?: string | null } = {}): Promise<Page<AgentView>> {
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'limit: must be an integer from 1 to 1000', param: 'limit' });
    }
    const page = await this.#repo.list({ ...(opts.status ? { status: opts.status } : {}), limit, cursor: opts.cursor ?? null });
    const now = this.#clock.now();
    return { items: page.items.map((r) => agentView(r, now, this.#lastSeen.pending(r.id))), nextCursor: page.nextCursor };
  }

  update(id: string, input: UpdateAgentInput): Promise<AgentView> {
    const patch = parseInput(updateAgentSchema, input);
    return this.#write(id, {
      ...patch,
      ...(patch.allowedDeployments ? { allowedDeployments: [...new Set(patch.allowedDeployments)] } : {}),
      ...(patch.allowedTools ? { allowedTools: [...new Set(patch.allowedTools)] } : {}),
      ...(patch.datasets ? { datasets: [...new Set(patch.datasets)] } : {}),
    });
  }

  /** Refuses the agent's requests from now on (this instance at once; others within `cacheTtlMs`). */
  suspend(id: string): Promise<AgentView> {
    return this.#write(id, { status: 'suspended' });
  }

  resume(id: string): Promise<AgentView> {
    return this.#write(id, { status: 'active' });
  }

  /** Agents that need a look: not seen for `unseenDays` (never, and registered that long ago), expired, or without an owner. */
  async review(opts: { unseenDays: number }): Promise<{ unseenDays: number; items: AgentReviewItem[] }> {
    const now = this.#clock.now();
    const items: AgentReviewItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.#repo.list({ limit: 500, cursor });
      for (const rec of page.items) {
        const lastSeen = Math.max(rec.lastSeenAt ?? 0, this.#lastSeen.pending(rec.id) ?? 0) || null;
        const reasons: AgentReviewItem['reasons'][number][] = [];
        if (lastSeen === null) {
          if (now - rec.createdAt >= opts.unseenDays * DAY_MS) reasons.push('never-seen');
        } else if (now - lastSeen >= opts.unseenDays * DAY_MS) reasons.push('unseen');
        if (agentState(rec, now) === 'expired') reasons.push('expired');
        if (rec.owner === null) reasons.push('no-owner');
        if (reasons.length > 0) items.push({ agent: agentView(rec, now, this.#lastSeen.pending(rec.id)), reasons });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return { unseenDays: opts.unseenDays, items };
  }

  /**
   * The request-path check of a principal: its inventory entry when one is registered for it,
   * whatever kind the principal is (an agent registered for an app-kind API key or a
   * client-credentials token is still suspended, expired and scoped); for an unregistered agent,
   * what `agents.unregistered` says; null for anything else. Throws RAMPART_AGENT_SUSPENDED /
   * _EXPIRED / _UNREGISTERED.
   */
  async check(principal: Principal): Promise<AgentCheck | null> {
    const keys = identityKeysOf(principal);
    const cacheKey = keys.join('\n');
    let agent = this.#cache.get(cacheKey, this.#refresh)?.agent;
    if (agent === undefined) {
      const epoch = this.#epoch;
      try {
        agent = await this.#repo.findByIdentity(keys);
      } catch (e) {
        // Users and apps did not depend on the inventory before it could hold them: a store that
        // is down does not lock them out (their registration, if any, is checked once it answers).
        // Agents fail closed, as before.
        if (principal.kind === 'agent') throw e;
        return null;
      }
      if (epoch === this.#epoch) this.#remember(cacheKey, keys, agent);
    }
    if (agent === null) {
      matched.delete(principal);
      if (principal.kind !== 'agent') return null;
      if (this.#unregistered === 'block') throw new RampartError('RAMPART_AGENT_UNREGISTERED', { detail: 'Register it with `rampart agents register`.' });
      return { kind: this.#unregistered === 'flag' ? 'shadow' : 'unregistered' };
    }
    const now = this.#clock.now();
    const state = agentState(agent, now);
    if (state === 'suspended') throw new RampartError('RAMPART_AGENT_SUSPENDED', { detail: `Agent ${agent.id}.` });
    if (state === 'expired') throw new RampartError('RAMPART_AGENT_EXPIRED', { detail: `Agent ${agent.id}.` });
    this.#lastSeen.record(agent.id, now);
    matched.set(principal, agent);
    return { kind: 'registered', agent };
  }

  #remember(cacheKey: string, keys: readonly string[], agent: AgentRecord | null): void {
    const now = this.#clock.now();
    this.#cache.set(cacheKey, { agent, keys }, now + this.#cacheTtlMs, now + REFRESH_SHARE * this.#cacheTtlMs);
  }

  /**
   * A lookup in use is read again in the last fifth of its cache time, in the background
   * (ttl-cache.ts), so its requests do not all wait for the store at expiry. A failed read leaves
   * the entry to expire; the next request then reads (and fails) as before.
   */
  readonly #refresh = (cacheKey: string): void => {
    const cached = this.#cache.get(cacheKey);
    if (cached === undefined) return;
    const epoch = this.#epoch;
    const failed = (err: unknown) => this.#logger?.warn({ err }, 'agent inventory refresh failed; the cached lookup expires as usual');
    let read: Promise<AgentRecord | null>;
    try {
      read = this.#repo.findByIdentity(cached.keys);
    } catch (e) {
      failed(e); // never into the request that happened to ask
      return;
    }
    read.then((agent) => {
      if (epoch === this.#epoch) this.#remember(cacheKey, cached.keys, agent);
    }, failed);
  };

  /** Writes collected last-seen times now (also done on an interval). */
  flushLastSeen(): Promise<void> {
    return this.#lastSeen.flush();
  }

  close(): Promise<void> {
    return this.#lastSeen.close();
  }

  async #write(id: string, patch: AgentPatch): Promise<AgentView> {
    const rec = AGENT_ID.test(id) ? await this.#repo.update(id, patch, this.#clock.now()) : null;
    this.#invalidate();
    if (rec === null) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such agent.' });
    return agentView(rec, this.#clock.now(), this.#lastSeen.pending(id));
  }

  /** Drops every cached lookup: another thread changed the inventory (server/threads.ts). */
  forgetAll(): void {
    this.#invalidate();
  }

  #invalidate(): void {
    this.#epoch++;
    this.#cache.clear();
  }
}
