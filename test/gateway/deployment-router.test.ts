/**
 * The router's retry rules with scripted targets (no network): Retry-After within the router's
 * patience is the wait; a longer one takes that target out of the call instead of calling it early.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeploymentRouter } from '../../src/gateway/deployment-router.ts';
import { httpFailure } from '../../src/gateway/upstream-failures.ts';
import type { ProviderTarget, UpstreamSuccess } from '../../src/gateway/providers/provider.ts';
import { RampartError } from '../../src/core/errors.ts';

type Step = { status: number; retryAfter?: string } | 'ok';

/** A target that answers its steps in order (the last one repeats) and counts its calls. */
function target(label: string, priority: number, steps: Step[]) {
  let i = 0;
  const t = {
    label,
    calls: 0,
    options: { priority, weight: 1 },
    supports: () => true,
    close: async () => {},
    async call(): Promise<UpstreamSuccess> {
      t.calls++;
      const step = steps[Math.min(i++, steps.length - 1)]!;
      if (step === 'ok') return { status: 200, json: { from: label } };
      throw httpFailure(step.status, step.retryAfter ? { 'retry-after': step.retryAfter } : {}, { error: { message: 'busy' } });
    },
  };
  return t;
}

function router(targets: ReturnType<typeof target>[], waits: number[]) {
  return new DeploymentRouter('d', targets as unknown as ProviderTarget[], { attempts: 3, backoffMs: 100, maxBackoffMs: 2000 }, {
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

const call = (r: DeploymentRouter) => r.call('chat.completions', {}, { stream: false, signal: new AbortController().signal, requestId: 'r' });

describe('deployment router: Retry-After', () => {
  it('waits what the upstream asked when it is within maxBackoffMs', async () => {
    const waits: number[] = [];
    const a = target('a', 0, [{ status: 429, retryAfter: '1' }, 'ok']);
    const routed = await call(router([a], waits));
    assert.deepEqual(waits, [1000]);
    assert.equal(a.calls, 2);
    assert.deepEqual(routed.result.json, { from: 'a' });
  });

  it('does not call a target again sooner than it asked: one call, then its 429 and Retry-After', async () => {
    const waits: number[] = [];
    const a = target('a', 0, [{ status: 429, retryAfter: '30' }]);
    await assert.rejects(call(router([a], waits)), (e: RampartError) => {
      assert.equal(e.status, 429);
      assert.equal(e.headers?.['retry-after'], '30');
      return true;
    });
    assert.equal(a.calls, 1);
    assert.deepEqual(waits, []);
  });

  it('fails over past a target that asked for a long rest, and keeps retrying the others with backoff', async () => {
    const waits: number[] = [];
    const a = target('a', 0, [{ status: 429, retryAfter: '30' }]);
    const b = target('b', 1, [{ status: 503 }, 'ok']);
    const routed = await call(router([a, b], waits));
    assert.deepEqual(routed.result.json, { from: 'b' });
    assert.equal(a.calls, 1, 'the resting target is not called again');
    assert.equal(b.calls, 2);
    assert.equal(waits.length, 1, 'the second round still backs off');
  });
});
