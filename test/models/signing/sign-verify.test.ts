/**
 * Key-based signing and verification: round trips on each curve, the file layout the reference
 * tool writes, and every way a model can differ from its signature (naming the file).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashModel, signModel, verifyModel } from '../../../src/models/signing/index.ts';
import { keyIdOf } from '../../../src/models/signing/keys.ts';
import { createPublicKey } from 'node:crypto';
import { ecKeyPair, rejectsWith, tempDir, writeModel } from './support/helpers.ts';
import type { Curve } from './support/helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const model = (files: Record<string, string | Buffer> = { 'config.json': '{"a":1}', 'weights/part-0.bin': Buffer.alloc(4096, 1), 'weights/part-1.bin': Buffer.alloc(1000, 2) }) =>
  writeModel(join(tmp.dir, `model-${n++}`), files);
const keys = ecKeyPair('P-256');
const key = (publicKeyPem = keys.publicKeyPem) => ({ kind: 'key' as const, publicKeyPem });

describe('signModel / verifyModel with a key', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as Curve[]) {
    it(`round-trips on ${curve} with the hash the curve calls for`, async () => {
      const k = ecKeyPair(curve);
      const dir = model();
      const signed = await signModel({ modelPath: dir, privateKeyPem: k.privateKeyPem });
      assert.equal(signed.signaturePath, join(dir, 'model.sig'));
      assert.equal(signed.files, 3);
      assert.equal(signed.bytes, 7 + 4096 + 1000);
      const v = await verifyModel({ modelPath: dir, method: key(k.publicKeyPem) });
      assert.equal(v.rootDigest, signed.rootDigest);
      assert.deepEqual(v.files.map((f) => f.name), ['config.json', 'weights/part-0.bin', 'weights/part-1.bin']);
      assert.deepEqual(v.signer, { kind: 'key', keyId: keyIdOf(createPublicKey(k.publicKeyPem)) });
      // Independent check of the DSSE signature (DER ECDSA over the PAE) with the openssl CLI.
      const bundle = JSON.parse(readFileSync(signed.signaturePath, 'utf8'));
      const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
      const paeBytes = Buffer.concat([Buffer.from('DSSEv1 28 application/vnd.in-toto+json '), Buffer.from(`${payload.length} `), payload]);
      writeFileSync(join(dir, '..', `pae-${curve}`), paeBytes);
      writeFileSync(join(dir, '..', `sig-${curve}`), Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64'));
      writeFileSync(join(dir, '..', `pub-${curve}.pem`), k.publicKeyPem);
      const digest = { 'P-256': '-sha256', 'P-384': '-sha384', 'P-521': '-sha512' }[curve];
      const out = execFileSync('openssl', ['dgst', digest, '-verify', join(dir, '..', `pub-${curve}.pem`), '-signature', join(dir, '..', `sig-${curve}`), join(dir, '..', `pae-${curve}`)]);
      assert.match(out.toString(), /Verified OK/);
    });
  }

  it('writes the reference layout: v0.3 bundle, key hint, in-toto statement, model_signing v1.0 predicate', async () => {
    const dir = model();
    const signed = await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem, ignorePaths: ['notes'] });
    const bundle = JSON.parse(readFileSync(signed.signaturePath, 'utf8'));
    assert.deepEqual(Object.keys(bundle), ['mediaType', 'verificationMaterial', 'dsseEnvelope']);
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const pemHash = (await import('node:crypto')).createHash('sha256').update(keys.publicKeyPem).digest('hex');
    assert.deepEqual(bundle.verificationMaterial, { publicKey: { hint: pemHash }, tlogEntries: [] });
    assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    assert.deepEqual(bundle.dsseEnvelope.signatures.map((s: { keyid: string }) => s.keyid), ['']);
    assert.equal(Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64')[0], 0x30, 'DER SEQUENCE, not raw r||s');
    const st = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    assert.equal(st._type, 'https://in-toto.io/Statement/v1');
    assert.equal(st.predicateType, 'https://model_signing/signature/v1.0');
    assert.deepEqual(st.subject, [{ name: `model-${n - 1}`, digest: { sha256: signed.rootDigest } }]);
    assert.deepEqual(st.predicate.serialization, {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
      ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig', 'notes'],
    });
    assert.deepEqual(st.predicate.resources[0], { name: 'config.json', algorithm: 'sha256', digest: (await hashModel({ modelPath: dir })).files[0]!.digest });
  });

  it('hashModel gives the same root digest as signModel', async () => {
    const dir = model();
    const signed = await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
    assert.equal((await hashModel({ modelPath: dir })).rootDigest, signed.rootDigest);
  });

  it('fails on a changed file, naming it', async () => {
    const dir = model();
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
    writeFileSync(join(dir, 'weights/part-1.bin'), Buffer.alloc(1000, 3));
    const err = await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_FILE_CHANGED');
    assert.equal(err.file, 'weights/part-1.bin');
    assert.match(err.message, /changed: "weights\/part-1\.bin"/);
  });

  it('fails on an extra file, naming it', async () => {
    const dir = model();
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
    writeFileSync(join(dir, 'weights/backdoor.py'), 'import os');
    const err = await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_FILE_EXTRA');
    assert.equal(err.file, 'weights/backdoor.py');
  });

  it('fails on a missing file, naming it', async () => {
    const dir = model();
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
    unlinkSync(join(dir, 'config.json'));
    const err = await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_FILE_MISSING');
    assert.equal(err.file, 'config.json');
  });

  it('fails on a renamed file, naming both names', async () => {
    const dir = model();
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
    renameSync(join(dir, 'weights/part-0.bin'), join(dir, 'weights/part-9.bin'));
    const err = await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_FILE_MISSING');
    assert.deepEqual(err.mismatch, { changed: [], missing: ['weights/part-0.bin'], extra: ['weights/part-9.bin'] });
  });

  it('fails with another key, and with a bundle whose hint names another key', async () => {
    const dir = model();
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
    const other = ecKeyPair('P-256');
    const err = await rejectsWith(verifyModel({ modelPath: dir, method: key(other.publicKeyPem) }), 'MODEL_SIGNATURE_INVALID');
    assert.match(err.message, /another public key/);
    // Without the hint, the signature itself must fail.
    const path = join(dir, 'model.sig');
    const bundle = JSON.parse(readFileSync(path, 'utf8'));
    delete bundle.verificationMaterial.publicKey.hint;
    writeFileSync(path, JSON.stringify(bundle));
    const err2 = await rejectsWith(verifyModel({ modelPath: dir, method: key(other.publicKeyPem) }), 'MODEL_SIGNATURE_INVALID');
    assert.match(err2.message, /does not verify/);
    await verifyModel({ modelPath: dir, method: key() });
  });

  it('honours ignore paths: recorded ones at verification, extra ones given by the verifier', async () => {
    const dir = model({ 'w.bin': 'w', 'cache/x': '1' });
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem, ignorePaths: ['cache'] });
    writeFileSync(join(dir, 'cache/y'), 'changes in an ignored directory do not matter');
    writeFileSync(join(dir, 'README.md'), 'added later');
    await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_FILE_EXTRA');
    await verifyModel({ modelPath: dir, method: key(), ignorePaths: ['README.md'] });
  });

  it('signs to a custom signature path outside the model, and a single-file model', async () => {
    const dir = model({ 'w.bin': 'w' });
    const sig = join(tmp.dir, `custom-${n}.sig`);
    await signModel({ modelPath: dir, signaturePath: sig, privateKeyPem: keys.privateKeyPem });
    await verifyModel({ modelPath: dir, signaturePath: sig, method: key() });
    const file = join(dir, 'w.bin');
    const s = await signModel({ modelPath: file, privateKeyPem: keys.privateKeyPem });
    assert.equal(s.signaturePath, join(dir, 'model.sig'));
    const v = await verifyModel({ modelPath: file, method: key() });
    assert.deepEqual(v.files.map((f) => f.name), ['.']);
  });

  it('refuses symlinks at verification unless allowed, even if the signer allowed them', async () => {
    const dir = model({ 'real.bin': 'r' });
    execFileSync('ln', ['-s', 'real.bin', join(dir, 'alias.bin')]);
    await rejectsWith(signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem }), 'MODEL_PATH_REFUSED');
    await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem, allowSymlinks: true });
    await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_PATH_REFUSED');
    await verifyModel({ modelPath: dir, method: key(), allowSymlinks: true });
  });

  it('refuses unusable keys when signing', async () => {
    const dir = model();
    await rejectsWith(signModel({ modelPath: dir, privateKeyPem: 'nope' }), 'MODEL_KEY_INVALID');
    const { generateKeyPairSync } = await import('node:crypto');
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await rejectsWith(signModel({ modelPath: dir, privateKeyPem: ed }), 'MODEL_KEY_INVALID');
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await rejectsWith(signModel({ modelPath: dir, privateKeyPem: k1 }), 'MODEL_KEY_INVALID');
    await rejectsWith(verifyModel({ modelPath: dir, method: key('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n') }), 'MODEL_KEY_INVALID');
  });

  it('reports a missing signature as MODEL_NOT_FOUND', async () => {
    const dir = model();
    await rejectsWith(verifyModel({ modelPath: dir, method: key() }), 'MODEL_NOT_FOUND');
    rmSync(dir, { recursive: true });
  });
});
