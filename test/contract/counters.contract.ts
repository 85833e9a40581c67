/**
 * The counters contract: memory and Redis counters must pass this one suite. Time is injected
 * (`nowMs`), so windows are exercised without sleeping. Every test uses its own keys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CounterWindow, Counters, LimitCheck } from '../../src/store/types.ts';
import { randomName } from '../support/backends.ts';

export interface CountersContractOptions {
  skip?: string | false;
  open: () => Promise<{ counters: Counters; cleanup(): Promise<void> }>;
}

const MINUTE: CounterWindow = { kind: 'sliding', ms: 60_000 };

/** Start of the next minute bucket: near the real clock (Redis keys expire on it), unused so far. */
function nextBucket(): number {
  const now = Date.now();
  return now - (now % 60_000) + 60_000;
}

/** A time `fraction` of the way into the bucket `buckets` after `base`. */
function at(base: number, fraction: number, buckets = 0): number {
  return base + 60_000 * buckets + Math.round(60_000 * fraction);
}

function month(year: number, m: number): Extract<CounterWindow, { kind: 'fixed' }> {
  return { kind: 'fixed', startMs: Date.UTC(year, m, 1), endMs: Date.UTC(year, m + 1, 1) };
}

export function countersContract(name: string, opts: CountersContractOptions): void {
  describe(`counters contract: ${name}`, { skip: opts.skip }, () => {
    let counters: Counters;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ counters, cleanup } = await opts.open());
    });
    after(async () => {
      await cleanup?.();
    });
    const check = (key: string, limit: number, cost = 1, window: CounterWindow = MINUTE): LimitCheck => ({ key, cost, limit, window });

    it('allows up to the limit, then denies with a retry time', async () => {
      const base = nextBucket();
      const key = randomName('rpm:');
      const now = at(base, 0.1);
      for (let i = 1; i <= 3; i++) {
        const r = await counters.takeAll([check(key, 3)], now);
        assert.equal(r.allowed, true);
        assert.deepEqual({ used: r.results[0]!.used, remaining: r.results[0]!.remaining }, { used: i, remaining: 3 - i });
      }
      const denied = await counters.takeAll([check(key, 3)], now);
      assert.equal(denied.allowed, false);
      assert.equal(denied.deniedIndex, 0);
      assert.equal(denied.results[0]!.used, 3);
      // This bucket alone is full: room comes back once the next bucket has decayed it enough.
      assert.ok(denied.retryAfterMs > 0.9 * 60_000 - 6_000 && denied.retryAfterMs <= 2 * 60_000, String(denied.retryAfterMs));
      assert.equal(denied.retryAfterMs, denied.results[0]!.resetMs);
    });

    it('is all-or-nothing: a denied check adds nothing to the others', async () => {
      const base = nextBucket();
      const roomy = randomName('a:');
      const full = randomName('b:');
      const now = at(base, 0.2);
      assert.equal((await counters.takeAll([check(full, 1)], now)).allowed, true);
      const r = await counters.takeAll([check(roomy, 10, 4), check(full, 1)], now);
      assert.equal(r.allowed, false);
      assert.equal(r.deniedIndex, 1);
      assert.equal(r.results[0]!.used, 0, 'the roomy counter was not charged');
      const again = await counters.takeAll([check(roomy, 10, 4)], now);
      assert.equal(again.results[0]!.used, 4);
    });

    it('lets a sliding window decay with the previous bucket', async () => {
      const base = nextBucket();
      const key = randomName('tpm:');
      const t0 = at(base, 0.5);
      assert.equal((await counters.takeAll([check(key, 10, 10)], t0)).allowed, true);
      // Start of the next bucket: the previous one still counts fully.
      const t1 = at(base, 0, 1);
      const r1 = await counters.takeAll([check(key, 10, 1)], t1);
      assert.equal(r1.allowed, false);
      assert.ok(Math.abs(r1.retryAfterMs - 6_000) <= 1, `needs 10% of the bucket to pass: ${r1.retryAfterMs}`);
      // Halfway through it, half of the previous bucket remains: 5 used.
      const t2 = at(base, 0.5, 1);
      const r2 = await counters.takeAll([check(key, 10, 5)], t2);
      assert.equal(r2.allowed, true);
      assert.equal(r2.results[0]!.used, 10);
      assert.equal((await counters.takeAll([check(key, 10, 1)], t2)).allowed, false);
      // Two buckets later everything has expired.
      const r3 = await counters.takeAll([check(key, 10, 10)], at(base, 0.01, 3));
      assert.equal(r3.allowed, true);
    });

    it('resets a fixed monthly window when the next month starts', async () => {
      const key = randomName('budget:');
      const y = new Date().getUTCFullYear() + 1;
      const jan = month(y, 0);
      assert.equal((await counters.takeAll([check(key, 1000, 900, jan)], Date.UTC(y, 0, 3))).allowed, true);
      const late = await counters.takeAll([check(key, 1000, 200, jan)], Date.UTC(y, 0, 31));
      assert.equal(late.allowed, false);
      assert.equal(late.retryAfterMs, jan.endMs - Date.UTC(y, 0, 31));
      const feb = await counters.takeAll([check(key, 1000, 200, month(y, 1))], Date.UTC(y, 1, 1));
      assert.equal(feb.allowed, true);
      assert.equal(feb.results[0]!.used, 200);
    });

    it('reconciles with negative adjustments, never below zero', async () => {
      const base = nextBucket();
      const key = randomName('tpm:');
      const now = at(base, 0.3);
      await counters.takeAll([check(key, 150, 100)], now);
      await counters.addAll([{ key, amount: -60, window: MINUTE }], now);
      const r = await counters.takeAll([check(key, 150, 100)], now);
      assert.equal(r.allowed, true);
      assert.equal(r.results[0]!.used, 140);
      await counters.addAll([{ key, amount: -10_000, window: MINUTE }], now);
      assert.equal((await counters.takeAll([check(key, 150, 150)], now)).allowed, true);
      assert.equal((await counters.takeAll([check(key, 150, 1)], now)).allowed, false);
    });

    it('puts a refund back into the bucket its cost went to, even after the bucket changed', async () => {
      const base = nextBucket();
      const key = randomName('tpm:');
      const t0 = at(base, 0.99);
      // A long call reserved 6 000 tokens just before the minute turned and used 15.
      assert.equal((await counters.takeAll([check(key, 10_000, 6_000)], t0)).allowed, true);
      const t1 = at(base, 0.02, 1);
      await counters.addAll([{ key, amount: -5_985, window: MINUTE, atMs: t0 }], t1);
      const r = await counters.takeAll([check(key, 10_000, 6_000)], t1);
      assert.equal(r.allowed, true, 'the refund reached the bucket that holds the reservation');
      assert.ok(r.results[0]!.used < 6_020, `this call's 6 000 and only the 15 used before: ${r.results[0]!.used}`);
      // A refund whose bucket has expired is dropped: it cannot eat into newer traffic.
      const t2 = at(base, 0.5, 4);
      assert.equal((await counters.takeAll([check(key, 100, 100)], t2)).allowed, true);
      await counters.addAll([{ key, amount: -100, window: MINUTE, atMs: t0 }], t2);
      assert.equal((await counters.takeAll([check(key, 100, 1)], t2)).allowed, false, 'the current bucket is untouched');
    });

    it('adds positive adjustments that count against the limit', async () => {
      const key = randomName('budget:');
      const y = new Date().getUTCFullYear() + 1;
      const w = month(y, 4);
      await counters.addAll([{ key, amount: 990, window: w }], Date.UTC(y, 4, 2));
      const r = await counters.takeAll([check(key, 1000, 11, w)], Date.UTC(y, 4, 2));
      assert.equal(r.allowed, false);
      assert.equal(r.results[0]!.used, 990);
    });

    it('passes a zero-cost check only while the window is not exhausted', async () => {
      const base = nextBucket();
      const key = randomName('tpm:');
      const now = at(base, 0.4);
      assert.equal((await counters.takeAll([check(key, 5, 0)], now)).allowed, true);
      await counters.takeAll([check(key, 5, 5)], now);
      assert.equal((await counters.takeAll([check(key, 5, 0)], now)).allowed, false);
    });

    it('never lets a cost above the limit through', async () => {
      const base = nextBucket();
      const key = randomName('tpm:');
      const r = await counters.takeAll([check(key, 100, 101)], at(base, 0.1));
      assert.equal(r.allowed, false);
      assert.ok(r.retryAfterMs >= 0);
    });

    it('never exceeds the limit under many parallel calls', async () => {
      const base = nextBucket();
      const key = randomName('rpm:');
      const other = randomName('tpm:');
      const now = at(base, 0.6);
      const results = await Promise.all(
        Array.from({ length: 60 }, () => counters.takeAll([check(key, 25), check(other, 1000, 10)], now)),
      );
      assert.equal(results.filter((r) => r.allowed).length, 25);
      const after = await counters.takeAll([check(other, 1000, 0)], now);
      assert.equal(after.results[0]!.used, 250, 'the second counter was charged exactly for the allowed calls');
    });

    it('answers ping', async () => {
      await counters.ping();
    });
  });
}
