/** /admin/v1/audit as an auditor uses it: filters, newest first, cursor pagination, verify. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;
let auditor: string;
let user: string;

before(async () => {
  gw = await startTestGateway();
  auditor = await gw.key(['auditor']);
  user = await gw.key(['user']);
  for (let i = 0; i < 7; i++) {
    await fetch(`${gw.app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json', 'x-request-id': `page-${i}` },
      body: JSON.stringify({ model: i % 2 ? 'chat' : 'other', messages: [{ role: 'user', content: 'x' }] }),
    });
  }
  await gw.app.audit.flush();
});
after(() => gw?.close());

type Page = { data: { requestId: string; deployment: string; decision: string; time: string }[]; nextCursor: string | null };
const get = async (query: string) => {
  const res = await fetch(`${gw.app.url}/admin/v1/audit?${query}`, { headers: { authorization: `Bearer ${auditor}` } });
  return { status: res.status, body: (await res.json()) as Page & { detail?: string } };
};

describe('audit API', () => {
  it('filters by deployment and decision', async () => {
    const allowed = await get('deployment=chat&decision=allow');
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body.data.map((e) => e.requestId).sort(), ['page-1', 'page-3', 'page-5']);
    const denied = await get('deployment=other&decision=deny');
    assert.equal(denied.body.data.length, 4);
  });

  it('pages newest first with an opaque cursor, without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page } = await get(`action=chat.completions&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.body.data.length <= 3);
      seen.push(...page.body.data.map((e) => e.requestId));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
  });

  it('refuses malformed filters with problem+json', async () => {
    for (const q of ['limit=0', 'limit=abc', 'status=9999', 'decision=maybe', 'from=yesterday', 'cursor=%00%01']) {
      const r = await get(q);
      assert.equal(r.status, 400, q);
    }
  });

  it('verifies the chain', async () => {
    const res = await fetch(`${gw.app.url}/admin/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { ok: boolean }).ok, true);
  });
});
