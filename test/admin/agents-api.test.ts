/**
 * The agent inventory end to end: the admin API registers, updates, suspends and resumes agents,
 * and the data plane enforces it on agent principals from real token shapes (Entra Agent ID,
 * RFC 8693 actor tokens, agent API keys). Also API key network binding through the HTTP surface.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LocalIdp } from '../support/local-idp.ts';
import { AGENT_APP_ID, TENANT_A, entraAgentAutonomous } from '../support/token-shapes.ts';
import { defaultConfig, flushAudit, startTestGateway, type TestGateway } from '../support/gateway.ts';

let idp: LocalIdp;
let gw: TestGateway;
let adminKey: string;
let auditorKey: string;
let userKey: string;

const entraIssuer = () => `${idp.issuer}/sts/${TENANT_A}/`;

function configFor(unregistered: 'block' | 'flag' | 'allow') {
  return (url: string, dir: string) => ({
    ...defaultConfig(url, dir),
    server: { port: 0, trustedProxies: ['127.0.0.1'] },
    roles: { ...(defaultConfig(url, dir).roles as object), bot: { deployments: ['chat', 'other'] } },
    agents: { unregistered },
    auth: {
      oidc: [
        { issuer: idp.issuer, audience: 'rampart', jwksUri: idp.jwksUri, roleMap: { 'chat.invoke': ['bot'] } },
        { issuer: `${idp.issuer}/sts/{tenantid}/`, preset: 'entra-v1', audience: 'api://rampart', tenants: [TENANT_A], jwksUri: idp.jwksUri, roleMap: { 'AI.Agent': ['bot'] } },
      ],
    },
  });
}

before(async () => {
  idp = await LocalIdp.start();
  gw = await startTestGateway(configFor('flag'));
  adminKey = await gw.key(['admin']);
  auditorKey = await gw.key(['auditor']);
  userKey = await gw.key(['user']);
});
after(async () => {
  await gw?.close();
  await idp?.stop();
});

const entraAgentToken = () => idp.sign(entraAgentAutonomous(entraIssuer(), 'api://rampart'));
/** An RFC 8693 actor token of the generic issuer: the agent is `act.sub`. */
const actorToken = (actor: string) => idp.sign({ sub: 'alice', act: { sub: actor }, roles: ['chat.invoke'] });

