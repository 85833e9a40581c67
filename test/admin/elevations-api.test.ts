/**
 * Just-in-time admin through the real admin API: request, four-eyes approval, the role counting at
 * once and ending exactly at its expiry (on the test clock), denial, early revocation,
 * auto-approval, and the break-glass alert.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

const T0 = Date.UTC(2026, 0, 1, 9);
const clock = new ManualClock(T0);
let gw: TestGateway;
let alice: string;
let bob: string;
let user: string;
let glass: string;
let carol: string;

before(async () => {
  gw = await startTestGateway(
    (url, dir) => ({
      ...defaultConfig(url, dir),
      roles: { ...(defaultConfig(url, dir).roles as object), approver: { admin: ['elevations:approve', 'keys:read', 'keys:write'] } },
      jit: {
        eligible: [
          { principals: ['user:alice'], roles: ['admin'], maxDurationMinutes: 60, approval: 'required' },
          { principals: ['user:carol'], roles: ['admin'], maxDurationMinutes: 60, approval: 'required' },
          { principals: ['user:alice'], roles: ['auditor'], maxDurationMinutes: 30, approval: 'auto' },
        ],
        breakGlass: ['user:break-glass'],
        refreshSeconds: 1,
      },
    }),
    { clock },
  );
  alice = await gw.key(['user'], { principalId: 'user:alice' });
  bob = await gw.key(['admin'], { principalId: 'user:bob' });
  user = await gw.key(['user'], { principalId: 'user:mallory' });
  glass = await gw.key(['admin'], { principalId: 'user:break-glass' });
  carol = await gw.key(['approver'], { principalId: 'user:carol' });
});
after(() => gw?.close());

type Elevation = { id: string; status: string; role: string; principalId: string; expiresAt: string | null; decidedBy: string | null };
async function call(method: string, path: string, cred: string, body?: unknown) {
  const res = await fetch(`${gw.app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${cred}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Elevation & { code?: string; detail?: string; data?: Elevation[] } };
}
const request = (cred: string, role: string, durationMinutes = 30) => call('POST', '/admin/v1/elevations', cred, { role, durationMinutes, justification: 'INC-42: rotate a leaked key' });
const keysStatus = async (cred: string) => (await call('GET', '/admin/v1/keys', cred)).status;

describe('just-in-time admin', () => {
  it('grants an approved role at once, refuses self-approval, and ends it exactly at expiry', async () => {
    clock.set(T0);
    assert.equal(await keysStatus(alice), 403, 'no standing admin role');
    const asked = await request(alice, 'admin');
    assert.equal(asked.status, 201, JSON.stringify(asked.json));
    assert.equal(asked.json.status, 'pending');
    assert.equal(await keysStatus(alice), 403, 'pending grants nothing');

    const own = await call('POST', `/admin/v1/elevations/${asked.json.id}/approve`, alice, {});
    assert.equal(own.status, 403);
    assert.equal(own.json.code, 'RAMPART_FORBIDDEN', 'requesting needs no admin permission; approving does');

    clock.set(T0 + 60_000);
    const approved = await call('POST', `/admin/v1/elevations/${asked.json.id}/approve`, bob, { note: 'ok, INC-42' });
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    assert.equal(approved.json.status, 'approved');
    assert.equal(approved.json.decidedBy, 'user:bob');
    const expiresAt = T0 + 60_000 + 30 * 60_000;
    assert.equal(approved.json.expiresAt, new Date(expiresAt).toISOString());
    assert.equal(await keysStatus(alice), 200, 'the role counts immediately');

    // Now an admin herself, she still cannot approve her own next request.
    const again = await request(alice, 'admin');
    const self = await call('POST', `/admin/v1/elevations/${again.json.id}/approve`, alice, {});
    assert.equal(self.status, 403);
    assert.equal(self.json.code, 'RAMPART_ELEVATION_SELF_APPROVAL');
    const denied = await call('POST', `/admin/v1/elevations/${again.json.id}/deny`, bob, { note: 'one is enough' });
    assert.equal(denied.json.status, 'denied');
    assert.equal((await call('POST', `/admin/v1/elevations/${again.json.id}/approve`, bob, {})).status, 409, 'a denied request stays denied');

    clock.set(expiresAt - 1);
    assert.equal(await keysStatus(alice), 200, 'still valid one millisecond before');
    clock.set(expiresAt);
    assert.equal(await keysStatus(alice), 403, 'gone exactly at expiry');
    const listed = await call('GET', '/admin/v1/elevations?principalId=user:alice', bob);
    assert.equal(listed.json.data!.find((e) => e.id === asked.json.id)?.status, 'expired');
  });

  it('four eyes hold against a key the requester minted: with its own principal or none', async () => {
    clock.set(T0);
    const asked = await request(carol, 'admin');
    assert.equal(asked.status, 201, JSON.stringify(asked.json));
    // An approver who may mint keys gives a sock-puppet key her approver role (roles she holds: allowed)...
    const minted = (await call('POST', '/admin/v1/keys', carol, { name: 'puppet', roles: ['approver'] })).json as unknown as { key: string; principalId: string };
    assert.match(minted.principalId, /^key:/);
    const viaPuppet = await call('POST', `/admin/v1/elevations/${asked.json.id}/approve`, minted.key, {});
    assert.equal(viaPuppet.status, 403);
    assert.equal(viaPuppet.json.code, 'RAMPART_ELEVATION_SELF_APPROVAL');
    // ...and cannot mint one acting as someone else to approve through it.
    assert.equal((await call('POST', '/admin/v1/keys', carol, { name: 'bob', roles: ['approver'], principalId: 'user:bob' })).status, 403);
    assert.equal((await call('POST', `/admin/v1/elevations/${asked.json.id}/approve`, bob, {})).status, 200, 'another person still may');
  });

  it('revokes early, with the role gone on the next request', async () => {
    clock.set(T0 + 2 * 3_600_000);
    const asked = await request(alice, 'admin', 60);
    await call('POST', `/admin/v1/elevations/${asked.json.id}/approve`, bob, {});
    assert.equal(await keysStatus(alice), 200);
    const revoked = await call('POST', `/admin/v1/elevations/${asked.json.id}/revoke`, bob);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.json.status, 'revoked');
    assert.equal(await keysStatus(alice), 403);
    assert.equal((await call('POST', `/admin/v1/elevations/${asked.json.id}/revoke`, bob)).status, 409);
  });

  it('auto-approves a low-risk role; refuses ineligible principals and too-long durations', async () => {
    clock.set(T0 + 4 * 3_600_000);
    assert.equal((await call('GET', '/admin/v1/audit?limit=1', alice)).status, 403);
    const mine = await call('GET', '/admin/v1/elevations?principalId=user:bob', alice);
    assert.equal(mine.status, 200);
    assert.ok(mine.json.data!.length > 0 && mine.json.data!.every((e) => e.principalId === 'user:alice'), 'an eligible principal sees only its own');
    const auto = await request(alice, 'auditor', 15);
    assert.equal(auto.status, 201);
    assert.equal(auto.json.status, 'approved');
    assert.equal(auto.json.decidedBy, 'rampart:auto-approval');
    assert.equal((await call('GET', '/admin/v1/audit?limit=1', alice)).status, 200);

    const tooLong = await request(alice, 'auditor', 31);
    assert.equal(tooLong.status, 400);
    const notEligible = await request(alice, 'platform-admin');
    assert.equal(notEligible.status, 403);
    const stranger = await request(user, 'admin');
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.code, 'RAMPART_FORBIDDEN');
    assert.equal((await call('GET', '/admin/v1/elevations', user)).status, 403, 'neither eligible nor an approver');
  });

  it('records every step in the audit log, with the elevation that granted access', async () => {
    await gw.app.audit.flush();
    const actions = async (action: string) => (await gw.app.store.audit.list({ action, limit: 100 })).items;
    assert.ok((await actions('elevations.request')).length >= 4);
    const approve = (await actions('elevations.approve')).filter((e) => e.decision === 'allow');
    assert.ok(approve.length >= 2);
    assert.equal(approve[0]!.principalId, 'user:bob');
    assert.ok(approve[0]!.details?.elevationId);
    assert.equal((await actions('elevations.deny')).filter((e) => e.decision === 'allow').length, 1);
    assert.ok((await actions('elevations.revoke')).some((e) => e.decision === 'allow'));
    const selfApproval = (await actions('elevations.approve')).find((e) => e.code === 'RAMPART_ELEVATION_SELF_APPROVAL');
    assert.equal(selfApproval?.decision, 'deny');
    const granted = (await gw.app.store.audit.list({ action: 'keys.list', principalId: 'user:alice', decision: 'allow', limit: 10 })).items;
    assert.ok(granted.length > 0 && granted.every((e) => /just-in-time/.test(e.reason ?? '') && String(e.details?.policy).includes('jit:elv_')));
  });

  it('records an expiry event once the store marks the elevation expired', async () => {
    clock.set(T0 + 24 * 3_600_000);
    // Each instance's reload timer (jit.refreshSeconds: 1 here) marks it; poll for the event.
    let expired: Awaited<ReturnType<typeof gw.app.store.audit.list>>['items'] = [];
    const alices = () => expired.filter((e) => e.principalId === 'user:alice');
    for (let i = 0; i < 50 && alices().length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await gw.app.audit.flush();
      expired = (await gw.app.store.audit.list({ action: 'elevations.expire', limit: 10 })).items;
    }
    assert.ok(alices().length >= 2, "alice's approved admin and auditor elevations");
    assert.ok(expired.every((e) => e.plane === 'system' && (e.principalId === 'user:alice' || e.principalId === 'user:carol')));
  });
});

describe('break-glass accounts', () => {
  it('every use is audited with an alert flag and the decision', async () => {
    clock.set(T0 + 25 * 3_600_000);
    assert.equal(await keysStatus(glass), 200);
    await gw.app.audit.flush();
    const events = (await gw.app.store.audit.list({ action: 'breakglass.use', principalId: 'user:break-glass', limit: 10 })).items;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.decision, 'allow');
    assert.equal(events[0]!.details?.alert, true);
    assert.equal(events[0]!.details?.requested, 'admin keys:read');
    const ordinary = (await gw.app.store.audit.list({ action: 'breakglass.use', principalId: 'user:bob', limit: 10 })).items;
    assert.equal(ordinary.length, 0, 'ordinary admins raise no alert');
  });
});
