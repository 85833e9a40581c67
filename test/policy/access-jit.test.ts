/**
 * Access rules and just-in-time roles together: a rule about a role holds for a role an
 * elevation granted, and the wider rights the elevation routes check themselves (approving,
 * reading every elevation) obey rules about those permissions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;
let alice: string;
let bob: string;
let carol: string;
let auditor: string;

before(async () => {
  gw = await startTestGateway((url, dir) => ({
    ...defaultConfig(url, dir),
    roles: { ...(defaultConfig(url, dir).roles as object), approver: { admin: ['elevations:approve'] } },
    jit: { eligible: [{ principals: ['user:alice'], roles: ['admin'], maxDurationMinutes: 60, approval: 'required' }], refreshSeconds: 1 },
    access: {
      rules: [
        // Tests run from 127.0.0.1: outside every "corporate" network below.
        { name: 'admins-from-corp', when: { roles: ['admin'] }, unless: { networks: ['10.0.0.0/8'] }, action: 'block' },
        { name: 'approvals-from-corp', when: { permissions: ['elevations:approve'] }, unless: { networks: ['10.0.0.0/8'] }, action: 'block' },
        { name: 'audit-from-corp', when: { permissions: ['audit:read'] }, unless: { networks: ['10.0.0.0/8'] }, action: 'block' },
      ],
    },
  }));
  alice = await gw.key(['user'], { principalId: 'user:alice' });
  bob = await gw.key(['admin'], { principalId: 'user:bob' });
  carol = await gw.key(['approver'], { principalId: 'user:carol' });
  auditor = await gw.key(['auditor'], { principalId: 'user:aud' });
});
after(() => gw?.close());

async function call(method: string, path: string, cred: string, body?: unknown) {
  const r = await fetch(gw.app.url + path, {
    method,
    headers: { authorization: `Bearer ${cred}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json().catch(() => null)) as { code?: string; id?: string; status?: string } | null };
}

describe('access rules and just-in-time roles', () => {
  it('a rule about the admin role holds for an admin role granted just in time', async () => {
    assert.equal((await call('GET', '/admin/v1/keys', bob)).json?.code, 'RAMPART_ACCESS_BLOCKED', 'a standing admin is blocked off the network');
    const asked = await call('POST', '/admin/v1/elevations', alice, { role: 'admin', durationMinutes: 30, justification: 'INC-1: test' });
    assert.equal(asked.status, 201);
    // The approval itself: carol's elevations:approve is blocked off the network too, so grant it directly.
    await gw.app.store.elevations.decide(asked.json!.id!, { status: 'approved', at: Date.now(), by: 'user:bob', note: null, startsAt: Date.now(), expiresAt: Date.now() + 30 * 60_000 });
    await new Promise((r) => setTimeout(r, 1200)); // jit.refreshSeconds: 1
    const keys = await call('GET', '/admin/v1/keys', alice);
    assert.equal(keys.status, 403);
    assert.equal(keys.json?.code, 'RAMPART_ACCESS_BLOCKED');
  });

  it('approving, revoking and listing every elevation obey rules about elevations:approve and audit:read', async () => {
    const approve = await call('POST', '/admin/v1/elevations/elv_00000000000000000000000000/approve', carol, {});
    assert.equal(approve.json?.code, 'RAMPART_ACCESS_BLOCKED');
    const list = await call('GET', '/admin/v1/elevations', carol);
    assert.equal(list.status, 403, 'carol may not see every elevation from here');
    const listed = await call('GET', '/admin/v1/elevations', auditor);
    assert.equal(listed.status, 403, 'nor may the auditor');
    const [elevation] = (await gw.app.store.elevations.list({ limit: 1 })).items;
    const revoke = await call('POST', `/admin/v1/elevations/${elevation!.id}/revoke`, carol, {});
    assert.equal(revoke.status, 403);
  });
});
