/**
 * A bounded LRU map whose entries also expire at a given time. Used for verified tokens and API
 * key records, so its memory is bounded by `maxEntries` whatever callers send.
 */
import type { Clock } from '../core/clock.ts';

interface Entry<V> {
  value: V;
  expiresAt: number;
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

  get(key: K): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    if (this.#clock.now() >= entry.expiresAt) {
      this.#map.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (ms). Entries already expired are not stored. */
  set(key: K, value: V, expiresAt: number): void {
    if (this.#max === 0 || expiresAt <= this.#clock.now()) return;
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
