/** /admin/v1/access-review: may against did, with the findings a reviewer acts on. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { AccessReport, PrincipalReview } from '../../src/posture/access-review.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const clock = new ManualClock(T0);
let gw: TestGateway;
let auditor: string;

before(async () => {
  gw = await startTestGateway(
    (url, dir) => ({
      ...defaultConfig(url, dir),
      jit: { eligible: [{ principals: ['user:alice', 'user:bob'], roles: ['admin'] }], breakGlass: ['user:glass'] },
    }),
    { clock },
  );
  await gw.key(['user'], { principalId: 'app:old' }); // made 40 days ago, never used
  clock.set(T0 + 40 * DAY);
  const chatbot = await gw.key(['user'], { principalId: 'app:chatbot' });
  const bob = await gw.key(['admin'], { principalId: 'user:bob' });
  auditor = await gw.key(['auditor'], { principalId: 'user:auditor' });
  await fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chatbot}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await fetch(`${gw.app.url}/admin/v1/keys`, { headers: { authorization: `Bearer ${bob}` } });
  await gw.app.audit.flush();
});
after(() => gw?.close());

async function review(days: number, cred = auditor): Promise<{ status: number; body: AccessReport }> {
  const res = await fetch(`${gw.app.url}/admin/v1/access-review?days=${days}`, { headers: { authorization: `Bearer ${cred}` } });
  return { status: res.status, body: (await res.json()) as AccessReport };
}
const find = (r: AccessReport, id: string): PrincipalReview => {
  const p = r.principals.find((x) => x.principalId === id);
  assert.ok(p, `${id} in the report`);
  return p;
};

describe('access review', () => {
  it('compares what each principal may do with what it did', async () => {
    const { status, body } = await review(30);
    assert.equal(status, 200);
    assert.equal(body.days, 30);
    assert.equal(body.truncated, false);

    const chatbot = find(body, 'app:chatbot');
    assert.deepEqual(chatbot.may, { deployments: ['chat', 'embed'], adminPermissions: [] });
    assert.deepEqual(chatbot.did.deployments, { chat: 1 });
    assert.deepEqual(chatbot.findings, [{ kind: 'unused-deployment-grant', deployment: 'embed' }]);

    const bob = find(body, 'user:bob');
    assert.deepEqual(bob.did.adminPermissionsUsed, ['keys:read']);
    assert.ok(bob.findings.some((f) => f.kind === 'unused-admin-permission' && f.permission === 'keys:write'));
    assert.ok(!bob.findings.some((f) => f.kind === 'unused-admin-permission' && f.permission === 'keys:read'));
    const standing = bob.findings.find((f) => f.kind === 'standing-admin');
    assert.ok(standing?.kind === 'standing-admin');
    assert.deepEqual(standing.roles, ['admin']);
    assert.equal(standing.alreadyEligible, true);
    for (const p of ['keys:write', 'tools:write', 'elevations:approve'] as const) assert.ok(standing.permissions.includes(p), p);
    assert.ok(!standing.permissions.includes('keys:read'));
  });

  it('flags stale identities, and lists eligible and break-glass principals', async () => {
    const { body } = await review(30);
    const old = find(body, 'app:old');
    assert.ok(old.findings.some((f) => f.kind === 'stale-key'));
    assert.ok(old.findings.some((f) => f.kind === 'stale-identity'));
    const alice = find(body, 'user:alice');
    assert.deepEqual(alice.sources, ['eligible']);
    assert.deepEqual(alice.eligibleRoles, ['admin']);
    assert.deepEqual(alice.findings, [], 'eligible, not standing: nothing to fix');
    const glass = find(body, 'user:glass');
    assert.equal(glass.breakGlass, true);
    // A longer window reaches back to the old key's creation: not stale any more.
    const longer = await review(45);
    assert.ok(!find(longer.body, 'app:old').findings.some((f) => f.kind === 'stale-key'));
  });

  it('needs audit:read and a sane window', async () => {
    const user = await gw.key(['user']);
    assert.equal((await review(30, user)).status, 403);
    for (const days of [0, -1, 1.5, 99999]) assert.equal((await review(days)).status, 400, String(days));
  });
});
