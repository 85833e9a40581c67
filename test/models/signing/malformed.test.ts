/**
 * The attacker's side: every field of the signature file is untrusted. Each row changes a valid
 * signature one way and names the code verification must fail with. Rows marked "re-signed" are
 * signed again with the trusted key, so only the statement checks can catch them.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signModel, verifyModel } from '../../../src/models/signing/index.ts';
import type { ModelSignatureErrorCode } from '../../../src/models/signing/errors.ts';
import { ecKeyPair, rejectsWith, tempDir, writeModel } from './support/helpers.ts';

type Json = Record<string, any>; // any: the rows below reach into untyped JSON on purpose

const tmp = tempDir();
after(tmp.cleanup);
const keys = ecKeyPair('P-256');
let dir = '';
let original = '';

before(async () => {
  dir = writeModel(join(tmp.dir, 'model'), { 'a.bin': 'a', 'sub/b.bin': 'b' });
  await signModel({ modelPath: dir, privateKeyPem: keys.privateKeyPem });
  original = readFileSync(join(dir, 'model.sig'), 'utf8');
});

const pae = (payload: Buffer) => Buffer.concat([Buffer.from(`DSSEv1 28 application/vnd.in-toto+json ${payload.length} `), payload]);

/** Changes the statement and signs it again with the trusted key. */
function resign(b: Json, change: (statement: Json) => void): void {
  const st = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
  change(st);
  const payload = Buffer.from(JSON.stringify(st));
  b.dsseEnvelope.payload = payload.toString('base64');
  b.dsseEnvelope.signatures[0].sig = sign('sha256', pae(payload), createPrivateKey(keys.privateKeyPem)).toString('base64');
}

const statement = (b: Json) => JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());