async function admin(method: string, path: string, body?: unknown, cred = adminKey) {
  const res = await fetch(`${gw.app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${cred}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function chat(target: TestGateway, credential: string, model = 'chat', headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${target.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as { error?: { code?: string } }) : null;
  return { status: res.status, code: json?.error?.code, requestId: res.headers.get('x-request-id')! };
}

async function auditOf(target: TestGateway, requestId: string) {
  await flushAudit(target);
  const page = await target.app.store.audit.list({ requestId, limit: 5 });
  assert.equal(page.items.length, 1);
  return page.items[0]!;
}

describe('agent inventory on the request path', () => {
  it('lets an unregistered agent through under `flag`, and marks the audit event shadow_agent', async () => {
    const r = await chat(gw, await entraAgentToken());
    assert.equal(r.status, 200);
    const event = await auditOf(gw, r.requestId);
    assert.equal(event.principalKind, 'agent');
    assert.equal(event.details?.note, 'shadow_agent');
  });

  it('does not look up users or apps', async () => {
    const r = await chat(gw, userKey);
    assert.equal(r.status, 200);
    assert.equal((await auditOf(gw, r.requestId)).details?.note, undefined);
  });

  it('narrows a registered agent to its deployments, records its id, and suspends and resumes it at once', async () => {
    const reg = await admin('POST', '/admin/v1/agents', {
      name: 'triage bot',
      binding: { type: 'client', clientId: AGENT_APP_ID },
      owner: 'team-soc',
      purpose: 'alert triage',
      allowedDeployments: ['chat'],
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.json));
    const id = reg.json!.id as string;
    assert.match(id, /^agt_/);
    assert.equal(reg.json!.state, 'active');

    const ok = await chat(gw, await entraAgentToken());
    assert.equal(ok.status, 200);
    const event = await auditOf(gw, ok.requestId);
    assert.equal(event.details?.agentId, id);
    assert.equal(event.details?.note, undefined);

    // The role allows `other`; the inventory does not: the intersection refuses.
    const other = await chat(gw, await entraAgentToken(), 'other');
    assert.equal(other.status, 403);
    assert.equal(other.code, 'RAMPART_FORBIDDEN');
    const models = (await (await fetch(`${gw.app.url}/v1/models`, { headers: { authorization: `Bearer ${await entraAgentToken()}` } })).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['chat']);

    assert.equal((await admin('POST', `/admin/v1/agents/${id}/suspend`)).status, 200);
    const suspended = await chat(gw, await entraAgentToken());
    assert.equal(suspended.status, 403);
    assert.equal(suspended.code, 'RAMPART_AGENT_SUSPENDED');
    // The refusal's audit event names the identified agent, not an anonymous caller.
    const refusedEvent = await auditOf(gw, suspended.requestId);
    assert.equal(refusedEvent.decision, 'deny');
    assert.equal(refusedEvent.principalKind, 'agent');
    assert.equal(refusedEvent.principalId, event.principalId);
    assert.ok(refusedEvent.principalId);

    const resumed = await admin('POST', `/admin/v1/agents/${id}/resume`);
    assert.equal(resumed.json!.status, 'active');
    assert.equal((await chat(gw, await entraAgentToken())).status, 200);

    const widened = await admin('POST', `/admin/v1/agents/${id}`, { allowedDeployments: ['chat', 'other'] });
    assert.deepEqual(widened.json!.allowedDeployments, ['chat', 'other']);
    assert.equal((await chat(gw, await entraAgentToken(), 'other')).status, 200);

    await gw.app.identity.agents.flushLastSeen();
    const got = await admin('GET', `/admin/v1/agents/${id}`, undefined, auditorKey);
    assert.equal(got.status, 200);
    assert.ok(got.json!.lastSeenAt, 'last seen is recorded');
  });

  it('lets a registered agent define only the tools its entry lists', async () => {
    const reg = await admin('POST', '/admin/v1/agents', { name: 'tooler', binding: { type: 'token', issuer: idp.issuer, subject: 'bot-tools' }, allowedDeployments: ['chat'], allowedTools: ['get_weather'] });
    assert.equal(reg.status, 201);
    const fn = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });
    const token = () => actorToken('bot-tools');
    assert.equal((await chat(gw, await token(), 'chat', {}, { tools: [fn('get_weather')] })).status, 200);
    const refused = await chat(gw, await token(), 'chat', {}, { tools: [fn('get_weather'), fn('send_email')] });
    assert.equal(refused.status, 403);
    assert.equal(refused.code, 'RAMPART_AGENT_TOOL_NOT_ALLOWED');
    // Built-in tools are named by their type; a nameless definition is refused, not skipped.
    assert.equal((await chat(gw, await token(), 'chat', {}, { tools: [{ type: 'web_search' }] })).code, 'RAMPART_AGENT_TOOL_NOT_ALLOWED');
    assert.notEqual((await chat(gw, await token(), 'chat', {}, { tools: [{ type: 'function', function: {} }] })).status, 200);
    // Without tools the agent is not affected; `*` allows any; users are never narrowed by it.
    assert.equal((await chat(gw, await token())).status, 200);
    await admin('POST', `/admin/v1/agents/${reg.json!.id as string}`, { allowedTools: ['*'] });
    assert.equal((await chat(gw, await token(), 'chat', {}, { tools: [fn('send_email')] })).status, 200);
    assert.equal((await chat(gw, userKey, 'chat', {}, { tools: [fn('send_email')] })).status, 200);
  });

  it('refuses an agent whose registration expired', async () => {
    const reg = await admin('POST', '/admin/v1/agents', { name: 'actor', binding: { type: 'token', issuer: idp.issuer, subject: 'bot-7' }, allowedDeployments: ['*'] });
    assert.equal(reg.status, 201);
    assert.equal((await chat(gw, await actorToken('bot-7'))).status, 200);
    await admin('POST', `/admin/v1/agents/${reg.json!.id as string}`, { expiresAt: Date.now() - 1000 });
    const r = await chat(gw, await actorToken('bot-7'));
    assert.equal(r.status, 403);
    assert.equal(r.code, 'RAMPART_AGENT_EXPIRED');
  });

  it('binds an agent API key by its principal id', async () => {
    const { plaintext } = await gw.app.identity.keys.create({ name: 'agent key', principalId: 'agent:research', principalKind: 'agent', roles: ['bot'], createdBy: 'test' });
    const key = plaintext.reveal();
    await admin('POST', '/admin/v1/agents', { name: 'research', binding: { type: 'principal', principalId: 'agent:research' }, allowedDeployments: ['other'] });
    assert.equal((await chat(gw, key, 'other')).status, 200);
    assert.equal((await chat(gw, key, 'chat')).status, 403);
  });

  it('holds a registration for an identity that is not agent-kind: scope and suspension apply to an app key too', async () => {
    const { record, plaintext } = await gw.app.identity.keys.create({ name: 'app key', principalId: 'app:reporter', principalKind: 'app', roles: ['bot'], createdBy: 'test' });
    const key = plaintext.reveal();
    const reg = await admin('POST', '/admin/v1/agents', { name: 'reporter', binding: { type: 'principal', principalId: record.principalId }, allowedDeployments: ['other'] });
    assert.equal(reg.status, 201);
    assert.equal((await chat(gw, key, 'other')).status, 200);
    assert.equal((await chat(gw, key, 'chat')).status, 403, 'narrowed to its deployments');
    assert.equal((await admin('POST', `/admin/v1/agents/${(reg.json as { id: string }).id}/suspend`)).status, 200);
    const suspended = await chat(gw, key, 'other');
    assert.equal(suspended.status, 403);
    assert.equal(suspended.code, 'RAMPART_AGENT_SUSPENDED');
  });

  it('refuses unregistered agents under `block`', async () => {
    const strict = await startTestGateway(configFor('block'));
    try {
      const r = await chat(strict, await actorToken('unknown-bot'));
      assert.equal(r.status, 403);
      assert.equal(r.code, 'RAMPART_AGENT_UNREGISTERED');
      const { plaintext } = await strict.app.identity.keys.create({ name: 'u', roles: ['user'], principalKind: 'app', createdBy: 'test' });
      assert.equal((await chat(strict, plaintext.reveal())).status, 200, 'non-agents are not affected');
    } finally {
      await strict.close();
    }
  });
});

describe('agents admin API', () => {
  it('validates what it is sent and answers 404 for unknown agents', async () => {
    assert.equal((await admin('POST', '/admin/v1/agents', { name: 'x', binding: { type: 'nope' } })).status, 400);
    assert.equal((await admin('POST', '/admin/v1/agents', { name: 'x', binding: { type: 'client', clientId: 'c' }, isAdmin: true })).status, 400);
    assert.equal((await admin('GET', '/admin/v1/agents/agt_missing')).status, 404);
    assert.equal((await admin('GET', '/admin/v1/agents/..%2Fkeys')).status, 404);
    assert.equal((await admin('POST', '/admin/v1/agents/agt_missing/suspend')).status, 404);
    assert.equal((await admin('GET', '/admin/v1/agents?status=weird')).status, 400);
  });

  it('refuses a second agent on the same identity with 409', async () => {
    const body = { name: 'dup', binding: { type: 'client', clientId: 'dup-client' } };
    assert.equal((await admin('POST', '/admin/v1/agents', body)).status, 201);
    assert.equal((await admin('POST', '/admin/v1/agents', body)).status, 409);
  });

  it('lists agents and reviews those without an owner', async () => {
    await admin('POST', '/admin/v1/agents', { name: 'orphan', binding: { type: 'client', clientId: 'orphan-client' } });
    const list = await admin('GET', '/admin/v1/agents?limit=500', undefined, auditorKey);
    assert.equal(list.status, 200);
    assert.ok((list.json!.data as { name: string }[]).some((a) => a.name === 'orphan'));
    const review = await admin('GET', '/admin/v1/agents/review?unseenDays=30', undefined, auditorKey);
    const orphan = (review.json!.data as { name: string; reasons: string[] }[]).find((a) => a.name === 'orphan');
    assert.deepEqual(orphan?.reasons, ['no-owner']);
    assert.equal((await admin('GET', '/admin/v1/agents/review?unseenDays=0')).status, 400);
  });
});

describe('API key hygiene through the gateway', () => {
  it('refuses a network-bound key from elsewhere, honouring trusted proxies', async () => {
    const created = await admin('POST', '/admin/v1/keys', { name: 'office', roles: ['user'], allowedNetworks: ['10.0.0.0/8'] });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json!.allowedNetworks, ['10.0.0.0/8']);
    const key = created.json!.key as string;
    const direct = await chat(gw, key);
    assert.equal(direct.status, 403);
    assert.equal(direct.code, 'RAMPART_AUTH_KEY_NETWORK');
    // 127.0.0.1 is a trusted proxy here: its X-Forwarded-For names the client.
    assert.equal((await chat(gw, key, 'chat', { 'x-forwarded-for': '10.2.3.4' })).status, 200);
    assert.equal((await chat(gw, key, 'chat', { 'x-forwarded-for': '10.2.3.4, 192.0.2.1' })).status, 403);
  });

  it('reports keys that need attention', async () => {
    await admin('POST', '/admin/v1/keys', { name: 'no-expiry', roles: ['user'] });
    const r = await admin('GET', '/admin/v1/keys/hygiene?expiringDays=30', undefined, auditorKey);
    assert.equal(r.status, 200);
    assert.equal(r.json!.expiringDays, 30);
    assert.equal(r.json!.unusedDays, 30);
    const item = (r.json!.data as { name: string; reasons: string[]; key?: string }[]).find((k) => k.name === 'no-expiry');
    assert.deepEqual(item?.reasons, ['no-expiry']);
    assert.ok(!JSON.stringify(r.json).includes('secretHash'));
    assert.equal((await admin('GET', '/admin/v1/keys/hygiene?unusedDays=abc')).status, 400);
  });
});
