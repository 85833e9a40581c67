/**
 * The gateway with `policy.engine: cedar`, end to end: a real Rampart on an ephemeral port,
 * called through fetch. A config role lets a key call a deployment, a policy file forbids one,
 * the built-in auditor role reads the audit log, and each audit event names the policy that
 * decided.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-cedar-gw-'));
const policyFile = join(dir, 'apps.cedar');
writeFileSync(
  policyFile,
  [
    '// Applications may not call the embedding deployment, whatever their roles say.',
    '@id("no-embeddings-for-apps")',
    'forbid (principal is Rampart::App, action == Rampart::Action::"invoke", resource == Rampart::Deployment::"embed");',
    '',
  ].join('\n'),
);

let gw: TestGateway;
let user: string;
let auditor: string;

before(async () => {
  gw = await startTestGateway((url, dataDir) => ({ ...defaultConfig(url, dataDir), policy: { engine: 'cedar', policyFiles: [policyFile] } }));
  user = await gw.key(['user']);
  auditor = await gw.key(['auditor']);
});
after(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (key: string, model: string, requestId: string) =>
  fetch(`${gw.app.url}/v1/${model === 'embed' ? 'embeddings' : 'chat/completions'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify(model === 'embed' ? { model, input: 'hello' } : { model, messages: [{ role: 'user', content: 'hi' }] }),
  });

type AuditPage = { data: { requestId: string; decision: string; reason: string | null; details: Record<string, unknown> | null }[] };

describe('gateway with the Cedar engine', () => {
  it('serves a deployment a config role allows, 403s one a policy forbids and one no policy permits', async () => {
    const ok = await call(user, 'chat', 'cedar-allow');
    assert.equal(ok.status, 200, await ok.clone().text());
    await ok.text();
    const forbidden = await call(user, 'embed', 'cedar-forbid');
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { error: { code: string } }).error.code, 'RAMPART_FORBIDDEN');
    const unlisted = await call(user, 'other', 'cedar-default');
    assert.equal(unlisted.status, 403);
    await unlisted.text();
  });

  it('records the determining policy of each decision in the audit log, readable by the built-in auditor role', async () => {
    await gw.app.audit.flush();
    const res = await fetch(`${gw.app.url}/admin/v1/audit?limit=50`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(res.status, 200);
    const events = new Map(((await res.json()) as AuditPage).data.map((e) => [e.requestId, e]));
    const policyOf = (id: string) => events.get(id)?.details?.policy;
    assert.equal(events.get('cedar-allow')?.decision, 'allow');
    assert.equal(policyOf('cedar-allow'), 'role:user:invoke');
    assert.equal(events.get('cedar-forbid')?.decision, 'deny');
    assert.equal(policyOf('cedar-forbid'), 'no-embeddings-for-apps');
    assert.match(events.get('cedar-forbid')?.reason ?? '', /no-embeddings-for-apps forbids invoke deployment 'embed'/);
    assert.equal(policyOf('cedar-default'), 'default-deny');
  });

  it('lists only the models the policies let the caller invoke', async () => {
    const res = await fetch(`${gw.app.url}/v1/models`, { headers: { authorization: `Bearer ${user}` } });
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    assert.deepEqual(ids, ['chat']);
  });
});

describe('gateway start-up with a policy that does not validate', () => {
  it('refuses to start, naming the file and the position', async () => {
    const bad = join(dir, 'bad.cedar');
    writeFileSync(bad, '@id("bad")\npermit (principal, action, resource) when { resource.owner == "me" };\n');
    await assert.rejects(
      startTestGateway((url, dataDir) => ({ ...defaultConfig(url, dataDir), policy: { engine: 'cedar', policyFiles: [bad] } })),
      (e: Error & { code?: string }) => e.code === 'RAMPART_CONFIG_INVALID' && /bad\.cedar:2:45: policy 'bad': .*owner/.test(e.message),
    );
  });
});