const rows: Array<[string, ModelSignatureErrorCode, (b: Json) => Json | string | Buffer | void]> = [
  ['not JSON', 'MODEL_SIGNATURE_MALFORMED', () => '{"mediaType":'],
  ['prototype poisoning', 'MODEL_SIGNATURE_MALFORMED', () => original.replace('{"mediaType"', '{"__proto__":{"x":1},"mediaType"')],
  ['a file that is not UTF-8', 'MODEL_SIGNATURE_MALFORMED', () => Buffer.from([0x7b, 0xff, 0x7d])],
  ['an unknown top-level field', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.extra = 1)],
  ['another media type', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.mediaType = 'application/json')],
  ['a v0.2 bundle for a key signature', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.2')],
  ['a message signature instead of DSSE', 'MODEL_SIGNATURE_UNSUPPORTED', (b) => ({ mediaType: b.mediaType, verificationMaterial: b.verificationMaterial, messageSignature: {} })],
  ['no envelope', 'MODEL_SIGNATURE_MALFORMED', (b) => void delete b.dsseEnvelope],
  ['a wrong payloadType', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.dsseEnvelope.payloadType = 'application/json')],
  ['two signatures', 'MODEL_SIGNATURE_MALFORMED', (b) => void b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0])],
  ['no signature', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.dsseEnvelope.signatures = [])],
  ['bad base64 in the payload', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.dsseEnvelope.payload = `*${b.dsseEnvelope.payload.slice(1)}`)],
  ['a line break inside the base64 signature', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.dsseEnvelope.signatures[0].sig = `${b.dsseEnvelope.signatures[0].sig.slice(0, 8)}\n${b.dsseEnvelope.signatures[0].sig.slice(8)}`)],
  ['padding after the end of the base64 signature', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.dsseEnvelope.signatures[0].sig = `${b.dsseEnvelope.signatures[0].sig.replace(/=+$/, '')}====`)],
  ['a signature that is not a string', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.dsseEnvelope.signatures[0].sig = 42)],
  ['both a key and a certificate chain', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.verificationMaterial.x509CertificateChain = { certificates: [] })],
  ['a key hint that is not hex', 'MODEL_SIGNATURE_MALFORMED', (b) => void (b.verificationMaterial.publicKey.hint = 'zz')],
  ['a flipped signature byte', 'MODEL_SIGNATURE_INVALID', (b) => {
    const sig = Buffer.from(b.dsseEnvelope.signatures[0].sig, 'base64');
    sig[sig.length - 1]! ^= 1;
    b.dsseEnvelope.signatures[0].sig = sig.toString('base64');
  }],
  ['a raw r||s signature instead of DER', 'MODEL_SIGNATURE_INVALID', (b) => {
    const payload = Buffer.from(b.dsseEnvelope.payload, 'base64');
    b.dsseEnvelope.signatures[0].sig = sign('sha256', pae(payload), { key: createPrivateKey(keys.privateKeyPem), dsaEncoding: 'ieee-p1363' }).toString('base64');
  }],
  ['an unsigned change of the subject', 'MODEL_SIGNATURE_INVALID', (b) => {
    const st = statement(b);
    st.subject[0].name = 'another-model';
    b.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
  }],
  ['an unsigned extra resource', 'MODEL_SIGNATURE_INVALID', (b) => {
    const st = statement(b);
    st.predicate.resources.push({ name: 'x', algorithm: 'sha256', digest: '0'.repeat(64) });
    b.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
  }],
  ['a subject digest that is not the root of the resources (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.subject[0].digest.sha256 = 'a'.repeat(64)))],
  ['two subjects (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void st.subject.push(st.subject[0]))],
  ['a wrong statement _type (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st._type = 'https://in-toto.io/Statement/v0.1'))],
  ['the v0.2 predicate type (re-signed)', 'MODEL_SIGNATURE_UNSUPPORTED', (b) => resign(b, (st) => void (st.predicateType = 'https://model_signing/Digests/v0.1'))],
  ['an unknown predicate type (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.predicateType = 'https://slsa.dev/provenance/v1'))],
  ['an md5 resource (re-signed)', 'MODEL_SIGNATURE_UNSUPPORTED', (b) => resign(b, (st) => void (st.predicate.resources[0].algorithm = 'md5'))],
  ['an upper-case digest (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.predicate.resources[0].digest = st.predicate.resources[0].digest.toUpperCase()))],
  ['a resource named with ".." (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.predicate.resources[0].name = '../../etc/passwd'))],
  ['an absolute resource name (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.predicate.resources[0].name = '/etc/passwd'))],
  ['a resource listed twice (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void st.predicate.resources.push(st.predicate.resources[0]))],
  ['no resources (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.predicate.resources = []))],
  ['hash_type blake2 (re-signed)', 'MODEL_SIGNATURE_UNSUPPORTED', (b) => resign(b, (st) => void (st.predicate.serialization.hash_type = 'blake2'))],
  ['an unknown serialization parameter (re-signed)', 'MODEL_SIGNATURE_UNSUPPORTED', (b) => resign(b, (st) => void (st.predicate.serialization.follow_hidden = true))],
  ['an unknown serialization method (re-signed)', 'MODEL_SIGNATURE_UNSUPPORTED', (b) => resign(b, (st) => void (st.predicate.serialization.method = 'tensors'))],
  ['allow_symlinks as a string (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void (st.predicate.serialization.allow_symlinks = 'false'))],
  ['an ignore path with ".." (re-signed)', 'MODEL_SIGNATURE_MALFORMED', (b) => resign(b, (st) => void st.predicate.serialization.ignore_paths.push('../x'))],
];

describe('verifyModel refuses a tampered or malformed signature', () => {
  for (const [name, code, mutate] of rows) {
    it(`${name} → ${code}`, async () => {
      const b = JSON.parse(original) as Json;
      const out = mutate(b);
      const content = out === undefined ? JSON.stringify(b) : typeof out === 'string' || Buffer.isBuffer(out) ? out : JSON.stringify(out);
      const sig = join(tmp.dir, `${name.replace(/\W+/g, '-')}.sig`);
      writeFileSync(sig, content);
      await rejectsWith(verifyModel({ modelPath: dir, signaturePath: sig, method: { kind: 'key', publicKeyPem: keys.publicKeyPem } }), code);
    });
  }

  it('accepts the untouched signature (the rows above start from a valid one)', async () => {
    const v = await verifyModel({ modelPath: dir, method: { kind: 'key', publicKeyPem: keys.publicKeyPem } });
    assert.equal(v.files.length, 2);
  });

  it('refuses an oversized signature file before parsing it', async () => {
    const sig = join(tmp.dir, 'big.sig');
    writeFileSync(sig, original + ' '.repeat(2048));
    const err = await rejectsWith(verifyModel({ modelPath: dir, signaturePath: sig, maxSignatureBytes: 1024, method: { kind: 'key', publicKeyPem: keys.publicKeyPem } }), 'MODEL_SIGNATURE_MALFORMED');
    assert.match(err.message, /larger than 1024 bytes/);
  });

  it('refuses a signature path that is a directory', async () => {
    const sig = join(tmp.dir, 'sigdir');
    mkdirSync(sig);
    await rejectsWith(verifyModel({ modelPath: dir, signaturePath: sig, method: { kind: 'key', publicKeyPem: keys.publicKeyPem } }), 'MODEL_SIGNATURE_MALFORMED');
  });
});
