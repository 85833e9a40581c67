import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { openCounters } from '../../src/store/counters/open-counters.ts';
import { RedisCounters } from '../../src/store/counters/redis-counters.ts';
import type { Counters } from '../../src/store/types.ts';
import { countersContract } from './counters.contract.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { closedPort, deleteRedisKeys, randomName, REDIS_URL, redisSkipReason, silent } from '../support/backends.ts';

const skip = await redisSkipReason();

function redisConfig(keyPrefix: string, url = REDIS_URL) {
  return { kind: 'redis' as const, url, keyPrefix, connectTimeoutMs: 1_000, commandTimeoutMs: 500 };
}

countersContract('Redis', {
  skip,
  async open() {
    const prefix = randomName('rampart-test:');
    const counters = await openCounters(redisConfig(prefix), { logger: silent });
    return {
      counters,
      async cleanup() {
        await counters.close();
        await deleteRedisKeys(prefix);
      },
    };
  },
});

const isUnavailable = (e: unknown) => isRampartError(e) && e.code === 'RAMPART_COUNTERS_UNAVAILABLE';

describe('Redis counters', () => {
  it('enforces one limit across two instances with their own connections', { skip }, async () => {
    const prefix = randomName('rampart-test:');
    const a = await openCounters(redisConfig(prefix), { logger: silent });
    const b = await openCounters(redisConfig(prefix), { logger: silent });
    try {
      const now = Date.now();
      const check = [{ key: 'rpm:p:shared', cost: 1, limit: 30, window: { kind: 'sliding', ms: 60_000 } as const }];
      const calls = Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).takeAll(check, now));
      const results = await Promise.all(calls);
      assert.equal(results.filter((r) => r.allowed).length, 30);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await deleteRedisKeys(prefix);
    }
  });

  it('refuses to start when Redis does not answer, without leaking the password', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assert.rejects(openCounters(redisConfig('x:', `redis://:hunter2-secret@127.0.0.1:${port}`), { logger: silent }), (e) => {
      assert.ok(isUnavailable(e));
      assert.doesNotMatch((e as Error).message, /hunter2/);
      return true;
    });
    assert.ok(Date.now() - started < 2_000);
  });

  it('rejects promptly with RAMPART_COUNTERS_UNAVAILABLE when Redis is down', async () => {
    const port = await closedPort();
    const counters: Counters = new RedisCounters({ ...redisConfig('x:', `redis://127.0.0.1:${port}`), logger: silent });
    try {
      const started = Date.now();
      const check = [{ key: 'rpm:p:x', cost: 1, limit: 5, window: { kind: 'sliding', ms: 60_000 } as const }];
      await assert.rejects(counters.takeAll(check, Date.now()), isUnavailable);
      await assert.rejects(counters.addAll([{ key: 'x', amount: 1, window: check[0]!.window }], Date.now()), isUnavailable);
      await assert.rejects(counters.ping(), isUnavailable);
      assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
    } finally {
      await counters.close();
    }
  });

  it('fails closed while the link to Redis is cut, then recovers', { skip }, async () => {
    const prefix = randomName('rampart-test:');
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    const url = new URL(REDIS_URL);
    url.port = String(proxy.port);
    const counters = await openCounters(redisConfig(prefix, url.toString()), { logger: silent });
    try {
      const check = [{ key: 'rpm:p:y', cost: 1, limit: 5, window: { kind: 'sliding', ms: 60_000 } as const }];
      assert.equal((await counters.takeAll(check, Date.now())).allowed, true);
      proxy.cut();
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await assert.rejects(counters.takeAll(check, Date.now()), isUnavailable);
      assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
      proxy.restore();
      // ioredis reconnects on its own; calls succeed again and the count survived.
      let result = null;
      for (let i = 0; i < 50 && !result; i++) {
        await new Promise((r) => setTimeout(r, 100));
        result = await counters.takeAll(check, Date.now()).catch(() => null);
      }
      assert.ok(result, 'recovered after reconnect');
      assert.equal(result.results[0]!.used, 2);
    } finally {
      await counters.close();
      await proxy.close();
      await deleteRedisKeys(prefix);
    }
  });
  it('gives up after the command timeout when Redis hangs', { skip }, async () => {
    const prefix = randomName('rampart-test:');
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    const url = new URL(REDIS_URL);
    url.port = String(proxy.port);
    const counters = await openCounters({ ...redisConfig(prefix, url.toString()), commandTimeoutMs: 200 }, { logger: silent });
    try {
      proxy.stall();
      const started = Date.now();
      const check = [{ key: 'rpm:p:z', cost: 1, limit: 5, window: { kind: 'sliding', ms: 60_000 } as const }];
      await assert.rejects(counters.takeAll(check, Date.now()), isUnavailable);
      const took = Date.now() - started;
      assert.ok(took >= 150 && took < 1_000, `took ${took} ms`);
    } finally {
      proxy.restore();
      await counters.close();
      await proxy.close();
      await deleteRedisKeys(prefix);
    }
  });
});
