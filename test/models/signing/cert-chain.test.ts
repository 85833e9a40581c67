/**
 * Certificate-signed models, with a PKI made by the openssl CLI: good chains, expired and not yet
 * valid certificates, certificates not for code signing, untrusted or broken chains.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signModel, verifyModel } from '../../../src/models/signing/index.ts';
import { rejectsWith, tempDir, writeModel } from './support/helpers.ts';
import { TestPki, opensslDate, opensslMissing } from './support/pki.ts';
import type { Issued } from './support/pki.ts';

const skip = opensslMissing();
const tmp = tempDir();
after(tmp.cleanup);

let pki: TestPki;
let root: Issued;
let int: Issued;
let leaf: Issued;
let n = 0;
const DAY = 86_400_000;

before(() => {
  if (skip) return;
  pki = new TestPki(join(tmp.dir, 'pki'));
  root = pki.issue('root', { profile: 'root', curve: 'P-384' });
  int = pki.issue('int', { issuer: root, profile: 'intermediate' });
  leaf = pki.issue('leaf', { issuer: int, profile: 'leaf' });
});

/** Signs a fresh model with `signer`'s key and the given chain; returns the model directory. */
async function signed(signer: Issued, chain: Issued[] = [signer, int]): Promise<string> {
  const dir = writeModel(join(tmp.dir, `model-${n++}`), { 'model.safetensors': 'tensor bytes', 'tokenizer.json': '{}' });
  await signModel({ modelPath: dir, privateKeyPem: signer.keyPem, certificateChainPem: chain.map((c) => c.certPem) });
  return dir;
}

const byRoots = (...roots: Issued[]) => ({ kind: 'certificate' as const, trustedRootsPem: roots.map((r) => r.certPem) });

