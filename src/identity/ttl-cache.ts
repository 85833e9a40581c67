/**
 * A bounded map whose entries also expire at a given time. Used for verified tokens and API key
 * records, so its memory is bounded by `maxEntries` whatever callers send.
 *
 * Eviction is second-chance (CLOCK), an approximation of least-recently-used: a hit only marks its
 * entry used; when the map is full, the oldest entries that were used since they were last passed
 * over are moved to the back with the mark cleared, and the first unmarked one is evicted. A hit
 * on the request path then changes no map: moving the entry to the back on every hit (a delete
 * and a set, twice per request) left a hole in the map's backing table each time, which V8
 * rebuilds every few hits (128 → 75 ns per hit, docs/benchmarks.md session 13).
 *
 * Entries may also carry a refresh time before their expiry: a `get` past it still returns the
 * value and asks the caller, once, to reload it in the background. A key in steady use is then
 * reloaded before it expires, so requests do not queue behind the store read that an expiry would
 * make them wait for (every request arriving meanwhile waited: a latency spike every TTL). No entry
 * is ever served past its expiry, so the staleness bound callers promise is unchanged.
 */
import type { Clock } from '../core/clock.ts';

/** Callers that refresh ahead ask for a reload after this share of an entry's time to live. */
export const REFRESH_SHARE = 0.8;

interface Entry<V> {
  value: V;
  expiresAt: number;
  /** From then on a `get` with `onRefreshDue` asks for a reload (once per entry). */
  refreshAt: number;
  refreshAsked: boolean;
  /** Read since eviction last passed over it: it gets a second chance. */
  used: boolean;
}

export class TtlCache<K, V> {
  readonly #map = new Map<K, Entry<V>>();
  readonly #max: number;
  readonly #clock: Clock;

  constructor(maxEntries: number, clock: Clock) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
    this.#max = maxEntries;
    this.#clock = clock;
  }

  get size(): number {
    return this.#map.size;
  }

  /**
   * The value, unless missing or expired. Past the entry's refresh time, `onRefreshDue` is called
   * once for it (it must not throw; it starts a reload that will `set` the key again).
   */
  get(key: K, onRefreshDue?: (key: K) => void): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    const now = this.#clock.now();
    if (now >= entry.expiresAt) {
      this.#map.delete(key);
      return undefined;
    }
    entry.used = true;
    if (onRefreshDue !== undefined && now >= entry.refreshAt && !entry.refreshAsked) {
      entry.refreshAsked = true;
      onRefreshDue(key);
    }
    return entry.value;
  }

  /**
   * Stores `value` until `expiresAt` (ms), due for a background reload from `refreshAt` (default:
   * never before it expires). Entries already expired are not stored.
   */
  set(key: K, value: V, expiresAt: number, refreshAt: number = expiresAt): void {
    if (this.#max === 0 || expiresAt <= this.#clock.now()) return;
    this.#map.delete(key);
    // Room first, so that the entry being stored is not the one evicted.
    while (this.#map.size >= this.#max) this.#evictOne();
    this.#map.set(key, { value, expiresAt, refreshAt, refreshAsked: false, used: false });
  }

  /** Removes the oldest entry not read since it was last passed over; read ones go to the back, unmarked. */
  #evictOne(): void {
    // Ends within size + 1 steps: each entry passed over loses its mark.
    for (const [key, entry] of this.#map) {
      this.#map.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.#map.set(key, entry);
    }
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
