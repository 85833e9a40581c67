/**
 * Counters in process memory, for one instance. Each call runs synchronously to the end, so
 * takeAll is atomic without locks. Buckets expire with their window (on the caller's clock) and
 * are swept regularly; past `maxKeys` live buckets, calls fail closed instead of growing without
 * bound or forgetting live counts (which would lift limits).
 */
import { RampartError } from '../../core/errors.ts';
import type { CounterAdjustment, CounterWindow, Counters, LimitCheck, LimitResult } from '../types.ts';
import { adjustmentBucket, bucketKeys, bucketStart, firstDenied, summarize, wholeUnits, type BucketKeys, type CheckState } from './window-math.ts';

export interface MemoryCountersOptions {
  /** Most live buckets kept; default 1 000 000 (a sliding window uses up to two per key). */
  maxKeys?: number;
  /** Operations between two sweeps of expired buckets; default 10 000. */
  sweepEvery?: number;
}

interface Bucket {
  value: number;
  expiresAt: number;
}

/** Bucket keys of one counter, with the window they were built for (copied: never the caller's object). */
interface CachedKeys {
  kind: CounterWindow['kind'];
  /** Sliding: the window length; fixed: its start. */
  a: number;
  /** Fixed: the window's end; sliding: 0. */
  b: number;
  /** Start of the bucket `keys.cur` names. */
  start: number;
  keys: BucketKeys;
}

/** Counters whose bucket keys are kept; past it the cache starts over (it is only a cache). */
const KEY_CACHE_MAX = 10_000;

/** True when `cached` names the buckets `bucketKeys(key, window, now)` would return. */
function sameBucket(cached: CachedKeys, window: CounterWindow, now: number): boolean {
  // An invalid clock goes to bucketKeys, which refuses it.
  if (!Number.isSafeInteger(now) || now < 0 || cached.kind !== window.kind) return false;
  if (window.kind === 'sliding') return cached.a === window.ms && now >= cached.start && now < cached.start + window.ms;
  return cached.a === window.startMs && cached.b === window.endMs;
}

export class MemoryCounters implements Counters {
  readonly kind = 'memory' as const;
  readonly #buckets = new Map<string, Bucket>();
  readonly #keyCache = new Map<string, CachedKeys>();
  readonly #maxKeys: number;
  readonly #sweepEvery: number;
  #ops = 0;
  #latestNow = 0;
  /** Lower bound of every live bucket's expiry. */
  #earliestExpiry = Infinity;
  #closed = false;

  constructor(opts: MemoryCountersOptions = {}) {
    this.#maxKeys = opts.maxKeys ?? 1_000_000;
    this.#sweepEvery = opts.sweepEvery ?? 10_000;
    if (!(this.#maxKeys >= 1) || !(this.#sweepEvery >= 1)) throw new RangeError('maxKeys and sweepEvery must be positive');
  }

  /** Live buckets, for metrics and tests. */
  get size(): number {
    return this.#buckets.size;
  }

  takeAll(checks: readonly LimitCheck[], nowMs: number): Promise<LimitResult> {
    try {
      this.#housekeep(nowMs);
      const keys: BucketKeys[] = [];
      const states: CheckState[] = [];
      for (const c of checks) {
        const k = this.#keysOf(c.key, c.window, nowMs);
        keys.push(k);
        states.push({ cur: this.#read(k.cur, nowMs), prev: k.prev ? this.#read(k.prev, nowMs) : 0 });
      }
      const denied = firstDenied(checks, states, nowMs);
      if (denied === -1) {
        for (let i = 0; i < checks.length; i++) this.#add(keys[i]!.cur, wholeUnits(checks[i]!.cost), keys[i]!.expiresAt, nowMs);
      }
      return Promise.resolve(summarize(checks, states, nowMs, denied));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  addAll(items: readonly CounterAdjustment[], nowMs: number): Promise<void> {
    try {
      this.#housekeep(nowMs);
      for (const item of items) {
        // Only a refund can go to an earlier bucket; everything else uses the cached current keys.
        const k = item.amount < 0 && item.atMs !== undefined ? adjustmentBucket(item.key, item.window, item.amount, item.atMs, nowMs) : this.#keysOf(item.key, item.window, nowMs);
        if (k) this.#add(k.cur, wholeUnits(item.amount), k.expiresAt, nowMs);
      }
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  ping(): Promise<void> {
    return this.#closed ? Promise.reject(unavailable('the counters are closed')) : Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#buckets.clear();
    this.#keyCache.clear();
    return Promise.resolve();
  }

  #read(key: string, now: number): number {
    const b = this.#buckets.get(key);
    if (!b) return 0;
    if (b.expiresAt <= now) {
      this.#buckets.delete(key);
      return 0;
    }
    return b.value;
  }

  #add(key: string, amount: number, expiresAt: number, now: number): void {
    if (amount === 0) return;
    const b = this.#buckets.get(key);
    // Counts never go below zero: a refund larger than what was counted is capped.
    if (b && b.expiresAt > now) {
      b.value = Math.max(0, b.value + amount);
      b.expiresAt = expiresAt;
    } else {
      this.#buckets.set(key, { value: Math.max(0, amount), expiresAt });
    }
    if (expiresAt < this.#earliestExpiry) this.#earliestExpiry = expiresAt;
  }

  /**
   * The bucket keys of a counter, built once per counter and bucket: the same few counters are
   * asked about on every request, and reusing the strings saves building and hashing them again.
   */
  #keysOf(key: string, window: CounterWindow, now: number): BucketKeys {
    const cached = this.#keyCache.get(key);
    if (cached && sameBucket(cached, window, now)) return cached.keys;
    const keys = bucketKeys(key, window, now);
    if (this.#keyCache.size >= KEY_CACHE_MAX) this.#keyCache.clear();
    this.#keyCache.set(
      key,
      window.kind === 'sliding'
        ? { kind: 'sliding', a: window.ms, b: 0, start: bucketStart(now, window.ms), keys }
        : { kind: 'fixed', a: window.startMs, b: window.endMs, start: window.startMs, keys },
    );
    return keys;
  }

  #housekeep(now: number): void {
    if (this.#closed) throw unavailable('the counters are closed');
    this.#latestNow = Math.max(this.#latestNow, now);
    const full = this.#buckets.size >= this.#maxKeys;
    // When full, sweep only once something can have expired: a sweep per request would be a
    // CPU sink exactly when the process is under pressure.
    if (++this.#ops >= this.#sweepEvery || (full && this.#latestNow >= this.#earliestExpiry)) {
      this.#ops = 0;
      this.#sweep();
    }
    if (this.#buckets.size >= this.#maxKeys) throw unavailable(`more than ${this.#maxKeys} live counters`);
  }

  #sweep(): void {
    let earliest = Infinity;
    for (const [key, b] of this.#buckets) {
      if (b.expiresAt <= this.#latestNow) this.#buckets.delete(key);
      else earliest = Math.min(earliest, b.expiresAt);
    }
    this.#earliestExpiry = earliest;
  }
}

function unavailable(detail: string): RampartError {
  return new RampartError('RAMPART_COUNTERS_UNAVAILABLE', { detail });
}
