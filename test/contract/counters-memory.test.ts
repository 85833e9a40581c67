import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { MemoryCounters } from '../../src/store/counters/memory-counters.ts';
import { openCounters } from '../../src/store/counters/open-counters.ts';
import { countersContract } from './counters.contract.ts';
import { silent } from '../support/backends.ts';

countersContract('memory', {
  async open() {
    const counters = await openCounters({ kind: 'memory', maxKeys: 1_000_000 }, { logger: silent });
    return { counters, cleanup: () => counters.close() };
  },
});

describe('memory counters', () => {
  const minute = { kind: 'sliding', ms: 60_000 } as const;

  it('expires old buckets so memory stays bounded across many keys', async () => {
    const counters = new MemoryCounters({ maxKeys: 5_000, sweepEvery: 500 });
    const t0 = Date.UTC(2026, 0, 1);
    // 20 000 distinct keys over 20 minutes: far more than maxKeys, but few live at once.
    for (let i = 0; i < 20_000; i++) {
      const now = t0 + i * 60;
      const r = await counters.takeAll([{ key: `k${i}`, cost: 1, limit: 10, window: minute }], now);
      assert.equal(r.allowed, true);
    }
    assert.ok(counters.size <= 5_000, `live buckets: ${counters.size}`);
  });

  it('fails closed when live buckets exceed maxKeys instead of forgetting counts', async () => {
    const counters = new MemoryCounters({ maxKeys: 1_000, sweepEvery: 100 });
    const now = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 1_000; i++) await counters.takeAll([{ key: `k${i}`, cost: 1, limit: 10, window: minute }], now);
    await assert.rejects(
      counters.takeAll([{ key: 'one-more', cost: 1, limit: 10, window: minute }], now),
      (e) => isRampartError(e) && e.code === 'RAMPART_COUNTERS_UNAVAILABLE',
    );
    // Once the window has passed, the buckets expire and calls succeed again.
    const later = await counters.takeAll([{ key: 'one-more', cost: 1, limit: 10, window: minute }], now + 3 * 60_000);
    assert.equal(later.allowed, true);
  });

  it('rejects calls after close', async () => {
    const counters = new MemoryCounters();
    await counters.close();
    await assert.rejects(counters.ping(), (e) => isRampartError(e) && e.code === 'RAMPART_COUNTERS_UNAVAILABLE');
  });
});
