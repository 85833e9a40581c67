/**
 * Principal risk across instances: two RiskTrackers (two gateway instances) share Redis counters;
 * blocks seen by either raise the principal's level on both, without the request path waiting.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RiskTracker } from '../../src/policy/risk-tracker.ts';
import { openCounters } from '../../src/store/counters/open-counters.ts';
import type { Counters } from '../../src/store/types.ts';
import { deleteRedisKeys, randomName, REDIS_URL, redisSkipReason, silent } from '../support/backends.ts';

const skip = await redisSkipReason();
const prefix = randomName('rampart-test-risk:');
const opened: Counters[] = [];
after(async () => {
  for (const c of opened) await c.close();
  if (!skip) await deleteRedisKeys(prefix);
});

const opts = { windowMs: 60_000, medium: 2, high: 3, categories: ['prompt_injection'] };
const block = (principalId: string, requestId: string, time: number) => ({ principalId, requestId, category: 'prompt_injection', action: 'block' as const, time });

async function redis(url = REDIS_URL): Promise<Counters> {
  const c = await openCounters({ kind: 'redis', url, keyPrefix: prefix, connectTimeoutMs: 1_000, commandTimeoutMs: 300 }, { logger: silent });
  opened.push(c);
  return c;
}

describe('shared principal risk', () => {
  it('raises the level on every instance when the blocks were spread over them', { skip }, async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const a = new RiskTracker(opts);
    const b = new RiskTracker(opts);
    a.share({ counters: await redis(), clock, refreshMs: 1_000 });
    b.share({ counters: await redis(), clock, refreshMs: 1_000 });
    const who = `oidc:https://idp.example.com#mallory-${prefix}`;
    a.observe(block(who, 'r1', now));
    b.observe(block(who, 'r2', now));
    a.observe(block(who, 'r3', now));
    a.observe(block(who, 'r3', now)); // a second finding of the same request counts once
    await Promise.all([a.settled(), b.settled()]);
    // Locally b saw one block (low); the cluster saw three. b's own write returned the cluster
    // count of its moment (the three writes race); once its cached count is older than
    // refreshMs, its next look reads the cluster again.
    assert.equal(b.count(who, now), 1);
    assert.notEqual(b.level(who, now), 'low', 'b knows the cluster count from its own write');
    now += 1_500;
    b.level(who, now);
    await b.settled();
    assert.equal(b.level(who, now), 'high');
    // A third instance that saw nothing: its first look starts a background read, then it knows.
    const c = new RiskTracker(opts);
    c.share({ counters: await redis(), clock, refreshMs: 1_000 });
    assert.equal(c.level(who, now), 'low', 'never waits for Redis on the request path');
    await c.settled();
    assert.equal(c.level(who, now), 'high');
    // Other principals are unaffected; the level decays once the window has passed.
    assert.equal(c.level(`${who}-other`, now), 'low');
    now += 61_000 * 2;
    c.level(who, now);
    await c.settled();
    assert.equal(c.level(who, now), 'low');
  });

  it('keeps counting locally when Redis goes away', { skip }, async () => {
    const errors: unknown[] = [];
    const gone = await openCounters({ kind: 'redis', url: REDIS_URL, keyPrefix: prefix, connectTimeoutMs: 200, commandTimeoutMs: 200 }, { logger: silent });
    await gone.close(); // every command fails from here on
    const now = Date.now();
    const t = new RiskTracker(opts);
    t.share({ counters: gone, clock: { now: () => now }, onError: (e) => errors.push(e) });
    for (const r of ['r1', 'r2', 'r3']) t.observe(block('p', r, now));
    await t.settled();
    assert.equal(t.level('p', now), 'high');
    assert.ok(errors.length > 0, 'the failure is reported');
  });
});
