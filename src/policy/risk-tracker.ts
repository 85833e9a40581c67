/**
 * Principal risk from recent guard blocks: a sliding count, per principal, of requests in which the
 * guard blocked a prompt attack (by default the `prompt_injection` and `jailbreak` categories).
 * `medium` and `high` blocked requests within the window raise the level; it decays as they age
 * out of the window.
 *
 * Fed by the guard's detection records where the app records them, and kept in memory: each
 * instance counts what it saw (behind a load balancer, an attacker spread over N instances needs
 * up to N times the threshold). Bounded: the least recently active principals are forgotten first.
 *
 * @example
 *   const risk = new RiskTracker({ windowMs: 15 * 60_000, medium: 2, high: 3, categories: ['prompt_injection'] });
 *   risk.observe(detection);           // from GuardStage's recordDetection
 *   risk.level('oidc:...#alice', now); // 'low' | 'medium' | 'high'
 */
import type { RiskLevel } from '../config/access.ts';
import type { DetectionRecord } from '../core/detection.ts';

export interface RiskTrackerOptions {
  readonly windowMs: number;
  readonly medium: number;
  readonly high: number;
  readonly categories: readonly string[];
  /** Principals remembered at most (default 100 000). */
  readonly maxPrincipals?: number;
}

interface Entry {
  /** Times of blocked requests, oldest first. */
  times: number[];
  lastRequest: string;
}

export class RiskTracker {
  readonly #opts: RiskTrackerOptions;
  readonly #max: number;
  readonly #byPrincipal = new Map<string, Entry>();

  constructor(opts: RiskTrackerOptions) {
    this.#opts = { ...opts, categories: [...opts.categories] };
    this.#max = opts.maxPrincipals ?? 100_000;
  }

  /** Counts a detection when it blocked a request of a counted category (once per request). */
  observe(d: Pick<DetectionRecord, 'principalId' | 'requestId' | 'category' | 'action' | 'time'>): void {
    if (d.principalId === null || d.action !== 'block' || !this.#counts(d.category)) return;
    const entry = this.#byPrincipal.get(d.principalId) ?? { times: [], lastRequest: '' };
    if (entry.lastRequest === d.requestId) return; // several findings of one request count once
    entry.lastRequest = d.requestId;
    this.#prune(entry, d.time);
    entry.times.push(d.time);
    if (entry.times.length > this.#opts.high) entry.times.shift(); // more than `high` changes nothing
    this.#byPrincipal.delete(d.principalId); // re-insert: Map order is least recently active first
    this.#byPrincipal.set(d.principalId, entry);
    if (this.#byPrincipal.size > this.#max) this.#byPrincipal.delete(this.#byPrincipal.keys().next().value!);
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
    const n = this.count(principalId, now);
    return n >= this.#opts.high ? 'high' : n >= this.#opts.medium ? 'medium' : 'low';
  }

  #counts(category: string): boolean {
    return this.#opts.categories.some((c) => category === c || category.startsWith(`${c}.`));
  }

  #prune(entry: Entry, now: number): void {
    const oldest = now - this.#opts.windowMs;
    while (entry.times.length > 0 && entry.times[0]! <= oldest) entry.times.shift();
  }
}
