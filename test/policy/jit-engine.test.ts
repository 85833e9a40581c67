/**
 * The JIT wrapper on its own: two instances over one store (an approval on one counts on the
 * other after its reload), exact expiry on the clock, eligibility re-checked, fail closed when
 * the store stops answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { AuditEvent } from '../../src/core/audit-event.ts';
import type { Principal } from '../../src/core/principal.ts';
import { ElevationService } from '../../src/identity/elevations.ts';
import { Eligibility } from '../../src/policy/jit-eligibility.ts';
import { JitPolicyEngine } from '../../src/policy/jit-engine.ts';
import { RoleEngine } from '../../src/policy/role-engine.ts';
import { openPgliteTestStore, silent, type TestStore } from '../support/backends.ts';

const T0 = Date.UTC(2026, 5, 1);
let t: TestStore;
before(async () => {
  t = await openPgliteTestStore();
});
after(() => t?.cleanup());

const alice: Principal = { id: 'user:alice', kind: 'user', roles: [], groups: ['oncall'], authMethod: 'oidc' };
const bob: Principal = { id: 'user:bob', kind: 'user', roles: ['admin'], groups: [], authMethod: 'oidc' };
const keysWrite = { kind: 'admin', permission: 'keys:write' } as const;

function instance(clock: ManualClock, repo = t.store.elevations, groups = ['oncall']) {
  const eligibility = new Eligibility([{ principals: [], groups, roles: ['admin'], maxDurationMinutes: 60, approval: 'required' }]);
  const events: AuditEvent[] = [];
  const engine = new JitPolicyEngine({ inner: new RoleEngine({}), repo, eligibility, breakGlass: [], clock, refreshMs: 60_000, logger: silent, record: (e) => events.push(e) });
  const svc = new ElevationService({ repo: t.store.elevations, eligibility, clock, changed: () => engine.refresh() });
  return { engine, svc, events };
}

describe('JIT policy engine', () => {
  it('an approval on one instance counts on another after its reload; expiry is exact on both', async () => {
    const clock = new ManualClock(T0);
    const a = instance(clock);
    const b = instance(clock);
    await a.engine.start();
    await b.engine.start();
    try {
      const e = await a.svc.request(alice, { role: 'admin', durationMinutes: 10, justification: 'INC-7' });
      await a.svc.approve(bob, e.id, null);
      assert.equal(a.engine.authorize(alice, keysWrite).effect, 'allow', 'at once where it was approved');
      assert.equal(b.engine.authorize(alice, keysWrite).effect, 'deny', 'not yet reloaded');
      await b.engine.refresh();
      assert.equal(b.engine.authorize(alice, keysWrite).effect, 'allow');
      clock.set(T0 + 10 * 60_000);
      assert.equal(a.engine.authorize(alice, keysWrite).effect, 'deny');
      assert.equal(b.engine.authorize(alice, keysWrite).effect, 'deny');
    } finally {
      a.engine.close();
      b.engine.close();
    }
  });

  it('ignores an elevation the config no longer makes eligible', async () => {
    const clock = new ManualClock(T0 + 3_600_000);
    const a = instance(clock);
    await a.engine.start();
    const e = await a.svc.request(alice, { role: 'admin', durationMinutes: 10, justification: 'INC-8' });
    await a.svc.approve(bob, e.id, null);
    a.engine.close();
    const changed = instance(clock, t.store.elevations, ['someone-else']);
    await changed.engine.start();
    assert.equal(changed.engine.authorize(alice, keysWrite).effect, 'deny');
    changed.engine.close();
  });

  it('fails closed when the active elevations cannot be reloaded', async () => {
    const clock = new ManualClock(T0 + 7_200_000);
    let down = false;
    const repo = {
      active: (now: number) => (down ? Promise.reject(new Error('store down')) : t.store.elevations.active(now)),
      expire: (now: number) => (down ? Promise.reject(new Error('store down')) : t.store.elevations.expire(now)),
    };
    const eligibility = new Eligibility([{ principals: ['user:alice'], groups: [], roles: ['admin'], maxDurationMinutes: 60, approval: 'required' }]);
    const engine = new JitPolicyEngine({ inner: new RoleEngine({}), repo, eligibility, breakGlass: [], clock, refreshMs: 20, logger: silent, record: () => undefined });
    const svc = new ElevationService({ repo: t.store.elevations, eligibility, clock, changed: () => engine.refresh() });
    await engine.start();
    try {
      const e = await svc.request(alice, { role: 'admin', durationMinutes: 10, justification: 'INC-9' });
      await svc.approve(bob, e.id, null);
      assert.equal(engine.authorize(alice, keysWrite).effect, 'allow');
      down = true;
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(engine.authorize(alice, keysWrite).effect, 'deny', 'stale for 3 periods: elevations ignored');
      down = false;
      await engine.refresh();
      assert.equal(engine.authorize(alice, keysWrite).effect, 'allow');
    } finally {
      engine.close();
    }
  });
});

describe('jit config', () => {
  it('refuses to auto-approve a role that grants elevations:approve, whatever its name', async () => {
    const { rampartConfigSchema } = await import('../../src/server/config.ts');
    const { validateConfig } = await import('../../src/config/load.ts');
    const config = (roles: Record<string, unknown>, role: string) => ({
      deployments: [{ name: 'x', targets: [{ provider: 'echo' }] }],
      roles,
      jit: { eligible: [{ principals: ['user:a'], roles: [role], approval: 'auto' }] },
    });
    assert.throws(() => validateConfig(rampartConfigSchema(), config({ ops: { admin: ['elevations:approve'] } }, 'ops')), /jit\.eligible\[0\]\.roles\[0\]: 'ops' grants elevations:approve/);
    assert.throws(() => validateConfig(rampartConfigSchema(), config({ root: { admin: ['*'] } }, 'root')), /'root' grants elevations:approve/);
    assert.throws(() => validateConfig(rampartConfigSchema(), config({}, 'admin')), /cannot be auto-approved/);
    assert.doesNotThrow(() => validateConfig(rampartConfigSchema(), config({ reader: { admin: ['audit:read'] } }, 'reader')));
  });
});
