/**
 * Remembers the DPoP proofs already used (RFC 9449 §11.1), for as long as a proof is acceptable.
 *
 * The in-memory store is bounded. When it is full of proofs that are still within their window it
 * refuses to record more (a coded 503) rather than forget one early: forgetting would let a
 * captured proof be replayed. Several gateway instances need a shared store (Redis `SET NX EX`).
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';

export interface DpopReplayStore {
  /**
   * Records `key` for `ttlSeconds`. Resolves true if the key was not seen within its ttl, false
   * when it was (a replay). Throwing refuses the proof as well (fail closed).
   */
  claim(key: string, ttlSeconds: number): Promise<boolean> | boolean;
}

export interface MemoryReplayStoreOptions {
  /** Proofs remembered at once (default 100 000: ~1 500 proofs/s with the default 65 s window). */
  maxEntries?: number;
  clock?: Clock;
}

const MAX_TTL_SECONDS = 86_400;

class MemoryReplayStore implements DpopReplayStore {
  readonly #max: number;
  readonly #clock: Clock;
  /** key -> expiry (ms). */
  readonly #expiry = new Map<string, number>();
  /** expiry second -> keys that expire by then, so pruning never scans every key. */
  readonly #buckets = new Map<number, string[]>();
  #prunedSecond = Number.NEGATIVE_INFINITY;

  constructor(max: number, clock: Clock) {
    this.#max = max;
    this.#clock = clock;
  }

  claim(key: string, ttlSeconds: number): boolean {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_TTL_SECONDS) throw new TypeError('ttlSeconds must be in (0, 86400]');
    const now = this.#clock.now();
    this.#prune(now, false);
    const until = this.#expiry.get(key);
    if (until !== undefined && until > now) return false;
    if (this.#expiry.size >= this.#max) {
      this.#prune(now, true);
      if (this.#expiry.size >= this.#max) {
        throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'The DPoP replay cache is full; retry shortly.' });
      }
    }
    const expiresAt = now + ttlSeconds * 1000;
    this.#expiry.set(key, expiresAt);
    const second = Math.ceil(expiresAt / 1000);
    const bucket = this.#buckets.get(second);
    if (bucket === undefined) this.#buckets.set(second, [key]);
    else bucket.push(key);
    return true;
  }

  /** Drops every bucket whose second has passed; at most once a second unless forced. */
  #prune(now: number, force: boolean): void {
    const second = Math.floor(now / 1000);
    if (!force && second === this.#prunedSecond) return;
    this.#prunedSecond = second;
    for (const [s, keys] of this.#buckets) {
      if (s * 1000 > now) continue;
      for (const k of keys) {
        // A key claimed again after it expired sits in a later bucket too: keep that claim.
        const until = this.#expiry.get(k);
        if (until !== undefined && until <= now) this.#expiry.delete(k);
      }
      this.#buckets.delete(s);
    }
  }
}

/**
 * The default replay store: one process, bounded memory.
 *
 * @example
 *   const verify = createDpopVerifier({ replay: createMemoryReplayStore({ maxEntries: 50_000 }) });
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): DpopReplayStore {
  const max = options.maxEntries ?? 100_000;
  if (!Number.isInteger(max) || max < 1) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'The DPoP replay store maxEntries must be a positive integer.' });
  }
  return new MemoryReplayStore(max, options.clock ?? systemClock);
}
