/**
 * Sigstore keyless verification offline, against a private Sigstore built in the test (Fulcio-like
 * CA with SCTs from a test CT log, a test Rekor with SET and inclusion proof): the success path and
 * each way it must fail closed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyModel } from '../../../src/models/signing/index.ts';
import { rejectsWith, tempDir, writeModel } from './support/helpers.ts';
import { opensslMissing } from './support/pki.ts';
import { buildWorld, signKeyless } from './support/sigstore-fake.ts';
import type { KeylessSignOptions, SigstoreWorld } from './support/sigstore-fake.ts';

const skip = opensslMissing();
const tmp = tempDir();
after(tmp.cleanup);
const ID = { identity: 'alice@example.com', issuer: 'https://idp.example.com' };
let world: SigstoreWorld;
let n = 0;

before(() => {
  if (!skip) world = buildWorld(tmp.dir);
});

async function keylessModel(opts: Partial<KeylessSignOptions> = {}): Promise<string> {
  const dir = writeModel(join(tmp.dir, `model-${n++}`), { 'weights.bin': Buffer.alloc(2048, 9), 'config.json': '{}' });
  await signKeyless(world, dir, { ...ID, ...opts });
  return dir;
}

const method = (over: Partial<{ identity: string; issuer: string; trustedRootPath: string }> = {}) => ({ kind: 'sigstore' as const, trustedRootPath: world.trustedRootPath, ...ID, ...over });

describe('Sigstore bundles, verified offline', { skip }, () => {
  it('verifies a keyless signature: certificate, SCT, Rekor SET and inclusion proof', async () => {
    const dir = await keylessModel();
    const v = await verifyModel({ modelPath: dir, method: method() });
    assert.deepEqual(v.signer, { kind: 'sigstore', subject: ID.identity, issuer: ID.issuer });
    assert.deepEqual(v.files.map((f) => f.name), ['config.json', 'weights.bin']);
  });

  it('fails on a changed file after the signature checks out', async () => {
    const dir = await keylessModel();
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(2048, 8));
    await rejectsWith(verifyModel({ modelPath: dir, method: method() }), 'MODEL_FILE_CHANGED');
  });

  it('refuses another identity or issuer', async () => {
    const dir = await keylessModel();
    await rejectsWith(verifyModel({ modelPath: dir, method: method({ identity: 'bob@example.com' }) }), 'MODEL_IDENTITY_MISMATCH');
    await rejectsWith(verifyModel({ modelPath: dir, method: method({ identity: 'alice@example.co' }) }), 'MODEL_IDENTITY_MISMATCH');
    await rejectsWith(verifyModel({ modelPath: dir, method: method({ issuer: 'https://idp.example.com/' }) }), 'MODEL_IDENTITY_MISMATCH');
  });

  it('refuses a certificate from a CA the trust root does not name', async () => {
    const dir = await keylessModel();
    const elsewhere = buildWorld(tmp.dir, 'elsewhere');
    await rejectsWith(verifyModel({ modelPath: dir, method: method({ trustedRootPath: elsewhere.trustedRootPath }) }), 'MODEL_CERT_UNTRUSTED');
  });

  it('refuses a certificate without an SCT', async () => {
    const dir = await keylessModel({ omitSct: true });
    await rejectsWith(verifyModel({ modelPath: dir, method: method() }), 'MODEL_CERT_UNTRUSTED');
  });

  it('refuses a bundle without transparency log entries', async () => {
    const dir = await keylessModel({ mutate: (b) => void (b.verificationMaterial.tlogEntries = []) });
    await rejectsWith(verifyModel({ modelPath: dir, method: method() }), 'MODEL_TLOG_INVALID');
  });

  it('refuses a forged signed entry timestamp and a forged checkpoint', async () => {
    const setForged = await keylessModel({
      mutate: (b) => {
        const e = b.verificationMaterial.tlogEntries[0];
        e.integratedTime = String(Number(e.integratedTime) + 1);
      },
    });
    await rejectsWith(verifyModel({ modelPath: setForged, method: method() }), 'MODEL_TLOG_INVALID');
    const proofForged = await keylessModel({
      mutate: (b) => {
        const e = b.verificationMaterial.tlogEntries[0];
        delete e.inclusionPromise;
        e.inclusionProof.checkpoint.envelope = e.inclusionProof.checkpoint.envelope.replace('\n1\n', '\n2\n');
      },
    });
    await rejectsWith(verifyModel({ modelPath: proofForged, method: method() }), 'MODEL_TLOG_INVALID');
  });

  it('refuses a log entry for another signature', async () => {
    const a = await keylessModel();
    const b = await keylessModel();
    const bundleA = JSON.parse(readFileSync(join(a, 'model.sig'), 'utf8'));
    const bundleB = JSON.parse(readFileSync(join(b, 'model.sig'), 'utf8'));
    bundleA.verificationMaterial.tlogEntries = bundleB.verificationMaterial.tlogEntries;
    writeFileSync(join(a, 'model.sig'), JSON.stringify(bundleA));
    await rejectsWith(verifyModel({ modelPath: a, method: method() }), 'MODEL_TLOG_INVALID');
  });

  it('refuses a signature logged after the short-lived certificate expired', async () => {
    const dir = await keylessModel({ signedAt: new Date('2025-06-01T12:00:00Z'), loggedAt: new Date('2025-06-01T13:00:00Z') });
    await rejectsWith(verifyModel({ modelPath: dir, method: method() }), 'MODEL_CERT_EXPIRED');
  });

  it('refuses a second DSSE signature smuggled into the envelope', async () => {
    const dir = await keylessModel({ mutate: (b) => void b.dsseEnvelope.signatures.push({ sig: b.dsseEnvelope.signatures[0].sig }) });
    await rejectsWith(verifyModel({ modelPath: dir, method: method() }), 'MODEL_SIGNATURE_MALFORMED');
  });

  it('refuses a tampered statement even though the log entry is genuine', async () => {
    const dir = await keylessModel({
      mutate: (b) => {
        const st = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
        st.subject[0].name = 'renamed';
        b.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
      },
    });
    await assert.rejects(verifyModel({ modelPath: dir, method: method() }), (e: Error & { code?: string }) => e.code === 'MODEL_TLOG_INVALID' || e.code === 'MODEL_SIGNATURE_INVALID');
  });

  it('refuses an unreadable or empty trust root', async () => {
    const dir = await keylessModel();
    await rejectsWith(verifyModel({ modelPath: dir, method: method({ trustedRootPath: join(tmp.dir, 'missing.json') }) }), 'MODEL_TRUST_ROOT_INVALID');
    const empty = join(tmp.dir, 'empty-root.json');
    writeFileSync(empty, JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }));
    await rejectsWith(verifyModel({ modelPath: dir, method: method({ trustedRootPath: empty }) }), 'MODEL_TRUST_ROOT_INVALID');
  });

  it('does not accept a keyless bundle under the key or certificate methods', async () => {
    const dir = await keylessModel();
    await rejectsWith(verifyModel({ modelPath: dir, method: { kind: 'certificate', trustedRootsPem: [world.fulcio.certPem] } }), 'MODEL_SIGNATURE_UNSUPPORTED');
  });
});
