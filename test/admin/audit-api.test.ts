/** /admin/v1/audit as an auditor uses it: filters, newest first, cursor pagination, verify. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { validateConfig } from '../../src/config/load.ts';
import { startApp } from '../../src/server/app.ts';
import { capturingLogger } from '../support/backends.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

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
    for (const q of ['limit=0', 'limit=abc', 'status=9999', 'decision=maybe', 'from=yesterday', 'cursor=%00%01', 'from=99999999999999999999', 'to=1000000000000000000000000']) {
      const r = await get(q);
      assert.equal(r.status, 400, q);
    }
  });

  it('verifies the chain', async () => {
    const res = await fetch(`${gw.app.url}/admin/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { ok: boolean }).ok, true);
  });

  it('finds deleted newest records only against anchors, and says so when it has none', async () => {
    const post = async (body?: unknown) => {
      const res = await fetch(`${gw.app.url}/admin/v1/audit/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auditor}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: (await res.json()) as { ok: boolean; anchors: number; limitation?: string; chains: { chainId: string; problem: { kind: string } | null }[] } };
    };
    await gw.app.audit.flush();
    const headsRes = await fetch(`${gw.app.url}/admin/v1/audit/heads`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(headsRes.status, 200);
    const heads = ((await headsRes.json()) as { data: { chainId: string; seq: number; hash: string }[] }).data;
    assert.ok(heads.length >= 1 && heads.every((h) => h.seq >= 1 && /^[0-9a-f]{64}$/.test(h.hash)));
    const head = heads[0]!;
    // Someone with database access deletes the newest records of the chain.
    await gw.app.audit.flush();
    await gw.app.store.sql.query('DELETE FROM audit_events WHERE chain_id = $1 AND seq >= $2', [head.chainId, head.seq - 1]);
    const blind = await post();
    assert.equal(blind.json.ok, true, 'a shorter chain is still consistent');
    assert.equal(blind.json.anchors, 0);
    assert.match(blind.json.limitation ?? '', /not detected/);
    // The blind check's own audit event continues the chain after the deleted records, and once
    // written it would show first as a gap; remove it, so that only the anchor can tell.
    await gw.app.audit.flush();
    await gw.app.store.sql.query('DELETE FROM audit_events WHERE chain_id = $1 AND seq >= $2', [head.chainId, head.seq - 1]);
    const anchored = await post({ anchors: [head] });
    assert.equal(anchored.status, 200);
    assert.equal(anchored.json.ok, false);
    assert.equal(anchored.json.anchors, 1);
    assert.equal(anchored.json.limitation, undefined);
    assert.equal(anchored.json.chains.find((c) => c.chainId === head.chainId)?.problem?.kind, 'anchor-missing');
    const bad = await post({ anchors: [{ ...head, hash: 'not-a-hash' }] });
    assert.equal(bad.status, 400);
  });
});

describe('audit.headsLogMinutes', () => {
  it('puts every chain head in the log at shutdown, as an anchor the database cannot change', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rampart-heads-'));
    const { logger, lines } = capturingLogger();
    const config = validateConfig(rampartConfigSchema(), { ...defaultConfig('http://127.0.0.1:9', dataDir), audit: { flushIntervalMs: 20, chainId: 'heads-test' } });
    assert.equal(config.audit.headsLogMinutes, 60, 'on by default');
    const app = await startApp(config, { logger, defaultMetrics: false, bootstrapKey: false });
    try {
      await fetch(`${app.url}/v1/models`); // one audited (refused) request
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    const logged = lines.find((l) => l.msg === 'audit chain heads') as { heads: { chainId: string; seq: number; hash: string }[] } | undefined;
    assert.ok(logged, 'a heads line at shutdown');
    const head = logged.heads.find((h) => h.chainId === 'heads-test');
    assert.ok(head && head.seq >= 1 && /^[0-9a-f]{64}$/.test(head.hash), JSON.stringify(logged.heads));
  });
});
