/**
 * The sessions API end to end over HTTP, through the admin pipeline of a real gateway (API keys,
 * roles, audit log, detections): execute in Azure Container Apps' body shape or the simple one,
 * files in and out, sessions listed and ended, caps, approved-code-only per agent, the approvals
 * admin API. Runs on the bubblewrap backend once it exists (skipped, with the reason, when it
 * reports unavailable here); before that, on the child_process test backend.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { SandboxBackend } from '../../src/sandbox/backend.ts';
import { codeSha256 } from '../../src/sandbox/approvals.ts';
import { defaultConfig, flushAudit, startTestGateway } from '../support/gateway.ts';
import { startSandboxApi } from './api-server.ts';
import { ProcessBackend } from './process-backend.ts';

const REVISION = 'https://github.com/acme/agents/blob/9c1e2f4/report.py';
const ENFORCED_AGENT = 'agt_sandboxenforced';
const realBackend = existsSync(new URL('../../src/sandbox/backends/bwrap/index.ts', import.meta.url));

const gw = await startTestGateway((url, dir) => {
  const base = defaultConfig(url, dir) as { roles: Record<string, unknown> };
  return {
    ...base,
    roles: { ...base.roles, runner: { admin: ['sandbox:execute'] }, 'sec-admin': { admin: ['sandbox:read', 'sandbox:approve', 'detections:read'] } },
    sandbox: {
      sessions: { maxPerTenant: 4, pool: 1 },
      callers: [{ match: { agentIds: [ENFORCED_AGENT] }, approvedCodeOnly: 'enforce' }, { match: { principalIds: ['app:frank'] }, limits: { fileBytes: 1024 } }],
    },
  };
});
const api = await startSandboxApi(gw, realBackend ? undefined : (new ProcessBackend() as SandboxBackend));
const alice = await gw.key(['runner'], { principalId: 'app:alice' });
const bob = await gw.key(['runner'], { principalId: 'app:bob' });
const carol = await gw.key(['runner'], { principalId: 'app:carol' });
const dave = await gw.key(['runner'], { principalId: 'app:dave' });
const erin = await gw.key(['runner'], { principalId: 'app:erin' });
// Files of at most 1 KiB (callers[1]), below sandbox.files.maxUploadBytes.
const frank = await gw.key(['runner'], { principalId: 'app:frank' });
const secAdmin = await gw.key(['sec-admin'], { principalId: 'app:sec-admin' });
const chatOnly = await gw.key(['user']);
// An agent principal registered in the inventory, whose policy runs approved code only.
await gw.app.store.agents.insert({
  id: ENFORCED_AGENT, name: 'report-bot', binding: { type: 'principal', principalId: 'agent:report-bot' }, owner: 'team-data', sponsor: null, purpose: null,
  allowedDeployments: [], allowedTools: [], datasets: [], status: 'active', expiresAt: null, createdAt: Date.now(), createdBy: 'test', updatedAt: Date.now(), lastSeenAt: null,
});
const agent = (await gw.app.identity.keys.create({ name: 'report-bot', principalKind: 'agent', principalId: 'agent:report-bot', roles: ['runner'], limits: null, createdBy: 'test' })).plaintext.reveal();

const status = (await call('GET', '/admin/v1/sandbox/status', secAdmin)).json as { backend: { available: boolean; reason: string | null } };
const skip = status.backend.available ? false : `sandbox backend unavailable on this machine: ${status.backend.reason}`;

after(async () => {
  await api.close();
  await gw.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read loose JSON answers
type Json = Record<string, any>;

async function call(method: string, path: string, cred: string | null, body?: unknown, base = api.url): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(cred ? { authorization: `Bearer ${cred}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json, headers: res.headers };
}

const execute = (cred: string, identifier: string, body: unknown) => call('POST', `/sandbox/v1/code/execute?identifier=${encodeURIComponent(identifier)}`, cred, body);
const azure = (code: string, language?: string) => ({ properties: { codeInputType: 'inline', executionType: 'synchronous', code, ...(language ? { language } : {}) } });

describe(`sandbox sessions API (${api.mode}, ${realBackend ? 'bubblewrap backend' : 'child_process test backend'})`, { skip }, () => {
  it('executes Python sent the way Azure Container Apps dynamic sessions clients send it', async () => {
    const r = await execute(alice, 'az-1', azure('print(6 * 7)'));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.identifier, 'az-1');
    const p = r.json.properties;
    assert.equal(p.status, 'Succeeded');
    assert.equal(p.stdout, '42\n');
    assert.equal(p.stderr, '');
    assert.equal(p.exitCode, 0);
    assert.equal(p.killedBy, null);
    assert.equal(typeof p.executionTimeInMilliseconds, 'number');
    assert.equal(p.codeSha256, codeSha256('print(6 * 7)'));
    assert.ok(r.headers.get('x-request-id'));
  });

  it('executes JavaScript and shell with the simple body, and reports a failing exit as Failed', async () => {
    const js = await execute(alice, 'simple', { language: 'javascript', code: 'console.log([1,2,3].map(x => x * 2).join(","))' });
    assert.equal(js.json.properties.stdout, '2,4,6\n');
    const sh = await execute(alice, 'simple', { language: 'shell', code: 'echo out; echo err >&2; exit 7' });
    assert.equal(sh.status, 200);
    assert.deepEqual([sh.json.properties.status, sh.json.properties.stdout, sh.json.properties.stderr, sh.json.properties.exitCode], ['Failed', 'out\n', 'err\n', 7]);
  });

  it('kills a program at its timeout and says so', async () => {
    const r = await execute(alice, 'slow', { language: 'python', code: 'import time\ntime.sleep(10)', limits: { timeoutMs: 500 } });
    assert.equal(r.status, 200);
    assert.equal(r.json.properties.status, 'Failed');
    assert.equal(r.json.properties.killedBy, 'timeout');
    assert.ok(r.json.properties.executionTimeInMilliseconds < 5_000);
  });

  it('refuses limits above the caller\'s, unknown fields, bad identifiers and disabled languages with coded errors', async () => {
    const raise = await execute(alice, 'x', { language: 'python', code: 'print(1)', limits: { timeoutMs: 60_000 } });
    assert.equal(raise.status, 400);
    assert.equal(raise.json.code, 'RAMPART_INVALID_REQUEST');
    assert.match(raise.json.detail, /limits\.timeoutMs: at most 10000/);
    assert.equal((await execute(alice, 'x', { language: 'python', code: 'print(1)', sudo: true })).json.detail.includes('unknown field sudo'), true);
    assert.equal((await execute(alice, '../etc', { language: 'python', code: 'print(1)' })).status, 400);
    const noId = await call('POST', '/sandbox/v1/code/execute', alice, { language: 'python', code: 'print(1)' });
    assert.deepEqual([noId.status, noId.json.code], [400, 'RAMPART_INVALID_REQUEST']);
    assert.match(noId.json.detail, /identifier: the session identifier query parameter is required/);
    const ruby = await execute(alice, 'x', { language: 'ruby', code: 'puts 1' });
    assert.deepEqual([ruby.status, ruby.json.code], [400, 'RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED']);
    assert.equal(ruby.headers.get('content-type'), 'application/problem+json');
  });

  it('requires a credential and the sandbox:execute permission', async () => {
    const anon = await execute('', 'x', azure('print(1)'));
    assert.equal(anon.status, 401);
    const noPerm = await execute(chatOnly, 'x', azure('print(1)'));
    assert.deepEqual([noPerm.status, noPerm.json.code], [403, 'RAMPART_FORBIDDEN']);
  });

  it('uploads, lists, downloads and deletes files, and programs see them', async () => {
    const up = await call('POST', '/sandbox/v1/files/upload?identifier=files', dave, { path: 'data/in.csv', contentBase64: Buffer.from('a,b\n1,2\n').toString('base64') });
    assert.equal(up.status, 201, JSON.stringify(up.json));
    assert.equal(up.json.value[0].properties.filename, 'data/in.csv');
    assert.equal(up.json.value[0].properties.size, 8);
    const run = await execute(dave, 'files', { language: 'python', code: "rows = open('data/in.csv').read().splitlines()\nopen('out.txt','w').write(str(len(rows)))" });
    assert.deepEqual(run.json.properties.filesTouched.created, ['out.txt']);
    const list = await call('GET', '/sandbox/v1/files?identifier=files', dave);
    assert.deepEqual(list.json.value.map((f: Json) => f.properties.filename).sort(), ['data/in.csv', 'out.txt']);
    const got = await call('GET', '/sandbox/v1/files/content/out.txt?identifier=files', dave);
    assert.equal(Buffer.from(got.json.contentBase64, 'base64').toString(), '2');
    assert.equal((await call('DELETE', '/sandbox/v1/files/out.txt?identifier=files', dave)).status, 204);
    assert.equal((await call('GET', '/sandbox/v1/files/content/out.txt?identifier=files', dave)).status, 404);
  });

  it('refuses an upload over the smaller of files.maxUploadBytes and the caller\'s fileBytes, and audits its size', async () => {
    const upload = (bytes: number) => call('POST', '/sandbox/v1/files/upload?identifier=small', frank, { path: 'f.bin', contentBase64: Buffer.alloc(bytes, 1).toString('base64') });
    const big = await upload(1025);
    assert.deepEqual([big.status, big.json.code], [400, 'RAMPART_SANDBOX_FILE_REFUSED']);
    assert.match(big.json.detail, /larger than 1024 bytes/);
    assert.equal((await upload(1024)).status, 201);
    await flushAudit(gw);
    const page = await gw.app.store.audit.list({ action: 'sandbox.files.upload', principalId: 'app:frank', limit: 50 });
    const ev = page.items.find((e) => e.requestId === big.headers.get('x-request-id'));
    assert.deepEqual((ev?.details as Json | undefined)?.sandbox, { session: 'small', path: 'f.bin', bytes: 1025 });
  });

  it('refuses file paths outside the session and malformed uploads', async () => {
    for (const path of ['../../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', 'nul\u0000.txt']) {
      const r = await call('POST', '/sandbox/v1/files/upload?identifier=files', dave, { path, contentBase64: 'eA==' });
      assert.deepEqual([r.status, r.json.code], [400, 'RAMPART_SANDBOX_FILE_REFUSED'], path);
    }
    const traversal = await call('GET', '/sandbox/v1/files/content/..%2F..%2Fetc%2Fpasswd?identifier=files', dave);
    assert.deepEqual([traversal.status, traversal.json.code], [400, 'RAMPART_SANDBOX_FILE_REFUSED']);
    const bad = await call('POST', '/sandbox/v1/files/upload?identifier=files', dave, { path: 'x.bin', contentBase64: 'not base64!' });
    assert.equal(bad.status, 400);
  });

  it('keeps each caller\'s sessions to itself: the same identifier is another session for another caller', async () => {
    await call('POST', '/sandbox/v1/files/upload?identifier=private', alice, { path: 'secret.txt', contentBase64: Buffer.from('alice').toString('base64') });
    const peek = await call('GET', '/sandbox/v1/files/content/secret.txt?identifier=private', bob);
    assert.equal(peek.status, 404);
    const own = await execute(bob, 'private', { language: 'shell', code: 'ls' });
    assert.equal(own.json.properties.stdout, '');
    assert.equal((await call('DELETE', '/sandbox/v1/sessions/az-1', bob)).status, 404);
    assert.ok((await call('GET', '/sandbox/v1/sessions', alice)).json.data.some((s: Json) => s.identifier === 'az-1'));
  });

  it('lists the caller\'s sessions, ends one on request, and answers 429 with Retry-After at the per-caller cap', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4']) assert.equal((await execute(carol, id, azure('print(1)'))).status, 200);
    const over = await execute(carol, 'c5', azure('print(1)'));
    assert.deepEqual([over.status, over.json.code], [429, 'RAMPART_SANDBOX_SESSION_LIMIT']);
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
    assert.deepEqual((await call('GET', '/sandbox/v1/sessions', carol)).json.data.map((s: Json) => s.identifier), ['c1', 'c2', 'c3', 'c4']);
    assert.equal((await call('DELETE', '/sandbox/v1/sessions/c2', carol)).status, 204);
    assert.equal((await execute(carol, 'c5', azure('print(1)'))).status, 200);
  });

  it('runs only approved code for an enforcing agent: refuses with a detection, runs once approved by someone else', async () => {
    const code = "print('quarterly report')";
    const refused = await execute(agent, 'report', azure(code));
    assert.deepEqual([refused.status, refused.json.code], [403, 'RAMPART_SANDBOX_CODE_NOT_APPROVED']);
    const approved = await call('POST', '/admin/v1/sandbox/approvals', secAdmin, { code, language: 'python', revisionUrl: REVISION, note: 'reviewed in PR 118' });
    assert.equal(approved.status, 201, JSON.stringify(approved.json));
    assert.equal(approved.json.reviewer, 'app:sec-admin');
    const ok = await execute(agent, 'report', azure(code));
    assert.equal(ok.json.properties.stdout, 'quarterly report\n');
    assert.equal(ok.json.properties.approval, 'approved');
    const other = await execute(agent, 'report', azure(`${code}\nimport os`));
    assert.equal(other.status, 403, 'one changed byte is another program');
    await gw.app.detections.flush();
    const det = await call('GET', '/admin/v1/detections?category=sandbox.', secAdmin, undefined, gw.app.url);
    assert.ok(det.json.data.some((d: Json) => d.category === 'sandbox.unapproved_code' && d.principalId === 'agent:report-bot'), JSON.stringify(det.json));
  });

  it('lets sandbox:approve holders approve and revoke, sandbox:read holders list, and nobody else', async () => {
    const code = 'echo approved';
    assert.equal((await call('POST', '/admin/v1/sandbox/approvals', alice, { code, language: 'shell', revisionUrl: REVISION })).status, 403);
    const http = await call('POST', '/admin/v1/sandbox/approvals', secAdmin, { code, language: 'shell', revisionUrl: 'http://github.com/acme/x' });
    assert.equal(http.status, 400);
    assert.equal((await call('POST', '/admin/v1/sandbox/approvals', secAdmin, { code, language: 'shell', revisionUrl: REVISION })).status, 201);
    const sha = codeSha256(code);
    assert.equal((await call('GET', `/admin/v1/sandbox/approvals/${sha}`, secAdmin)).json.language, 'shell');
    assert.ok((await call('GET', '/admin/v1/sandbox/approvals', secAdmin)).json.data.some((a: Json) => a.sha256 === sha));
    const revoked = await call('POST', `/admin/v1/sandbox/approvals/${sha}/revoke`, secAdmin);
    assert.equal(revoked.json.revokedBy, 'app:sec-admin');
    assert.equal((await call('GET', '/admin/v1/sandbox/approvals', secAdmin)).json.data.some((a: Json) => a.sha256 === sha), false);
  });

  it('pages the approvals list as the other admin lists do: the same limits, the same refusals', async () => {
    const admin = await gw.key(['admin']);
    for (const q of ['limit=0', 'limit=501', 'limit=2.5', 'limit=', 'cursor=not%20a%20cursor']) {
      const approvals = await call('GET', `/admin/v1/sandbox/approvals?${q}`, admin);
      const keys = await call('GET', `/admin/v1/keys?${q}`, admin, undefined, gw.app.url);
      assert.equal(approvals.status, 400, q);
      assert.deepEqual([approvals.status, approvals.json.code, approvals.json.detail], [keys.status, keys.json.code, keys.json.detail], q);
    }
    for (const code of ['echo page 1', 'echo page 2']) assert.equal((await call('POST', '/admin/v1/sandbox/approvals', secAdmin, { code, language: 'shell', revisionUrl: REVISION })).status, 201);
    const first = await call('GET', '/admin/v1/sandbox/approvals?limit=1', admin);
    assert.equal(first.json.data.length, 1);
    const next = await call('GET', `/admin/v1/sandbox/approvals?limit=1&cursor=${first.json.nextCursor}`, admin);
    assert.equal(next.status, 200, JSON.stringify(next.json));
    assert.notEqual(next.json.data[0].sha256, first.json.data[0].sha256);
  });

  it('puts every execution on the audit record: principal, session, hash, language, limits, exit, output bytes, files', async () => {
    const code = "open('f.txt','w').write('x'); print('audited')";
    const r = await execute(bob, 'audited', { language: 'python', code });
    await flushAudit(gw);
    const page = await gw.app.store.audit.list({ action: 'sandbox.execute', principalId: 'app:bob', limit: 50 });
    const ev = page.items.find((e) => e.requestId === r.headers.get('x-request-id'));
    assert.ok(ev, 'the audit event of the request');
    const s = (ev.details as Json).sandbox;
    assert.equal(s.session, 'audited');
    assert.equal(s.codeSha256, codeSha256(code));
    assert.equal(s.language, 'python');
    assert.equal(s.exitCode, 0);
    assert.equal(s.stdoutBytes, 8);
    assert.deepEqual(s.filesTouched.created, ['f.txt']);
    assert.equal(s.limits.memoryBytes, 256 * 1024 * 1024);
    assert.equal(s.approval, 'unapproved');
    assert.equal(JSON.stringify(ev.details).includes('audited\\n'), false, 'the output is not in the audit log');
  });
});

describe('sandbox isolation through the API (bubblewrap backend)', { skip: skip || (realBackend ? false : 'the bubblewrap backend is not there yet (src/sandbox/backends/bwrap)') }, () => {
  it('gives a program no network and none of the host\'s files', async () => {
    const r = await execute(erin, 'iso', {
      language: 'python',
      code: "import socket, os\ntry:\n  socket.create_connection(('1.1.1.1', 443), timeout=2); print('net: open')\nexcept OSError: print('net: closed')\nprint('host files:', os.path.exists('/work/main/package.json'))",
    });
    assert.equal(r.json.properties.stdout, 'net: closed\nhost files: False\n');
  });
});
