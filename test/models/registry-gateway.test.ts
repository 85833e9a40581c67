/**
 * The model registry and the deploy gate end to end: a deployment that names a model is refused
 * until the model is registered, signed by a trusted signer, scanned clean and approved by someone
 * other than who registered it; a malicious model can never be approved; a tampered one fails
 * naming the file; the admin API shows why; paths outside models.roots are refused.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signModel } from '../../src/models/signing/sign.ts';
import { defaultConfig, flushAudit, startTestGateway, type TestGateway } from '../support/gateway.ts';

const root = mkdtempSync(join(tmpdir(), 'rampart-models-'));
const outside = mkdtempSync(join(tmpdir(), 'rampart-outside-'));
let gw: TestGateway;
let ml: string;
let secAdmin: string;
let auditor: string;
let user: string;

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A tiny safetensors file: one F32 tensor of 2 values. */
function safetensors(): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, __metadata__: { format: 'pt' } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(8)]);
}

/** Protocol 2 pickle calling os.system('id'): GLOBAL, then REDUCE on a one-tuple. */
const EVIL_PICKLE = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1')]);

function modelDir(name: string, files: Record<string, Buffer | string>, base = root): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, body] of Object.entries(files)) writeFileSync(join(dir, f), body);
  return dir;
}

before(async () => {
  const good = modelDir('good', { 'config.json': '{"architectures":["TinyModel"]}', 'model.safetensors': safetensors() });
  await signModel({ modelPath: good, privateKeyPem: privatePem });
  const evil = modelDir('evil', { 'config.json': '{}', 'pytorch_model.bin': EVIL_PICKLE });
  await signModel({ modelPath: evil, privateKeyPem: privatePem });
  const tampered = modelDir('tampered', { 'config.json': '{"a":1}', 'model.safetensors': safetensors() });
  await signModel({ modelPath: tampered, privateKeyPem: privatePem });
  writeFileSync(join(tampered, 'config.json'), '{"a":2}');
  const strangers = modelDir('strangers', { 'model.safetensors': safetensors() });
  await signModel({ modelPath: strangers, privateKeyPem: other });
  modelDir('unsigned', { 'model.safetensors': safetensors() });
  modelDir('elsewhere', { 'model.safetensors': safetensors() }, outside);

  gw = await startTestGateway((url, dir) => {
    const base = defaultConfig(url, dir) as { deployments: unknown[]; roles: Record<string, unknown> };
    return {
      ...base,
      roles: { ...base.roles, caller: { deployments: ['chat', 'tiny', 'evil'] }, 'ml-engineer': { admin: ['models:read', 'models:write'] }, 'sec-admin': { admin: ['models:read', 'models:approve', 'deployments:read', 'audit:read'] } },
      models: { signers: [{ name: 'ml-platform', publicKey: publicPem }], roots: [root], cacheTtlMs: 60_000 },
      deployments: [
        ...base.deployments,
        { name: 'tiny', model: 'tiny-model', targets: [{ provider: 'echo' }] },
        { name: 'evil', model: { name: 'evil-model', require: ['clean-scan'] }, targets: [{ provider: 'echo' }] },
      ],
    };
  });
  ml = await gw.key(['ml-engineer']);
  secAdmin = await gw.key(['sec-admin']);
  auditor = await gw.key(['auditor']);
  user = await gw.key(['caller']);
});
after(async () => {
  await gw?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function admin(method: string, path: string, cred: string, body?: unknown) {
  const res = await fetch(`${gw.app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${cred}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads loose JSON
}

async function register(name: string, path: string, publisher = 'acme') {
  const started = await admin('POST', '/admin/v1/models', ml, { name, path, source: { hub: 'internal', repository: `acme/${name}`, revision: 'v1', publisher } });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  let job = started.json;
  for (let i = 0; i < 300 && (job.status === 'queued' || job.status === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    job = (await admin('GET', `/admin/v1/models/jobs/${job.id}`, ml)).json;
  }
  assert.equal(job.status, 'succeeded', JSON.stringify(job));
  return (await admin('GET', `/admin/v1/models/${job.modelId}`, ml)).json;
}

async function chat(model: string) {
  const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code, message: body.error?.message ?? '' };
}

describe('deploy gate', () => {
  it('refuses a deployment whose model is not registered, and says so in the admin API', async () => {
    const r = await chat('tiny');
    assert.equal(r.status, 403);
    assert.equal(r.code, 'RAMPART_MODEL_NOT_VERIFIED');
    assert.match(r.message, /registered/);
    const view = await admin('GET', '/admin/v1/deployments/tiny', secAdmin);
    assert.equal(view.json.model.served, false);
    assert.equal((await chat('chat')).status, 200, 'deployments without a model are not gated');
  });

  it('serves the model once it is signed by a trusted signer, scanned clean and approved by another principal', async () => {
    const rec = await register('tiny-model', join(root, 'good'));
    assert.match(rec.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(rec.signature.status, 'verified');
    assert.equal(rec.signature.signer, 'ml-platform');
    assert.equal(rec.scan.verdict, 'clean');
    assert.equal(rec.approval.status, 'pending');
    assert.equal(rec.files, 2);

    const pending = await chat('tiny');
    assert.equal(pending.status, 403);
    assert.match(pending.message, /approval \(pending\)/);

    // Four eyes: the ML engineer who registered it cannot approve (nor holds models:approve).
    assert.equal((await admin('POST', `/admin/v1/models/${rec.id}/approve`, ml)).status, 403);
    const approved = await admin('POST', `/admin/v1/models/${rec.id}/approve`, secAdmin, { note: 'reviewed model card' });
    assert.equal(approved.status, 200);
    assert.equal(approved.json.approval.status, 'approved');
    assert.equal((await chat('tiny')).status, 200, 'served at once: the gate cache is dropped on approval');
    assert.equal((await admin('GET', '/admin/v1/deployments/tiny', secAdmin)).json.model.served, true);

    // Withdrawing the approval stops it again.
    assert.equal((await admin('POST', `/admin/v1/models/${rec.id}/reject`, secAdmin, { note: 'licence issue' })).status, 200);
    assert.equal((await chat('tiny')).status, 403);
    await admin('POST', `/admin/v1/models/${rec.id}/approve`, secAdmin);

    await flushAudit(gw);
    const events = await gw.app.store.audit.list({ action: 'models.approve', limit: 10 });
    assert.ok(events.items.some((e) => e.details?.modelId === rec.id && e.decision === 'allow'));
  });

  it('never approves a model whose scan found malicious code, and names the callable', async () => {
    const rec = await register('evil-model', join(root, 'evil'));
    assert.equal(rec.scan.verdict, 'malicious');
    assert.ok(rec.scan.findings.some((f: { file: string; callable?: string }) => f.file === 'pytorch_model.bin' && /system/.test(f.callable ?? '')), JSON.stringify(rec.scan.findings));
    const approve = await admin('POST', `/admin/v1/models/${rec.id}/approve`, secAdmin);
    assert.equal(approve.status, 409);
    const r = await chat('evil');
    assert.equal(r.status, 403);
    assert.match(r.message, /clean-scan \(scan: malicious\)/);
  });

  it('records a tampered model as invalid, naming the changed file, and a stranger\'s signature as invalid', async () => {
    const tampered = await register('tampered', join(root, 'tampered'));
    assert.equal(tampered.signature.status, 'invalid');
    assert.equal(tampered.signature.error.code, 'MODEL_FILE_CHANGED');
    assert.match(tampered.signature.error.message, /config\.json/);
    const stranger = await register('strangers', join(root, 'strangers'));
    assert.equal(stranger.signature.status, 'invalid');
    const unsigned = await register('unsigned', join(root, 'unsigned'));
    assert.equal(unsigned.signature.status, 'unsigned');
  });

  it('refuses paths outside models.roots, relative paths and traversal, and duplicates', async () => {
    for (const path of [join(outside, 'elsewhere'), '/etc', `${root}/../${outside.split('/').pop()}/elsewhere`, 'relative/dir']) {
      const r = await admin('POST', '/admin/v1/models', ml, { name: 'x', path });
      assert.ok(r.status === 403 || r.status === 400, `${path}: ${r.status}`);
    }
    const dup = await admin('POST', '/admin/v1/models', ml, { name: 'tiny-model', path: join(root, 'good') });
    assert.equal(dup.status, 202);
    let job = dup.json;
    while (job.status === 'queued' || job.status === 'running') job = (await admin('GET', `/admin/v1/models/jobs/${job.id}`, ml)).json;
    assert.equal(job.status, 'failed');
    assert.equal(job.error.code, 'RAMPART_CONFLICT');
  });

  it('lets auditors read the registry but not change it', async () => {
    const list = await admin('GET', '/admin/v1/models', auditor);
    assert.equal(list.status, 200);
    assert.ok(list.json.data.length >= 1);
    assert.equal((await admin('POST', '/admin/v1/models', auditor, { name: 'x', path: join(root, 'good') })).status, 403);
  });
});
