/**
 * Counters in process memory. For one thread the buckets are a Map, and each call runs
 * synchronously to its end, so takeAll is atomic without locks; with `server.threads` > 1 they are
 * a table in shared memory (buckets.ts) that each call holds to itself, so one limit holds across
 * the threads. Buckets expire with their window (on the caller's clock) and are swept regularly;
 * past `maxKeys` live buckets, calls fail closed instead of growing without bound or forgetting live
 * counts (which would lift limits).
 */
import type { CounterAdjustment, CounterWindow, Counters, LimitCheck, LimitResult } from '../types.ts';
import { bucketKeys, bucketStart, firstDenied, summarize, wholeUnits, type BucketKeys, type CheckState } from './window-math.ts';
import { countersUnavailable, MapBuckets, SWEEP_EVERY, type BucketTable } from './buckets.ts';

export interface MemoryCountersOptions {
  /** Most live buckets kept; default 1 000 000 (a sliding window uses up to two per key). */
  maxKeys?: number;
  /** Operations between two sweeps of expired buckets; default 10 000. */
  sweepEvery?: number;
  /** Buckets shared with other threads (SharedBuckets); default: this thread's own. */
  table?: BucketTable;
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
  readonly shared: boolean;
  readonly #table: BucketTable;
  readonly #keyCache = new Map<string, CachedKeys>();
  #closed = false;

  constructor(opts: MemoryCountersOptions = {}) {
    const maxKeys = opts.maxKeys ?? 1_000_000;
    const sweepEvery = opts.sweepEvery ?? SWEEP_EVERY;
    if (!(maxKeys >= 1) || !(sweepEvery >= 1)) throw new RangeError('maxKeys and sweepEvery must be positive');
    this.#table = opts.table ?? new MapBuckets({ maxKeys, sweepEvery });
    this.shared = opts.table !== undefined;
  }

  /** Buckets held, for metrics and tests. */
  get size(): number {
    return this.#table.size;
  }

  takeAll(checks: readonly LimitCheck[], nowMs: number): Promise<LimitResult> {
    try {
      // Bucket names are built outside the table's lock.
      const keys = checks.map((c) => this.#keysOf(c.key, c.window, nowMs));
      const t = this.#table;
      return Promise.resolve(
        t.exclusive(() => {
          this.#housekeep(nowMs);
          const states: CheckState[] = keys.map((k) => ({ cur: t.read(k.cur, nowMs), prev: k.prev ? t.read(k.prev, nowMs) : 0 }));
          const denied = firstDenied(checks, states, nowMs);
          if (denied === -1) {
            for (let i = 0; i < checks.length; i++) this.#add(keys[i]!.cur, wholeUnits(checks[i]!.cost), keys[i]!.expiresAt, nowMs);
          }
          return summarize(checks, states, nowMs, denied);
        }),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  addAll(items: readonly CounterAdjustment[], nowMs: number): Promise<void> {
    try {
      // Only a refund can go to an earlier bucket (the one current at `atMs`), and one whose
      // bucket has expired has nothing left to correct; both through the cached keys, since the
      // refund of a request almost always falls in the bucket it was counted in.
      const keys = items.map((item) => {
        const at = item.amount < 0 && item.atMs !== undefined && item.atMs <= nowMs ? item.atMs : nowMs;
        const k = this.#keysOf(item.key, item.window, at);
        return k.expiresAt > nowMs ? k : null;
      });
      this.#table.exclusive(() => {
        this.#housekeep(nowMs);
        items.forEach((item, i) => {
          const k = keys[i];
          if (k) this.#add(k.cur, wholeUnits(item.amount), k.expiresAt, nowMs);
        });
      });
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  ping(): Promise<void> {
    return this.#closed ? Promise.reject(countersUnavailable('the counters are closed')) : Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    // Shared buckets belong to every thread: only this thread's own are dropped.
    if (!this.shared) this.#table.clear();
    this.#keyCache.clear();
    return Promise.resolve();
  }

  #add(key: string, amount: number, expiresAt: number, now: number): void {
    // Counts never go below zero: a refund larger than what was counted is capped.
    if (amount !== 0) this.#table.add(key, amount, expiresAt, now);
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
    if (this.#closed) throw countersUnavailable('the counters are closed');
    this.#table.housekeep(now);
  }
}
