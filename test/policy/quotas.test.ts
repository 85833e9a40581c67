/**
 * QuotaService on memory counters with an explicit clock: the counters a subject is checked
 * against are built once per principal and deployment, so these check that they follow the month,
 * the limits the subject carries now, and that refunds land in the bucket they were counted in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../src/core/principal.ts';
import { isRampartError } from '../../src/core/errors.ts';
import { QuotaService, type QuotaSubject } from '../../src/policy/quotas.ts';
import { MemoryCounters } from '../../src/store/counters/memory-counters.ts';

const principal: Principal = Object.freeze({ id: 'key:abc', kind: 'app', roles: [], groups: [], authMethod: 'api-key', apiKeyId: 'abc' });

function subject(over: Partial<QuotaSubject> = {}): QuotaSubject {
  return { principal, keyLimits: null, deployment: 'chat', deploymentLimits: undefined, ...over };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRampartError(e), String(e));
    return e.code;
  }
  assert.fail('expected a refusal');
}

describe('QuotaService', () => {
  it('starts a new monthly budget when the month changes, with the same principal object', async () => {
    const quotas = new QuotaService(new MemoryCounters(), { apiKey: { tokensPerMonth: 100 } });
    const jan = Date.UTC(2026, 0, 31, 23, 59, 0);
    await quotas.reserve(subject(), 90, jan);
    assert.equal(await refusal(quotas.reserve(subject(), 20, jan + 1000)), 'RAMPART_BUDGET_EXCEEDED');
    const feb = Date.UTC(2026, 1, 1, 0, 0, 1);
    const r = await quotas.reserve(subject(), 90, feb);
    assert.equal(r.estimatedTokens, 90);
    assert.equal(await refusal(quotas.reserve(subject(), 20, feb + 1000)), 'RAMPART_BUDGET_EXCEEDED', "February's budget is counted");
    // Back in January (a clock set back): January's window again, still spent.
    assert.equal(await refusal(quotas.reserve(subject(), 20, jan + 2000)), 'RAMPART_BUDGET_EXCEEDED');
  });

  it('applies the limits the subject carries now, not the ones of its first request', async () => {
    const quotas = new QuotaService(new MemoryCounters(), {});
    const now = Date.UTC(2026, 5, 1, 12, 0, 0);
    const loose = { requestsPerMinute: 100 };
    for (let i = 0; i < 3; i++) await quotas.reserve(subject({ keyLimits: loose }), 1, now);
    // The key's record changed (e.g. rotated with tighter limits): a new limits object.
    const tight = { requestsPerMinute: 3 };
    assert.equal(await refusal(quotas.reserve(subject({ keyLimits: tight }), 1, now)), 'RAMPART_RATE_LIMITED');
    const r = await quotas.reserve(subject({ keyLimits: loose }), 1, now);
    assert.equal(r.headers['x-ratelimit-remaining-requests'], '96');
    // A deployment limit added later counts from then on.
    const r2 = await quotas.reserve(subject({ keyLimits: loose, deploymentLimits: { requestsPerMinute: 10 } }), 1, now);
    assert.equal(r2.headers['x-ratelimit-remaining-requests'], '9');
  });

  it('gives refunds back to the bucket the estimate went into, also after the minute turned', async () => {
    const quotas = new QuotaService(new MemoryCounters(), { principal: { tokensPerMinute: 1000 } });
    const t0 = Date.UTC(2026, 5, 1, 12, 0, 50);
    const first = await quotas.reserve(subject(), 400, t0);
    assert.equal(first.headers['x-ratelimit-remaining-tokens'], '600');
    // Actual usage 100: 300 back, in the same minute.
    await quotas.reconcile(first, 100, t0 + 1000);
    const second = await quotas.reserve(subject(), 400, t0 + 2000);
    assert.equal(second.headers['x-ratelimit-remaining-tokens'], '500');
    // Reconciled in the next minute: the refund goes to the minute it was counted in, which the
    // sliding window still weighs, so the room grows by the refund times that weight.
    const t1 = Date.UTC(2026, 5, 1, 12, 1, 30); // half way through the next minute
    const before = await quotas.reserve(subject(), 1, t1);
    await quotas.reconcile(second, 0, t1);
    const after = await quotas.reserve(subject(), 1, t1);
    const gained = Number(after.headers['x-ratelimit-remaining-tokens']) - Number(before.headers['x-ratelimit-remaining-tokens']);
    // 400 refunded into the previous minute, weighted 1/2 at t1; minus the 1 token of `after`.
    assert.equal(gained, 199);
  });
});