describe('certificate chains', { skip }, () => {
  it('round-trips root → intermediate → signing certificate, and reports the signer', async () => {
    const dir = await signed(leaf);
    const bundle = JSON.parse(readFileSync(join(dir, 'model.sig'), 'utf8'));
    assert.deepEqual(bundle.verificationMaterial, {
      x509CertificateChain: { certificates: [{ rawBytes: leaf.der.toString('base64') }, { rawBytes: int.der.toString('base64') }] },
      tlogEntries: [],
    });
    const v = await verifyModel({ modelPath: dir, method: byRoots(root) });
    assert.equal(v.signer.kind, 'certificate');
    assert.equal(v.signer.subject, 'CN=leaf');
    assert.equal(v.signer.issuer, 'CN=int');
    const spki = (await import('node:crypto')).createPublicKey(leaf.keyPem).export({ type: 'spki', format: 'der' });
    assert.equal(v.signer.keyId, createHash('sha256').update(spki).digest('hex'));
  });

  it('refuses a chain that leads to a root the caller does not trust', async () => {
    const dir = await signed(leaf);
    const other = pki.issue('other-root', { profile: 'root' });
    await rejectsWith(verifyModel({ modelPath: dir, method: byRoots(other) }), 'MODEL_CERT_UNTRUSTED');
  });

  it('refuses a chain without its intermediate, unless the intermediate itself is trusted', async () => {
    const dir = await signed(leaf, [leaf]);
    await rejectsWith(verifyModel({ modelPath: dir, method: byRoots(root) }), 'MODEL_CERT_UNTRUSTED');
    await verifyModel({ modelPath: dir, method: byRoots(int) });
  });

  it('refuses an intermediate that was expired when the signing certificate was issued', async () => {
    const oldRoot = pki.issue('old-root', { profile: 'root', notBefore: '20180101000000Z', notAfter: '20400101000000Z' });
    const oldInt = pki.issue('old-int', { issuer: oldRoot, profile: 'intermediate', notBefore: '20190101000000Z', notAfter: '20200101000000Z' });
    const late = pki.issue('late-leaf', { issuer: oldInt, profile: 'leaf', notBefore: '20210101000000Z', notAfter: '20300101000000Z' });
    const dir = await signed(late, [late, oldInt]);
    const err = await rejectsWith(verifyModel({ modelPath: dir, method: byRoots(oldRoot) }), 'MODEL_CERT_EXPIRED');
    assert.match(err.message, /"CN=old-int"/);
  });

  it('like the reference tool, accepts an expired signing certificate whose chain was valid when it was issued', async () => {
    const oldRoot = pki.issue('root-2018', { profile: 'root', notBefore: '20180101000000Z', notAfter: '20400101000000Z' });
    const oldInt = pki.issue('int-2018', { issuer: oldRoot, profile: 'intermediate', notBefore: '20180101000000Z', notAfter: '20400101000000Z' });
    const expired = pki.issue('expired-leaf', { issuer: oldInt, profile: 'leaf', notBefore: '20200101000000Z', notAfter: '20210101000000Z' });
    const dir = await signed(expired, [expired, oldInt]);
    await verifyModel({ modelPath: dir, method: byRoots(oldRoot) });
  });

  it('refuses a signing certificate that is not valid yet', async () => {
    const future = pki.issue('future-leaf', { issuer: int, profile: 'leaf', notBefore: opensslDate(new Date(Date.now() + 30 * DAY)), notAfter: opensslDate(new Date(Date.now() + 60 * DAY)) });
    const dir = await signed(future);
    await rejectsWith(verifyModel({ modelPath: dir, method: byRoots(root) }), 'MODEL_CERT_EXPIRED');
    await verifyModel({ modelPath: dir, method: byRoots(root), now: new Date(Date.now() + 31 * DAY) });
  });

  it('refuses a certificate for TLS servers (extendedKeyUsage without codeSigning)', async () => {
    const tls = pki.issue('tls-leaf', { issuer: int, profile: 'leafServerAuth' });
    const err = await rejectsWith(verifyModel({ modelPath: await signed(tls), method: byRoots(root) }), 'MODEL_CERT_NOT_FOR_SIGNING');
    assert.match(err.message, /1\.3\.6\.1\.5\.5\.7\.3\.1/);
  });

  it('refuses a certificate whose keyUsage lacks digitalSignature', async () => {
    const enc = pki.issue('enc-leaf', { issuer: int, profile: 'leafNoDigitalSignature' });
    await rejectsWith(verifyModel({ modelPath: await signed(enc), method: byRoots(root) }), 'MODEL_CERT_NOT_FOR_SIGNING');
  });

  it('refuses an unknown critical extension', async () => {
    const odd = pki.issue('odd-leaf', { issuer: int, profile: 'leafUnknownCritical' });
    await rejectsWith(verifyModel({ modelPath: await signed(odd), method: byRoots(root) }), 'MODEL_CERT_UNTRUSTED');
  });

  it('refuses a certificate issued by a non-CA', async () => {
    const notCa = pki.issue('not-ca', { issuer: root, profile: 'notCa' });
    const under = pki.issue('under-not-ca', { issuer: notCa, profile: 'leaf' });
    const err = await rejectsWith(verifyModel({ modelPath: await signed(under, [under, notCa]), method: byRoots(root) }), 'MODEL_CERT_UNTRUSTED');
    assert.match(err.message, /not a CA/);
  });

  it('refuses a chain longer than an intermediate’s pathLen allows', async () => {
    const sub = pki.issue('sub-int', { issuer: int, profile: 'intermediateNoPathLen' });
    const deep = pki.issue('deep-leaf', { issuer: sub, profile: 'leaf' });
    const err = await rejectsWith(verifyModel({ modelPath: await signed(deep, [deep, sub, int]), method: byRoots(root) }), 'MODEL_CERT_UNTRUSTED');
    assert.match(err.message, /allows 0 intermediate/);
  });

  it('fails when the certificate in the bundle is swapped for another valid one', async () => {
    const dir = await signed(leaf);
    const other = pki.issue('other-leaf', { issuer: int, profile: 'leaf' });
    const path = join(dir, 'model.sig');
    const bundle = JSON.parse(readFileSync(path, 'utf8'));
    bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes = other.der.toString('base64');
    writeFileSync(path, JSON.stringify(bundle));
    await rejectsWith(verifyModel({ modelPath: dir, method: byRoots(root) }), 'MODEL_SIGNATURE_INVALID');
  });

  it('refuses a garbage certificate in the bundle', async () => {
    const dir = await signed(leaf);
    const path = join(dir, 'model.sig');
    const bundle = JSON.parse(readFileSync(path, 'utf8'));
    bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes = Buffer.from('not a certificate').toString('base64');
    writeFileSync(path, JSON.stringify(bundle));
    await rejectsWith(verifyModel({ modelPath: dir, method: byRoots(root) }), 'MODEL_SIGNATURE_MALFORMED');
  });

  it('does not mix methods: a certificate signature is not a key signature, and back', async () => {
    const dir = await signed(leaf);
    const publicKeyPem = (await import('node:crypto')).createPublicKey(leaf.keyPem).export({ type: 'spki', format: 'pem' }).toString();
    await rejectsWith(verifyModel({ modelPath: dir, method: { kind: 'key', publicKeyPem } }), 'MODEL_SIGNATURE_UNSUPPORTED');
    const keyDir = writeModel(join(tmp.dir, `model-${n++}`), { w: 'w' });
    await signModel({ modelPath: keyDir, privateKeyPem: leaf.keyPem });
    await rejectsWith(verifyModel({ modelPath: keyDir, method: byRoots(root) }), 'MODEL_SIGNATURE_UNSUPPORTED');
  });

  it('refuses to sign with a certificate that is not for the private key', async () => {
    const dir = writeModel(join(tmp.dir, `model-${n++}`), { w: 'w' });
    await rejectsWith(signModel({ modelPath: dir, privateKeyPem: int.keyPem, certificateChainPem: [leaf.certPem] }), 'MODEL_KEY_INVALID');
  });

  it('needs trusted roots: no fallback to a system store', async () => {
    const dir = await signed(leaf);
    await rejectsWith(verifyModel({ modelPath: dir, method: { kind: 'certificate', trustedRootsPem: [] } }), 'MODEL_TRUST_ROOT_INVALID');
    await rejectsWith(verifyModel({ modelPath: dir, method: { kind: 'certificate', trustedRootsPem: ['junk'] } }), 'MODEL_TRUST_ROOT_INVALID');
  });
});
