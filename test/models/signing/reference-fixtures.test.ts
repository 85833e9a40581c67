/**
 * Compatibility with the reference tool: signatures made by `model_signing` v1.0.0, v1.0.1 and
 * v1.1.0 (its own golden test data, Apache-2.0, see test/fixtures/model-signing/reference/NOTICE.md)
 * verify in Rampart with the key, certificate and Sigstore methods — and fail when tampered with.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyModel } from '../../../src/models/signing/index.ts';
import type { VerificationMethod } from '../../../src/models/signing/types.ts';
import { REFERENCE, rejectsWith, tempDir } from './support/helpers.ts';

const keyPem = readFileSync(join(REFERENCE, 'keys/signing-key-pub.pem'), 'utf8');
const intermediatePem = readFileSync(join(REFERENCE, 'keys/intermediate-ca.pem'), 'utf8');
const trustedRootPath = join(REFERENCE, 'keys/sigstore-public-good-trusted_root.json');
const KEY: VerificationMethod = { kind: 'key', publicKeyPem: keyPem };
// The reference suite's root CA is not published with its test data; its intermediate is the anchor.
const CERT: VerificationMethod = { kind: 'certificate', trustedRootsPem: [intermediatePem] };
const SIGSTORE: VerificationMethod = { kind: 'sigstore', trustedRootPath, identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };
const ROOT_2FILES_NL = '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4';
const ROOT_2FILES = '61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226';

const cases: Array<{ dir: string; model?: string; method: VerificationMethod; root: string; ignore?: string[] }> = [
  { dir: 'v1.0.0-elliptic-key', model: 'signme-1', method: KEY, root: 'afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b' },
  { dir: 'v1.0.1-elliptic-key', method: KEY, root: ROOT_2FILES_NL },
  { dir: 'v1.1.0-elliptic-key', method: KEY, root: ROOT_2FILES_NL },
  { dir: 'v1.0.0-certificate', method: CERT, root: ROOT_2FILES },
  { dir: 'v1.0.1-certificate', method: CERT, root: ROOT_2FILES },
  { dir: 'v1.1.0-certificate', method: CERT, root: ROOT_2FILES },
  { dir: 'v1.0.0-sigstore', method: SIGSTORE, root: ROOT_2FILES },
  { dir: 'v1.0.1-sigstore', method: SIGSTORE, root: ROOT_2FILES, ignore: ['ignore-me'] },
  { dir: 'v1.1.0-sigstore', method: SIGSTORE, root: ROOT_2FILES },
];

const tmp = tempDir();
after(tmp.cleanup);

describe('signatures made by the reference tool (model_signing)', () => {
  for (const c of cases) {
    it(`verifies ${c.dir} (${c.method.kind})`, async () => {
      const modelPath = join(REFERENCE, c.dir, c.model ?? '');
      const v = await verifyModel({ modelPath, signaturePath: join(REFERENCE, c.dir, 'model.sig'), method: c.method, ...(c.ignore ? { ignorePaths: c.ignore } : {}) });
      assert.equal(v.rootDigest, c.root);
      assert.equal(v.signer.kind, c.method.kind);
      if (c.method.kind === 'sigstore') assert.deepEqual([v.signer.subject, v.signer.issuer], ['stefanb@us.ibm.com', 'https://sigstore.verify.ibm.com/oauth2']);
    });
  }

  it('fails on a tampered file of a reference model, naming it', async () => {
    const copy = join(tmp.dir, 'v1.1.0-elliptic-key');
    cpSync(join(REFERENCE, 'v1.1.0-elliptic-key'), copy, { recursive: true });
    writeFileSync(join(copy, 'signme-2'), 'signme-2 changed');
    const err = await rejectsWith(verifyModel({ modelPath: copy, method: KEY }), 'MODEL_FILE_CHANGED');
    assert.equal(err.file, 'signme-2');
  });

  it('uses the ignore paths the v1.1.0 signature records ("ignore-me")', async () => {
    const copy = join(tmp.dir, 'v1.1.0-sigstore');
    cpSync(join(REFERENCE, 'v1.1.0-sigstore'), copy, { recursive: true });
    writeFileSync(join(copy, 'ignore-me'), 'anything');
    await verifyModel({ modelPath: copy, method: SIGSTORE });
    writeFileSync(join(copy, 'not-ignored'), 'x');
    await rejectsWith(verifyModel({ modelPath: copy, method: SIGSTORE }), 'MODEL_FILE_EXTRA');
  });

  it('refuses another identity or another OIDC issuer (compared exactly, not as a pattern)', async () => {
    const modelPath = join(REFERENCE, 'v1.0.0-sigstore');
    const base = { modelPath, signaturePath: join(modelPath, 'model.sig') };
    await rejectsWith(verifyModel({ ...base, method: { ...SIGSTORE, identity: 'mallory@example.com' } }), 'MODEL_IDENTITY_MISMATCH');
    await rejectsWith(verifyModel({ ...base, method: { ...SIGSTORE, identity: 'stefanb@us.ibm.com'.replace('.', '?') } }), 'MODEL_IDENTITY_MISMATCH');
    await rejectsWith(verifyModel({ ...base, method: { ...SIGSTORE, identity: '.*' } }), 'MODEL_IDENTITY_MISMATCH');
    await rejectsWith(verifyModel({ ...base, method: { ...SIGSTORE, issuer: 'https://accounts.google.com' } }), 'MODEL_IDENTITY_MISMATCH');
  });

  it('refuses the reference Sigstore signature against a trust root that lacks its Rekor log', async () => {
    const root = JSON.parse(readFileSync(trustedRootPath, 'utf8'));
    root.tlogs = root.tlogs.filter((t: { baseUrl: string }) => t.baseUrl !== 'https://rekor.sigstore.dev');
    const path = join(tmp.dir, 'no-rekor.json');
    writeFileSync(path, JSON.stringify(root));
    const modelPath = join(REFERENCE, 'v1.0.0-sigstore');
    await rejectsWith(verifyModel({ modelPath, signaturePath: join(modelPath, 'model.sig'), method: { ...SIGSTORE, trustedRootPath: path } }), 'MODEL_TLOG_INVALID');
  });

  it('refuses the reference Sigstore signature against a trust root without its Fulcio CA', async () => {
    const root = JSON.parse(readFileSync(trustedRootPath, 'utf8'));
    root.certificateAuthorities = root.certificateAuthorities.slice(0, 1); // the 2021-2022 CA only
    const path = join(tmp.dir, 'old-fulcio.json');
    writeFileSync(path, JSON.stringify(root));
    const modelPath = join(REFERENCE, 'v1.0.0-sigstore');
    await rejectsWith(verifyModel({ modelPath, signaturePath: join(modelPath, 'model.sig'), method: { ...SIGSTORE, trustedRootPath: path } }), 'MODEL_CERT_UNTRUSTED');
  });

  it('refuses a reference key signature with another key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const modelPath = join(REFERENCE, 'v1.0.1-elliptic-key');
    await rejectsWith(verifyModel({ modelPath, method: { kind: 'key', publicKeyPem: other } }), 'MODEL_SIGNATURE_INVALID');
  });
});
