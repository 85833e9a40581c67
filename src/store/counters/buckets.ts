/**
 * Where the memory counters keep their buckets: a Map for one thread, or a hash table in a
 * SharedArrayBuffer that every thread of the process reads and writes under one lock, so that
 * with `server.threads` > 1 one limit holds across the data plane's threads, as Redis makes it hold
 * across instances.
 *
 * Both tables expire buckets with their window (on the caller's clock), sweep them regularly, and
 * refuse, rather than forget live counts, past `maxKeys` live buckets (forgetting would lift limits).
 */
import { RampartError } from '../../core/errors.ts';

/** Operations between two sweeps of expired buckets, unless told otherwise. */
export const SWEEP_EVERY = 10_000;

export interface BucketTableOptions {
  /** Most live buckets kept. */
  maxKeys: number;
  /** Operations between two sweeps of expired buckets. */
  sweepEvery: number;
}

export interface BucketTable {
  /** Runs `fn` with the table to itself: no other thread reads or writes a bucket meanwhile. */
  exclusive<T>(fn: () => T): T;
  /** Counts an operation, sweeps expired buckets when due; throws when the table is full. Inside `exclusive`. */
  housekeep(now: number): void;
  /** The bucket's value; 0 when it does not exist or has expired. Inside `exclusive`. */
  read(key: string, now: number): number;
  /** Adds to a bucket (never below zero), creating it, and sets its expiry. Inside `exclusive`. */
  add(key: string, amount: number, expiresAt: number, now: number): void;
  /** Buckets held, expired ones not yet swept included. */
  readonly size: number;
  clear(): void;
}

export function countersUnavailable(detail: string): RampartError {
  return new RampartError('RAMPART_COUNTERS_UNAVAILABLE', { detail });
}

interface Bucket {
  value: number;
  expiresAt: number;
}

/** One thread's buckets. Every call runs synchronously to its end, so `exclusive` needs no lock. */
export class MapBuckets implements BucketTable {
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;
  readonly #sweepEvery: number;
  #ops = 0;
  #latestNow = 0;
  /** Lower bound of every live bucket's expiry. */
  #earliestExpiry = Infinity;

  constructor(opts: BucketTableOptions) {
    this.#maxKeys = opts.maxKeys;
    this.#sweepEvery = opts.sweepEvery;
  }

  get size(): number {
    return this.#buckets.size;
  }

  exclusive<T>(fn: () => T): T {
    return fn();
  }

