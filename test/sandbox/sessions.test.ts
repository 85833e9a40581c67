/**
 * Sessions and the pool: one caller's identifier is one environment, never another caller's;
 * caps answer RAMPART_SANDBOX_SESSION_LIMIT; an idle session is destroyed with its files (fake
 * clock); ending a session kills what runs in it; the pool hands out fresh environments and
 * refills in the background. Real programs run through a child_process test backend.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.ts';
import { isRampartError } from '../../src/core/errors.ts';
import { sandboxConfigSchema } from '../../src/config/sandbox.ts';
import type { SandboxLimits } from '../../src/sandbox/backend.ts';
import { EnvironmentPool } from '../../src/sandbox/pool.ts';
import { SessionManager } from '../../src/sandbox/sessions.ts';
import { ProcessBackend, type ProcessEnvironment } from './process-backend.ts';

const logger = pino({ level: 'silent' });
const limits: SandboxLimits = sandboxConfigSchema.parse({}).limits;
const IDLE_MS = 60_000;

function setup(o: { pool?: number; maxPerTenant?: number; maxTotal?: number; backend?: ProcessBackend } = {}) {
  const backend = o.backend ?? new ProcessBackend();
  const clock = new ManualClock();
  const pool = new EnvironmentPool({ backend, size: o.pool ?? 0, logger });
  const sessions = new SessionManager({ pool, clock, logger, idleTimeoutMs: IDLE_MS, maxPerTenant: o.maxPerTenant ?? 3, maxTotal: o.maxTotal ?? 10, sweepIntervalMs: 0 });
  const close = async () => {
    await sessions.close();
    await pool.close();
    await backend.close();
  };
  return { backend, clock, pool, sessions, close };
}

const envOf = (sessions: SessionManager, tenant: string, id: string) => sessions.run(tenant, id, { create: true, limits }, async (s) => s.env as ProcessEnvironment);
const py = (code: string, timeoutMs = 5_000) => ({ language: 'python' as const, code, limits: { ...limits, timeoutMs }, network: { mode: 'none' as const } });

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error & { headers?: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRampartError(e), `expected ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('sandbox sessions', () => {
  it('maps one caller\'s identifier to one environment that keeps its files between calls', async () => {
    const t = setup();
    try {
      const first = await envOf(t.sessions, 'key:alice', 'job-1');
      await t.sessions.run('key:alice', 'job-1', { create: true, limits }, (s) => s.env.exec(py("open('state.txt','w').write('42')")));
      const r = await t.sessions.run('key:alice', 'job-1', { create: true, limits }, (s) => s.env.exec(py("print(open('state.txt').read())")));
      assert.equal(r.stdout.trim(), '42');
      assert.equal(await envOf(t.sessions, 'key:alice', 'job-1'), first);
      assert.equal(t.backend.created, 1);
    } finally {
      await t.close();
    }
  });

  it('gives another caller naming the same identifier its own environment, which cannot see the first one\'s files', async () => {
    const t = setup();
    try {
      await t.sessions.run('key:alice', 'shared', { create: true, limits }, (s) => s.env.writeFile('secret.txt', Buffer.from('alice only')));
      const bobEnv = await envOf(t.sessions, 'key:bob', 'shared');
      assert.notEqual(bobEnv, await envOf(t.sessions, 'key:alice', 'shared'));
      assert.deepEqual(await bobEnv.listFiles(), []);
      assert.deepEqual(t.sessions.list('key:bob').map((s) => s.identifier), ['shared']);
      assert.equal(await t.sessions.end('key:bob', 'shared'), true);
      // Bob ending "his" shared session leaves Alice's alone.
      assert.deepEqual(t.sessions.list('key:alice').map((s) => s.identifier), ['shared']);
    } finally {
      await t.close();
    }
  });

  it('does not start a session for calls that only read (files, listing)', async () => {
    const t = setup();
    try {
      await rejectsWith(t.sessions.run('key:alice', 'nope', { create: false, limits }, async () => 1), 'RAMPART_NOT_FOUND');
      assert.equal(t.backend.created, 0);
      assert.equal(await t.sessions.end('key:alice', 'nope'), false);
    } finally {
      await t.close();
    }
  });

  it('refuses a caller\'s session over maxPerTenant with RAMPART_SANDBOX_SESSION_LIMIT and a Retry-After; others still get theirs', async () => {
    const t = setup({ maxPerTenant: 2 });
    try {
      await envOf(t.sessions, 'key:alice', 'a');
      t.clock.advance(10_000);
      await envOf(t.sessions, 'key:alice', 'b');
      const err = await rejectsWith(envOf(t.sessions, 'key:alice', 'c'), 'RAMPART_SANDBOX_SESSION_LIMIT');
      assert.match(err.message, /maxPerTenant 2/);
      assert.equal(err.headers?.['retry-after'], String((IDLE_MS - 10_000) / 1000));
      await envOf(t.sessions, 'key:alice', 'a'); // an existing one is still reachable
      await envOf(t.sessions, 'key:bob', 'c');
      await t.sessions.end('key:alice', 'a');
      await envOf(t.sessions, 'key:alice', 'c');
    } finally {
      await t.close();
    }
  });

  it('refuses any session over maxTotal', async () => {
    const t = setup({ maxPerTenant: 2, maxTotal: 2 });
    try {
      await envOf(t.sessions, 'key:alice', 'a');
      await envOf(t.sessions, 'key:bob', 'a');
      const err = await rejectsWith(envOf(t.sessions, 'key:carol', 'a'), 'RAMPART_SANDBOX_SESSION_LIMIT');
      assert.match(err.message, /maxTotal 2/);
    } finally {
      await t.close();
    }
  });

  it('counts a session being created against the cap (concurrent requests cannot overshoot)', async () => {
    const t = setup({ maxPerTenant: 2, backend: new ProcessBackend({ createDelayMs: 30 }) });
    try {
      const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((id) => envOf(t.sessions, 'key:alice', id)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
      assert.equal(t.backend.created, 2);
    } finally {
      await t.close();
    }
  });

  it('creates one environment when the same new identifier is named twice at once', async () => {
    const t = setup({ backend: new ProcessBackend({ createDelayMs: 30 }) });
    try {
      const [a, b] = await Promise.all([envOf(t.sessions, 'key:alice', 'x'), envOf(t.sessions, 'key:alice', 'x')]);
      assert.equal(a, b);
      assert.equal(t.backend.created, 1);
    } finally {
      await t.close();
    }
  });

  it('runs the calls of one session one at a time, in order', async () => {
    const t = setup();
    try {
      const order: string[] = [];
      const slow = t.sessions.run('key:alice', 's', { create: true, limits }, async (s) => {
        await s.env.exec(py('import time; time.sleep(0.2)'));
        order.push('slow');
      });
      const fast = t.sessions.run('key:alice', 's', { create: true, limits }, async () => {
        order.push('fast');
      });
      await Promise.all([slow, fast]);
      assert.deepEqual(order, ['slow', 'fast']);
    } finally {
      await t.close();
    }
  });

  it('destroys a session idle for the cooldown, with its files (fake clock)', async () => {
    const t = setup();
    try {
      const env = await envOf(t.sessions, 'key:alice', 'job');
      await env.writeFile('data.csv', Buffer.from('a,b\n'));
      t.clock.advance(IDLE_MS - 1);
      assert.equal(await t.sessions.sweep(), 0);
      assert.equal(env.destroyed, false);
      t.clock.advance(1);
      assert.equal(await t.sessions.sweep(), 1);
      assert.equal(env.destroyed, true);
      assert.equal(existsSync(env.dir), false);
      assert.deepEqual(t.sessions.list('key:alice'), []);
    } finally {
      await t.close();
    }
  });

  it('starts afresh when an expired session is named before the sweeper ran', async () => {
    const t = setup();
    try {
      const old = await envOf(t.sessions, 'key:alice', 'job');
      await old.writeFile('left-over.txt', Buffer.from('x'));
      t.clock.advance(IDLE_MS);
      const fresh = await envOf(t.sessions, 'key:alice', 'job');
      assert.notEqual(fresh, old);
      assert.equal(old.destroyed, true);
      assert.deepEqual(await fresh.listFiles(), []);
    } finally {
      await t.close();
    }
  });

  it('lets an expired session make room at the cap', async () => {
    const t = setup({ maxPerTenant: 1 });
    try {
      await envOf(t.sessions, 'key:alice', 'old');
      t.clock.advance(IDLE_MS);
      await envOf(t.sessions, 'key:alice', 'new');
      assert.deepEqual(t.sessions.list('key:alice').map((s) => s.identifier), ['new']);
    } finally {
      await t.close();
    }
  });

  it('never sweeps a session while a call runs in it, and counts idleness from the end of the call', async () => {
    const t = setup();
    try {
      let env!: ProcessEnvironment;
      const running = t.sessions.run('key:alice', 'busy', { create: true, limits }, async (s) => {
        env = s.env as ProcessEnvironment;
        t.clock.advance(IDLE_MS * 2);
        assert.equal(await t.sessions.sweep(), 0);
        return s.env.exec(py('print("still here")'));
      });
      assert.equal((await running).stdout.trim(), 'still here');
      assert.equal(await t.sessions.sweep(), 0);
      assert.equal(env.destroyed, false);
      assert.equal(t.sessions.list('key:alice')[0]!.expiresAt, t.clock.now() + IDLE_MS);
    } finally {
      await t.close();
    }
  });

  it('ends a session on request: the running program is killed and everything is destroyed', async () => {
    const t = setup();
    try {
      let env!: ProcessEnvironment;
      const running = t.sessions.run('key:alice', 'long', { create: true, limits }, (s) => {
        env = s.env as ProcessEnvironment;
        return s.env.exec({ ...py('import time; time.sleep(30)', 60_000), signal: s.signal });
      });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await t.sessions.end('key:alice', 'long'), true);
      const r = await running;
      assert.equal(r.killedBy, 'aborted');
      assert.equal(env.destroyed, true);
      await rejectsWith(t.sessions.run('key:alice', 'long', { create: false, limits }, async () => 1), 'RAMPART_NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('destroys every session on close and refuses later calls', async () => {
    const t = setup();
    await envOf(t.sessions, 'key:alice', 'a');
    await envOf(t.sessions, 'key:bob', 'b');
    await t.sessions.close();
    assert.equal(t.backend.live.size, 0);
    await rejectsWith(envOf(t.sessions, 'key:alice', 'a'), 'RAMPART_SANDBOX_UNAVAILABLE');
    await t.close();
  });

  it('forgets a session whose environment could not be created, so the caller can retry', async () => {
    let fail = true;
    const t = setup({ backend: new ProcessBackend({ failCreate: () => fail }), maxPerTenant: 1 });
    try {
      await assert.rejects(envOf(t.sessions, 'key:alice', 'a'), /create failed/);
      fail = false;
      await envOf(t.sessions, 'key:alice', 'a');
    } finally {
      await t.close();
    }
  });
});

describe('sandbox pool', () => {
  it('pre-starts environments and hands them out without waiting, then refills in the background', async () => {
    const backend = new ProcessBackend({ createDelayMs: 40 });
    const pool = new EnvironmentPool({ backend, size: 2, logger });
    try {
      pool.warm(limits);
      await pool.settled();
      assert.deepEqual(pool.stats(), { profiles: 1, idle: 2, creating: 0 });
      const start = performance.now();
      const { env, pooled } = await pool.take(limits);
      assert.equal(pooled, true);
      assert.ok(performance.now() - start < 20, 'taken from the pool, not created');
      assert.equal(pool.stats().creating, 1);
      await pool.settled();
      assert.equal(pool.stats().idle, 2);
      assert.equal(backend.created, 3);
      await env.destroy();
    } finally {
      await pool.close();
    }
  });

  it('never hands out one environment twice', async () => {
    const backend = new ProcessBackend();
    const pool = new EnvironmentPool({ backend, size: 2, logger });
    try {
      pool.warm(limits);
      await pool.settled();
      const taken = await Promise.all([1, 2, 3, 4].map(() => pool.take(limits)));
      assert.equal(new Set(taken.map((t) => t.env)).size, 4);
      await Promise.all(taken.map((t) => t.env.destroy()));
    } finally {
      await pool.close();
    }
  });

  it('keeps environments per limits profile, and at most maxProfiles profiles', async () => {
    const backend = new ProcessBackend();
    const pool = new EnvironmentPool({ backend, size: 1, maxProfiles: 1, logger });
    try {
      const big = { ...limits, diskBytes: limits.diskBytes * 2 };
      pool.warm(limits);
      pool.warm(big);
      await pool.settled();
      assert.deepEqual(pool.stats(), { profiles: 1, idle: 1, creating: 0 });
      const other = await pool.take(big);
      assert.equal(other.pooled, false);
      assert.equal(backend.createdLimits.at(-1)!.diskBytes, big.diskBytes);
      await other.env.destroy();
    } finally {
      await pool.close();
    }
  });

  it('with size 0, creates every environment on demand', async () => {
    const backend = new ProcessBackend();
    const pool = new EnvironmentPool({ backend, size: 0, logger });
    const { env, pooled } = await pool.take(limits);
    assert.equal(pooled, false);
    await env.destroy();
    await pool.close();
    assert.equal(backend.created, 1);
  });

  it('backs off when the backend cannot create, and still answers a take with the error', async () => {
    let attempts = 0;
    const backend = new ProcessBackend({ failCreate: () => (attempts++, true) });
    const pool = new EnvironmentPool({ backend, size: 2, logger });
    pool.warm(limits);
    await pool.settled();
    assert.equal(attempts, 2);
    await assert.rejects(pool.take(limits), /create failed/);
    await pool.settled();
    // Only the take's own attempt: the failed refill set a back-off, so no new refill round started.
    assert.equal(attempts, 3);
    await pool.close();
  });

  it('destroys idle environments, and those still starting, on close', async () => {
    const backend = new ProcessBackend({ createDelayMs: 30 });
    const pool = new EnvironmentPool({ backend, size: 3, logger });
    pool.warm(limits);
    await pool.close();
    assert.equal(backend.live.size, 0);
    await rejectsWith(pool.take(limits), 'RAMPART_SANDBOX_UNAVAILABLE');
  });
});
