import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { threadId, Worker } from 'node:worker_threads';
import { isRampartError } from '../../src/core/errors.ts';
import { MapBuckets, SharedBuckets } from '../../src/store/counters/buckets.ts';
import { MemoryCounters } from '../../src/store/counters/memory-counters.ts';
import { countersContract } from './counters.contract.ts';

countersContract('memory shared by threads', {
  async open() {
    const counters = new MemoryCounters({ table: SharedBuckets.create({ maxKeys: 100_000, sweepEvery: 1_000 }, threadId) });
    return { counters, cleanup: () => counters.close() };
  },
});

describe('shared memory counters', () => {
  const minute = { kind: 'sliding', ms: 60_000 } as const;

  it('holds one limit across threads: exactly the limit is allowed, however the threads interleave', async () => {
    const table = SharedBuckets.create({ maxKeys: 10_000, sweepEvery: 1_000 }, threadId);
    const now = Date.UTC(2026, 0, 1, 0, 0, 30);
    const run = () =>
      new Promise<number>((resolve, reject) => {
        const w = new Worker(new URL('../support/shared-counters-worker.ts', import.meta.url), { workerData: { memory: table.memory, attempts: 4_000, now } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const allowed = await Promise.all([run(), run(), run()]);
    // 12 000 attempts against a limit of 5 000: without the lock the threads' read-then-add races
    // let more through.
    assert.equal(allowed.reduce((a, b) => a + b, 0), 5_000);
    const here = new MemoryCounters({ table });
    const r = await here.takeAll([{ key: 'shared-limit', cost: 1, limit: 5_000, window: minute }], now);
    assert.equal(r.allowed, false);
    assert.equal(r.results[0]!.used, 5_000);
  });

  it('keeps the same counts as the single-thread table through churn, expiry and sweeps', () => {
    const opts = { maxKeys: 3_000, sweepEvery: 97 };
    // A small table (4 096 slots) so that probe chains are long and sweeps shift them.
    const shared = SharedBuckets.create(opts, threadId);
    const plain = new MapBuckets(opts);
    let seed = 42;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let now = 1_000_000;
    for (let i = 0; i < 60_000; i++) {
      now += Math.floor(rand() * 20);
      const key = `k${Math.floor(rand() * 2_500)}`;
      const amount = Math.floor(rand() * 7) - 1;
      const expiresAt = now + 500 + Math.floor(rand() * 3_000);
      for (const t of [shared, plain]) {
        t.exclusive(() => {
          t.housekeep(now);
          if (amount !== 0) t.add(key, amount, expiresAt, now);
        });
      }
      const probe = `k${Math.floor(rand() * 2_500)}`;
      assert.equal(shared.exclusive(() => shared.read(probe, now)), plain.exclusive(() => plain.read(probe, now)), `${probe} at step ${i}`);
    }
    // Expired buckets were swept, not kept: the shared table holds about what the Map holds.
    assert.ok(shared.size < 3_000, `held: ${shared.size}`);
  });

  it('fails closed when full, and recovers once the buckets expire', async () => {
    const counters = new MemoryCounters({ table: SharedBuckets.create({ maxKeys: 1_000, sweepEvery: 100 }, threadId) });
    const now = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 1_000; i++) await counters.takeAll([{ key: `k${i}`, cost: 1, limit: 10, window: minute }], now);
    await assert.rejects(
      counters.takeAll([{ key: 'one-more', cost: 1, limit: 10, window: minute }], now),
      (e) => isRampartError(e) && e.code === 'RAMPART_COUNTERS_UNAVAILABLE',
    );
    const later = await counters.takeAll([{ key: 'one-more', cost: 1, limit: 10, window: minute }], now + 3 * 60_000);
    assert.equal(later.allowed, true);
  });

  it('frees a lock whose holder died, and only that holder\u2019s', () => {
    const table = SharedBuckets.create({ maxKeys: 1_000, sweepEvery: 100 }, threadId);
    const lock = new Int32Array(table.memory.header);
    Atomics.store(lock, 0, 77 + 1); // as if thread 77 had died inside a critical section
    assert.equal(table.releaseIfHeldBy(78), false);
    assert.equal(table.releaseIfHeldBy(77), true);
    assert.equal(table.exclusive(() => 'taken'), 'taken');
    // An exited Worker reports threadId -1, which would match the free lock word: refused.
    assert.throws(() => table.releaseIfHeldBy(-1), RangeError);
  });

  it('closing one thread\u2019s counters leaves the shared counts to the others', async () => {
    const table = SharedBuckets.create({ maxKeys: 1_000, sweepEvery: 100 }, threadId);
    const a = new MemoryCounters({ table });
    const b = new MemoryCounters({ table });
    const now = Date.UTC(2026, 0, 1);
    await a.takeAll([{ key: 'k', cost: 3, limit: 10, window: minute }], now);
    await a.close();
    const r = await b.takeAll([{ key: 'k', cost: 0, limit: 10, window: minute }], now);
    assert.equal(r.results[0]!.used, 3);
    assert.equal(b.shared, true);
  });
});