  housekeep(now: number): void {
    this.#latestNow = Math.max(this.#latestNow, now);
    const full = this.#buckets.size >= this.#maxKeys;
    // When full, sweep only once something can have expired: a sweep per request would be a
    // CPU sink exactly when the process is under pressure.
    if (++this.#ops >= this.#sweepEvery || (full && this.#latestNow >= this.#earliestExpiry)) {
      this.#ops = 0;
      let earliest = Infinity;
      for (const [key, b] of this.#buckets) {
        if (b.expiresAt <= this.#latestNow) this.#buckets.delete(key);
        else earliest = Math.min(earliest, b.expiresAt);
      }
      this.#earliestExpiry = earliest;
    }
    if (this.#buckets.size >= this.#maxKeys) throw countersUnavailable(`more than ${this.#maxKeys} live counters`);
  }

  read(key: string, now: number): number {
    const b = this.#buckets.get(key);
    if (!b) return 0;
    if (b.expiresAt <= now) {
      this.#buckets.delete(key);
      return 0;
    }
    return b.value;
  }

  add(key: string, amount: number, expiresAt: number, now: number): void {
    const b = this.#buckets.get(key);
    if (b && b.expiresAt > now) {
      b.value = Math.max(0, b.value + amount);
      b.expiresAt = expiresAt;
    } else {
      this.#buckets.set(key, { value: Math.max(0, amount), expiresAt });
    }
    if (expiresAt < this.#earliestExpiry) this.#earliestExpiry = expiresAt;
  }

  clear(): void {
    this.#buckets.clear();
  }
}

/** The shared memory of a SharedBuckets table, handed to other threads (structured clone shares it). */
export interface SharedBucketMemory {
  /** [lock, held, ops] as Int32; the lock word is 0 when free, else the owner's threadId + 1. */
  readonly header: SharedArrayBuffer;
  /** Slots of 24 bytes: key hash (2 × Int32), value (Float64), expiry (Float64). */
  readonly slots: SharedArrayBuffer;
  readonly maxKeys: number;
  readonly sweepEvery: number;
}

const LOCK = 0;
const HELD = 1;
const OPS = 2;
/** Spins before a blocked thread sleeps on the lock word (critical sections last microseconds). */
const SPINS = 200;

/**
 * Buckets in a SharedArrayBuffer: an open-addressing hash table with linear probing and
 * backward-shift deletion (no tombstones, so probe chains stay short under churn), guarded by
 * one lock taken with Atomics. Keys are kept as a 64-bit hash of the bucket name (two independent
 * 32-bit FNV-1a variants): two names sharing a hash would share a count, which at a million live
 * buckets happens with a probability around 10^-8. Written by hand because no maintained package
 * offers a string-keyed, cross-thread counter table over shared memory.
 *
 * A thread that dies holding the lock would stop every other: the thread that owns the workers
 * calls `releaseIfHeldBy` when one exits.
 */
export class SharedBuckets implements BucketTable {
  readonly memory: SharedBucketMemory;
  readonly #header: Int32Array;
  readonly #keys: Int32Array;
  readonly #nums: Float64Array;
  readonly #mask: number;
  readonly #owner: number;

  /** A new table for up to `maxKeys` live buckets (its memory is committed only as it is used). */
  static create(opts: BucketTableOptions, ownerId: number): SharedBuckets {
    let capacity = 1024;
    while (capacity < Math.ceil((opts.maxKeys * 4) / 3)) capacity *= 2;
    let slots: SharedArrayBuffer;
    try {
      slots = new SharedArrayBuffer(capacity * 24);
    } catch (e) {
      throw new RangeError(`cannot allocate shared counters for maxKeys ${opts.maxKeys} (${capacity * 24} bytes): lower counters.maxKeys`, { cause: e });
    }
    return new SharedBuckets({ header: new SharedArrayBuffer(16), slots, maxKeys: opts.maxKeys, sweepEvery: opts.sweepEvery }, ownerId);
  }

  /** The same table, seen from another thread (`ownerId`: that thread's threadId). */
  constructor(memory: SharedBucketMemory, ownerId: number) {
    this.memory = memory;
    this.#header = new Int32Array(memory.header);
    this.#keys = new Int32Array(memory.slots);
    this.#nums = new Float64Array(memory.slots);
    this.#mask = memory.slots.byteLength / 24 - 1;
    this.#owner = ownerId + 1;
  }

  get size(): number {
    return Atomics.load(this.#header, HELD);
  }

  exclusive<T>(fn: () => T): T {
    const h = this.#header;
    let spins = 0;
    while (Atomics.compareExchange(h, LOCK, 0, this.#owner) !== 0) {
      if (++spins > SPINS) {
        const holder = Atomics.load(h, LOCK);
        if (holder !== 0) Atomics.wait(h, LOCK, holder, 5);
      }
    }
    try {
      return fn();
    } finally {
      Atomics.store(h, LOCK, 0);
      Atomics.notify(h, LOCK, 1);
    }
  }

  /** Frees the lock if the thread `threadId` holds it (it exited inside a critical section). */
  releaseIfHeldBy(threadId: number): boolean {
    // A negative id (an exited Worker's threadId) would match the free lock word and "free" it.
    if (!Number.isInteger(threadId) || threadId < 0) throw new RangeError(`not a thread id: ${threadId}`);
    const freed = Atomics.compareExchange(this.#header, LOCK, threadId + 1, 0) === threadId + 1;
    if (freed) Atomics.notify(this.#header, LOCK);
    return freed;
  }

  housekeep(now: number): void {
    const h = this.#header;
    const full = h[HELD]! >= this.memory.maxKeys;
    if (++h[OPS]! >= this.memory.sweepEvery || full) {
      h[OPS] = 0;
      this.#sweep(now);
    }
    if (h[HELD]! >= this.memory.maxKeys) throw countersUnavailable(`more than ${this.memory.maxKeys} live counters`);
  }

  read(key: string, now: number): number {
    const s = this.#find(key);
    if (s < 0 || this.#nums[s * 3 + 2]! <= now) return 0;
    return this.#nums[s * 3 + 1]!;
  }

  add(key: string, amount: number, expiresAt: number, now: number): void {
    let s = this.#find(key);
    if (s < 0) {
      s = ~s;
      this.#keys[s * 6] = this.#h1;
      this.#keys[s * 6 + 1] = this.#h2;
      this.#nums[s * 3 + 1] = 0;
      this.#nums[s * 3 + 2] = 0;
      this.#header[HELD]!++;
    }
    const live = this.#nums[s * 3 + 2]! > now;
    this.#nums[s * 3 + 1] = Math.max(0, (live ? this.#nums[s * 3 + 1]! : 0) + amount);
    this.#nums[s * 3 + 2] = expiresAt;
  }

  clear(): void {
    this.exclusive(() => {
      this.#keys.fill(0);
      this.#header[HELD] = 0;
    });
  }

  #h1 = 0;
  #h2 = 0;

  /** The slot holding `key`, or the one's complement of the empty slot where it would go. */
  #find(key: string): number {
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    // (0, 0) marks an empty slot.
    if (a === 0 && b === 0) a = 1;
    this.#h1 = a;
    this.#h2 = b;
    const keys = this.#keys;
    for (let s = (a ^ Math.imul(b, 0x9e3779b1)) & this.#mask; ; s = (s + 1) & this.#mask) {
      const k1 = keys[s * 6]!;
      const k2 = keys[s * 6 + 1]!;
      if (k1 === a && k2 === b) return s;
      if (k1 === 0 && k2 === 0) return ~s;
    }
  }

  #home(s: number): number {
    return (this.#keys[s * 6]! ^ Math.imul(this.#keys[s * 6 + 1]!, 0x9e3779b1)) & this.#mask;
  }

  /** Removes every expired bucket, shifting the rest of each probe chain back (Knuth's algorithm R). */
  #sweep(now: number): void {
    const keys = this.#keys;
    const nums = this.#nums;
    const mask = this.#mask;
    for (let s = 0; s <= mask; s++) {
      while ((keys[s * 6] !== 0 || keys[s * 6 + 1] !== 0) && nums[s * 3 + 2]! <= now) {
        // Delete slot `hole`, then move back every later entry of the chain that may live there.
        let hole = s;
        for (let j = (hole + 1) & mask; keys[j * 6] !== 0 || keys[j * 6 + 1] !== 0; j = (j + 1) & mask) {
          const home = this.#home(j);
          const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
          if (stays) continue;
          keys[hole * 6] = keys[j * 6]!;
          keys[hole * 6 + 1] = keys[j * 6 + 1]!;
          nums[hole * 3 + 1] = nums[j * 3 + 1]!;
          nums[hole * 3 + 2] = nums[j * 3 + 2]!;
          hole = j;
        }
        keys[hole * 6] = 0;
        keys[hole * 6 + 1] = 0;
        this.#header[HELD]!--;
        // Slot `s` may now hold a moved entry: the loop checks it again.
      }
    }
  }
}
