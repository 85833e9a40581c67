/**
 * The gateway from the attacker's side: forged and stale tokens through the real HTTP surface,
 * revoked keys, every admin route without and with the wrong credentials, malformed and oversize
 * bodies, and checks that nothing secret leaks into answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { generateKeyPair } from 'jose';
import { LocalIdp, signWith, unsecuredJwt, withPayload } from '../support/local-idp.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

let idp: LocalIdp;
let gw: TestGateway;
let userKey: string;
let adminKey: string;
let auditorKey: string;

before(async () => {
  idp = await LocalIdp.start();
  gw = await startTestGateway((url, dir) => ({
    ...defaultConfig(url, dir),
    server: { port: 0, bodyLimitBytes: 64 * 1024 },
    roles: { ...(defaultConfig(url, dir).roles as object), 'key-manager': { deployments: ['chat'], admin: ['keys:read', 'keys:write'] } },
    auth: { oidc: [{ issuer: idp.issuer, audience: 'rampart', jwksUri: idp.jwksUri, roleMap: { 'chat.invoke': ['user'] } }] },
  }));
  userKey = await gw.key(['user']);
  adminKey = await gw.key(['admin']);
  auditorKey = await gw.key(['auditor']);
});
after(async () => {
  await gw?.close();
  await idp?.stop();
});

async function chat(credential: string | null, body: unknown = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as { error?: { code?: string; message?: string } }) : null };
}

describe('bearer tokens through the gateway', () => {
  it('accepts a valid IdP token whose role maps to a deployment', async () => {
    const token = await idp.sign({ roles: ['chat.invoke'] });
    const r = await chat(token);
    assert.equal(r.status, 200, r.text);
  });

  const cases: [string, () => Promise<string>, string][] = [
    ['no token', async () => '', 'RAMPART_AUTH_MISSING'],
    ['an expired token', async () => idp.sign({ roles: ['chat.invoke'], exp: Math.floor(Date.now() / 1000) - 3600 }), 'RAMPART_AUTH_TOKEN_EXPIRED'],
    ['a token for another audience', async () => idp.sign({ roles: ['chat.invoke'], aud: 'someone-else' }), 'RAMPART_AUTH_WRONG_AUDIENCE'],
    ['a token from an unknown issuer', async () => idp.sign({ roles: ['chat.invoke'], iss: 'https://evil.example' }), 'RAMPART_AUTH_UNTRUSTED_ISSUER'],
    ['alg none', async () => unsecuredJwt(idp.defaults({ roles: ['chat.invoke'] })), 'RAMPART_AUTH_ALG_NOT_ALLOWED'],
    ['a tampered payload', async () => withPayload(await idp.sign({ roles: [] }), idp.defaults({ roles: ['chat.invoke'] })), 'RAMPART_AUTH_INVALID_TOKEN'],
    [
      'a token signed by an attacker key with the IdP kid',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return signWith(privateKey, { alg: 'RS256', kid: 'key-1' }, idp.defaults({ roles: ['chat.invoke'] }));
      },
      'RAMPART_AUTH_INVALID_TOKEN',
    ],
    [
      'HS256 signed with the public key (key confusion)',
      async () => {
        const jwk = [...idp.keys.values()][0]!.publicJwk;
        return signWith(new TextEncoder().encode(JSON.stringify(jwk)), { alg: 'HS256', kid: 'key-1' }, idp.defaults({ roles: ['chat.invoke'] }));
      },
      'RAMPART_AUTH_ALG_NOT_ALLOWED',
    ],
  ];
  for (const [name, make, code] of cases) {
    it(`refuses ${name} with 401 ${code}`, async () => {
      const r = await chat((await make()) || null);
      assert.equal(r.status, 401, r.text);
      assert.equal(r.json?.error?.code, code);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    });
  }

  it('a valid token without a role that grants the deployment gets 403', async () => {
    const r = await chat(await idp.sign({ roles: ['something-else'] }));
    assert.equal(r.status, 403);
    assert.equal(r.json?.error?.code, 'RAMPART_FORBIDDEN');
  });
});

describe('API keys through the gateway', () => {
  it('refuses a revoked key at once', async () => {
    const key = await gw.key(['user']);
    assert.equal((await chat(key)).status, 200);
    const id = key.split('_')[1]!;
    assert.equal(await gw.app.identity.keys.revoke(id), true);
    const r = await chat(key);
    assert.equal(r.status, 401);
    assert.equal(r.json?.error?.code, 'RAMPART_AUTH_KEY_REVOKED');
  });

  it('refuses a key with a broken checksum without echoing it', async () => {
    const forged = `${userKey.slice(0, -1)}${userKey.endsWith('A') ? 'B' : 'A'}`;
    const r = await chat(forged);
    assert.equal(r.status, 401);
    assert.ok(!r.text.includes(forged.slice(3, 20)));
  });

  it('accepts the key in the api-key header too (Azure-style clients)', async () => {
    const r = await chat(null, undefined, { 'api-key': userKey });
    assert.equal(r.status, 200);
  });
});

describe('bad input', () => {
  it('malformed JSON is a 400 RAMPART_BAD_JSON', async () => {
    const r = await chat(userKey, '{"model": "chat", ');
    assert.equal(r.status, 400);
    assert.equal(r.json?.error?.code, 'RAMPART_BAD_JSON');
  });

  it('a prototype-poisoning body is refused', async () => {
    const r = await chat(userKey, '{"model":"chat","messages":[{"role":"user","content":"x"}],"__proto__":{"admin":true}}');
    assert.equal(r.status, 400);
  });

  it('wrong types name the field as the OpenAI param', async () => {
    const r = await chat(userKey, { model: 'chat', messages: 'hello' });
    assert.equal(r.status, 400);
    assert.equal(r.json?.error?.code, 'RAMPART_INVALID_REQUEST');
    assert.equal((r.json?.error as { param?: string }).param, 'messages');
  });

  it('an unknown message role is refused', async () => {
    const r = await chat(userKey, { model: 'chat', messages: [{ role: 'root', content: 'x' }] });
    assert.equal(r.status, 400);
  });

  it('a body over the limit is a 413, also without Content-Length', async () => {
    const big = { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] };
    const r = await chat(userKey, big);
    assert.equal(r.status, 413);
    assert.equal(r.json?.error?.code, 'RAMPART_BODY_TOO_LARGE');
    const chunked = await fetch(`${gw.app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(JSON.stringify(big)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
  });

  it('a non-JSON content type is a 415', async () => {
    const r = await chat(userKey, 'model=chat', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 415);
  });

  it('a compressed body is a 415 that says so, not malformed JSON, and is never inflated', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024)); // 20 MiB of zeros in ~20 KiB
    const r = await chat(userKey, bomb, { 'content-encoding': 'gzip' });
    assert.equal(r.status, 415);
    assert.equal(r.json?.error?.code, 'RAMPART_UNSUPPORTED_MEDIA_TYPE');
    assert.match(String(r.json?.error?.message), /Content-Encoding 'gzip'/);
    const identity = await chat(userKey, { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { 'content-encoding': 'identity' });
    assert.equal(identity.status, 200);
  });

  it('unknown routes and wrong methods get coded errors, not stack traces', async () => {
    const notFound = await fetch(`${gw.app.url}/v1/nothing`);
    assert.equal(notFound.status, 404);
    assert.equal(((await notFound.json()) as { error: { code: string } }).error.code, 'RAMPART_ROUTE_NOT_FOUND');
    const wrong = await fetch(`${gw.app.url}/v1/chat/completions`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
  });

  it('no answer ever contains the provider key', async () => {
    for (const res of await Promise.all([
      fetch(`${gw.app.url}/admin/v1/deployments`, { headers: { authorization: `Bearer ${adminKey}` } }),
      fetch(`${gw.app.url}/admin/v1/deployments/chat`, { headers: { authorization: `Bearer ${adminKey}` } }),
      fetch(`${gw.app.url}/metrics`),
    ])) {
      const text = await res.text();
      assert.equal(res.status, 200);
      assert.ok(!text.includes('sk-upstream-secret'), `leak in ${res.url}`);
    }
  });
});

describe('every admin route', () => {
  const routes: [string, string, string, unknown?][] = [
    ['GET', '/admin/v1/keys', 'keys:read'],
    ['GET', '/admin/v1/keys/abcdefghijkl', 'keys:read'],
    ['GET', '/admin/v1/keys/hygiene', 'keys:read'],
    ['GET', '/admin/v1/agents', 'agents:read'],
    ['GET', '/admin/v1/agents/review', 'agents:read'],
    ['GET', '/admin/v1/agents/agt_abcdefgh', 'agents:read'],
    ['POST', '/admin/v1/agents', 'agents:write', { name: 'x', binding: { type: 'client', clientId: 'c' } }],
    ['POST', '/admin/v1/agents/agt_abcdefgh', 'agents:write', { owner: 'x' }],
    ['POST', '/admin/v1/agents/agt_abcdefgh/suspend', 'agents:write'],
    ['POST', '/admin/v1/agents/agt_abcdefgh/resume', 'agents:write'],
    ['POST', '/admin/v1/keys', 'keys:write', { name: 'x', roles: ['user'] }],
    ['POST', '/admin/v1/keys/abcdefghijkl/revoke', 'keys:write'],
    ['POST', '/admin/v1/keys/abcdefghijkl/rotate', 'keys:write'],
    ['GET', '/admin/v1/deployments', 'deployments:read'],
    ['GET', '/admin/v1/deployments/chat', 'deployments:read'],
    ['GET', '/admin/v1/audit', 'audit:read'],
    ['POST', '/admin/v1/audit/verify', 'audit:read'],
    ['GET', '/admin/v1/detections', 'detections:read'],
    ['DELETE', '/admin/v1/tool-pins?policy=p', 'tools:write'],
    // Just-in-time access: requesting needs eligibility (nobody here is eligible), listing needs
    // eligibility, elevations:approve or audit:read; revoking, the requester or elevations:approve.
    ['POST', '/admin/v1/elevations', 'jit-eligible', { role: 'admin', durationMinutes: 10, justification: 'testing' }],
    ['GET', '/admin/v1/elevations', 'audit:read'],
    ['POST', '/admin/v1/elevations/elv_00000000000000000000000000/approve', 'elevations:approve'],
    ['POST', '/admin/v1/elevations/elv_00000000000000000000000000/deny', 'elevations:approve'],
    ['POST', '/admin/v1/elevations/elv_00000000000000000000000000/revoke', 'elevations:approve'],
    ['GET', '/admin/v1/access-review?days=30', 'audit:read'],
    ['GET', '/admin/v1/models', 'models:read'],
    ['GET', '/admin/v1/models/mdl_abcdefgh', 'models:read'],
    ['POST', '/admin/v1/models', 'models:write', { name: 'm', path: '/etc' }],
    ['GET', '/admin/v1/models/jobs/job_abcdefgh', 'models:write'],
    ['POST', '/admin/v1/models/mdl_abcdefgh/approve', 'models:approve'],
    ['POST', '/admin/v1/models/mdl_abcdefgh/reject', 'models:approve'],
    ['POST', '/sandbox/v1/code/execute?identifier=s1', 'sandbox:execute', { language: 'python', code: 'print(1)' }],
    ['GET', '/sandbox/v1/sessions', 'sandbox:execute'],
    ['DELETE', '/sandbox/v1/sessions/s1', 'sandbox:execute'],
    ['GET', '/sandbox/v1/files?identifier=s1', 'sandbox:execute'],
    ['POST', '/sandbox/v1/files/upload?identifier=s1', 'sandbox:execute', { path: 'a.txt', contentBase64: 'aGk=' }],
    ['GET', '/sandbox/v1/files/content/a.txt?identifier=s1', 'sandbox:execute'],
    ['GET', '/admin/v1/sandbox/approvals', 'sandbox:read'],
    ['GET', '/admin/v1/sandbox/status', 'sandbox:read'],
    ['POST', '/admin/v1/sandbox/approvals', 'sandbox:approve', { sha256: 'a'.repeat(64), language: 'python', revisionUrl: 'https://git.example.com/r/1' }],
  ];
  const call = (method: string, path: string, cred: string | null, body?: unknown) =>
    fetch(`${gw.app.url}${path}`, {
      method,
      headers: { ...(cred ? { authorization: `Bearer ${cred}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  for (const [method, path, permission, body] of routes) {
    it(`${method} ${path}: 401 without credentials, 403 for a model user${permission.endsWith(':read') ? ', allowed for an auditor' : ', 403 for an auditor'}`, async () => {
      const anon = await call(method, path, null, body);
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await anon.json()) as { code: string }).code, 'RAMPART_AUTH_MISSING');
      const user = await call(method, path, userKey, body);
      assert.equal(user.status, 403);
      assert.equal(((await user.json()) as { code: string }).code, 'RAMPART_FORBIDDEN');
      const forged = await call(method, path, await idp.sign({ roles: ['admin'], exp: 1 }), body);
      assert.equal(forged.status, 401);
      const auditor = await call(method, path, auditorKey, body);
      if (permission.endsWith(':read')) assert.notEqual(auditor.status, 403);
      else assert.equal(auditor.status, 403);
    });
  }

  it('an admin can create, list, rotate and revoke keys; the plaintext is shown once and no hash ever', async () => {
    const created = await call('POST', '/admin/v1/keys', adminKey, { name: 'svc', roles: ['user'], limits: { requestsPerMinute: 5 } });
    assert.equal(created.status, 201);
    const key = (await created.json()) as { id: string; key: string };
    assert.match(key.key, /^rk_/);
    assert.equal((await chat(key.key)).status, 200);
    const listed = await (await call('GET', '/admin/v1/keys', adminKey)).text();
    assert.ok(listed.includes(key.id));
    assert.ok(!listed.includes(key.key) && !/secretHash|hash/i.test(listed));
    const got = await (await call('GET', `/admin/v1/keys/${key.id}`, adminKey)).text();
    assert.ok(!got.includes(key.key));
    const rotated = (await (await call('POST', `/admin/v1/keys/${key.id}/rotate`, adminKey, { overlapHours: 0 })).json()) as { id: string; key: string; rotatedFrom: string };
    assert.equal(rotated.rotatedFrom, key.id);
    assert.equal((await chat(rotated.key)).status, 200);
    assert.equal((await call('POST', `/admin/v1/keys/${rotated.id}/revoke`, adminKey)).status, 200);
    assert.equal((await chat(rotated.key)).status, 401);
  });

  it('keys:write alone cannot mint a key with roles its holder lacks', async () => {
    const manager = await gw.key(['key-manager']);
    const escalate = await call('POST', '/admin/v1/keys', manager, { name: 'x', roles: ['admin'] });
    assert.equal(escalate.status, 403);
    assert.match(((await escalate.json()) as { detail: string }).detail, /admin/);
    const same = await call('POST', '/admin/v1/keys', manager, { name: 'x', roles: ['key-manager'] });
    assert.equal(same.status, 201);
  });

  it('keys:write alone cannot mint or rotate a key that acts as another principal; the audit event names the principal', async () => {
    const manager = await gw.key(['key-manager'], { principalId: 'user:mallory' });
    // Rights granted by principal id (JIT eligibility, Cedar entities, sandbox callers) would follow the key.
    const asAlice = await call('POST', '/admin/v1/keys', manager, { name: 'x', roles: ['key-manager'], principalId: 'user:alice' });
    assert.equal(asAlice.status, 403);
    assert.match(((await asAlice.json()) as { detail: string }).detail, /another principal/);
    const asSelf = await call('POST', '/admin/v1/keys', manager, { name: 'mine', roles: ['key-manager'], principalId: 'user:mallory' });
    assert.equal(asSelf.status, 201);
    const own = (await (await call('POST', '/admin/v1/keys', manager, { name: 'svc', roles: ['key-manager'] })).json()) as { id: string; principalId: string };
    assert.match(own.principalId, /^key:/);
    // Rotating hands out a new secret for the same principal: the same rule.
    const alicesKey = (await (await call('POST', '/admin/v1/keys', adminKey, { name: 'alice', roles: ['key-manager'], principalId: 'user:alice' })).json()) as { id: string };
    assert.equal((await call('POST', `/admin/v1/keys/${alicesKey.id}/rotate`, manager, { overlapHours: 0 })).status, 403);
    const adminsOwn = (await (await call('POST', '/admin/v1/keys', adminKey, { name: 'other', roles: ['key-manager'] })).json()) as { id: string };
    assert.equal((await call('POST', `/admin/v1/keys/${adminsOwn.id}/rotate`, manager, { overlapHours: 0 })).status, 403, "another creator's key:<id> principal");
    assert.equal((await call('POST', `/admin/v1/keys/${own.id}/rotate`, manager, { overlapHours: 0 })).status, 201, 'its own key');
    assert.equal((await call('POST', `/admin/v1/keys/${alicesKey.id}/rotate`, adminKey, { overlapHours: 0 })).status, 201, 'an admin may');
    await gw.app.audit.flush();
    const created = await gw.app.store.audit.list({ action: 'keys.create', limit: 20 });
    const denied = created.items.find((e) => e.decision === 'deny' && JSON.stringify(e.details).includes('user:alice'));
    assert.equal(denied, undefined, 'a refused request records no key');
    const alice = created.items.find((e) => e.status === 201 && (e.details as { principalId?: string }).principalId === 'user:alice');
    assert.ok(alice, 'the audit event of a creation names the principal the key acts as');
  });

  it('refuses unknown fields in admin bodies', async () => {
    const r = await call('POST', '/admin/v1/keys', adminKey, { name: 'x', roles: ['user'], isAdmin: true });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { detail: string }).detail, /isAdmin/);
  });

  it('records denied admin calls in the audit log', async () => {
    await call('GET', '/admin/v1/audit', userKey);
    await gw.app.audit.flush();
    const page = await gw.app.store.audit.list({ action: 'audit.list', decision: 'deny', limit: 5 });
    assert.ok(page.items.length >= 1);
    assert.equal(page.items[0]!.status, 403);
  });
});
