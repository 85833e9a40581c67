/**
 * Principal risk from recent guard blocks: a sliding count, per principal, of requests in which the
 * guard blocked a prompt attack (by default the `prompt_injection` and `jailbreak` categories).
 * `medium` and `high` blocked requests within the window raise the level; it decays as they age
 * out of the window.
 *
 * Fed by the guard's detection records where the app records them, and kept in memory. With
 * shared counters (Redis), every counted block is also added to a cluster-wide sliding counter
 * per principal, and the level is the higher of the local and the cluster count: an attacker
 * spread over N instances behind a load balancer reaches the threshold as fast as on one. The
 * request path never waits for Redis: `level` reads a cached cluster count and refreshes it in
 * the background when older than `refreshMs`, so another instance's blocks count from the
 * principal's next request on. Bounded: the least recently active principals are forgotten first.
 *
 * @example
 *   const risk = new RiskTracker({ windowMs: 15 * 60_000, medium: 2, high: 3, categories: ['prompt_injection'] });
 *   risk.observe(detection);           // from GuardStage's recordDetection
 *   risk.level('oidc:...#alice', now); // 'low' | 'medium' | 'high'
 */
import type { RiskLevel } from '../config/access.ts';
import type { DetectionRecord } from '../core/detection.ts';
import type { Counters } from '../store/types.ts';

export interface RiskTrackerOptions {
  readonly windowMs: number;
  readonly medium: number;
  readonly high: number;
  readonly categories: readonly string[];
  /** Principals remembered at most (default 100 000). */
  readonly maxPrincipals?: number;
}

/** Cluster-wide counts (Redis counters); not used for one instance (memory counters). */
export interface SharedRisk {
  readonly counters: Counters;
  readonly clock: { now(): number };
  /** How old a cached cluster count may be before it is read again (default 2000 ms). */
  readonly refreshMs?: number;
  readonly onError?: (err: unknown) => void;
}

/** No limit: the counter only counts (takeAll always has room). */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

interface Remote {
  count: number;
  fetchedAt: number;
  pending: boolean;
}

interface Entry {
  /** Times of blocked requests, oldest first. */
  times: number[];
}

/**
 * The requests already counted, by their guard context: the request id is the caller's
 * `x-request-id` and could be repeated on purpose to be counted once forever.
 */
const counted = new WeakSet<object>();

export class RiskTracker {
  readonly #opts: RiskTrackerOptions;
  #shared: SharedRisk | null = null;
  #refreshMs = 2_000;
  readonly #max: number;
  readonly #byPrincipal = new Map<string, Entry>();
  readonly #remote = new Map<string, Remote>();

  constructor(opts: RiskTrackerOptions) {
    this.#opts = { ...opts, categories: [...opts.categories] };
    this.#max = opts.maxPrincipals ?? 100_000;
  }

  /** Counts across instances from now on (set once the shared counters are open). */
  share(shared: SharedRisk): void {
    this.#shared = shared;
    this.#refreshMs = shared.refreshMs ?? 2_000;
  }

  /**
   * Counts a detection when it blocked a request of a counted category. `request` is the object
   * that stands for one request (the gateway's guard context): several findings of it count once.
   * Without one, every detection counts.
   */
  observe(d: Pick<DetectionRecord, 'principalId' | 'category' | 'action' | 'time'>, request?: object): void {
    if (d.principalId === null || d.action !== 'block' || !this.#counts(d.category)) return;
    if (request !== undefined) {
      if (counted.has(request)) return;
      counted.add(request);
    }
    const entry = this.#byPrincipal.get(d.principalId) ?? { times: [] };
    this.#prune(entry, d.time);
    entry.times.push(d.time);
    if (entry.times.length > this.#opts.high) entry.times.shift(); // more than `high` changes nothing
    this.#byPrincipal.delete(d.principalId); // re-insert: Map order is least recently active first
    this.#byPrincipal.set(d.principalId, entry);
    if (this.#byPrincipal.size > this.#max) this.#byPrincipal.delete(this.#byPrincipal.keys().next().value!);
    if (this.#shared) this.#sync(d.principalId, 1, d.time);
  }

  /** Blocked requests of the principal within the window ending at `now`. */
  count(principalId: string, now: number): number {
    const entry = this.#byPrincipal.get(principalId);
    if (!entry) return 0;
    this.#prune(entry, now);
    if (entry.times.length === 0) this.#byPrincipal.delete(principalId);
    return entry.times.length;
  }

  level(principalId: string, now: number): RiskLevel {
    let n = this.count(principalId, now);
    if (this.#shared) n = Math.max(n, this.#clusterCount(principalId));
    return n >= this.#opts.high ? 'high' : n >= this.#opts.medium ? 'medium' : 'low';
  }

  /** Settles the background reads and writes of cluster counts (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  readonly #inflight = new Set<Promise<void>>();

  /** The cached cluster count; refreshed in the background when stale. */
  #clusterCount(principalId: string): number {
    const shared = this.#shared!;
    const now = shared.clock.now();
    const r = this.#remote.get(principalId);
    if (r === undefined || (!r.pending && now - r.fetchedAt >= this.#refreshMs)) this.#sync(principalId, 0, now);
    return r?.count ?? 0;
  }

  /** Adds `cost` (0: only reads) to the principal's cluster counter and caches the count. */
  #sync(principalId: string, cost: number, time: number): void {
    const shared = this.#shared!;
    const r = this.#remote.get(principalId) ?? { count: 0, fetchedAt: 0, pending: false };
    r.pending = true;
    this.#remote.delete(principalId);
    this.#remote.set(principalId, r);
    if (this.#remote.size > this.#max) this.#remote.delete(this.#remote.keys().next().value!);
    const check = { key: `risk:${principalId}`, cost, limit: UNLIMITED, window: { kind: 'sliding' as const, ms: this.#opts.windowMs } };
    const p = shared.counters.takeAll([check], time).then(
      (res) => {
        r.count = res.results[0]?.used ?? r.count;
        r.fetchedAt = shared.clock.now();
        r.pending = false;
      },
      (err: unknown) => {
        r.fetchedAt = shared.clock.now(); // retry after refreshMs, not on every request
        r.pending = false;
        shared.onError?.(err);
      },
    );
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  #counts(category: string): boolean {
    return this.#opts.categories.some((c) => category === c || category.startsWith(`${c}.`));
  }

  #prune(entry: Entry, now: number): void {
    const oldest = now - this.#opts.windowMs;
    while (entry.times.length > 0 && entry.times[0]! <= oldest) entry.times.shift();
  }
}
