/**
 * A private Sigstore, built by hand, to test keyless verification offline end to end:
 *  - a Fulcio-like CA (openssl) issuing a short-lived certificate with the SAN e-mail identity, the
 *    OIDC issuer extension (1.3.6.1.4.1.57264.1.8) and an embedded SCT from a test CT log; the SCT
 *    signs the certificate's TBS without the SCT extension (RFC 6962 §3.2 precert entry), so the
 *    certificate is issued twice with the same serial, key and dates and the SCT added the second time;
 *  - a test Rekor: a `dsse` 0.0.1 entry, its signed entry timestamp (SET) and an inclusion proof
 *    in a tree of size 1 under a signed checkpoint;
 *  - the trusted_root.json naming all three.
 */
import { X509Certificate, createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json as sigJson } from '@sigstore/core';
import { IN_TOTO_PAYLOAD_TYPE, pae } from '../../../../src/models/signing/dsse.ts';
import { encodeStatement } from '../../../../src/models/signing/in-toto.ts';
import { hashModel } from '../../../../src/models/signing/manifest.ts';
import { TestPki, opensslDate } from './pki.ts';
import type { Issued } from './pki.ts';

export interface SigstoreWorld {
  readonly trustedRootPath: string;
  readonly pki: TestPki;
  readonly fulcio: Issued;
  readonly ctKey: KeyObject;
  readonly rekorKey: KeyObject;
}

const spki = (k: KeyObject) => (k.type === 'private' ? createPublicKey(k) : k).export({ type: 'spki', format: 'der' });
const sha256 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

export function buildWorld(dir: string, name = 'world'): SigstoreWorld {
  const pki = new TestPki(join(dir, `pki-${name}`));
  const fulcio = pki.issue('fulcio-root', { profile: 'root', subject: '/O=sigstore.test/CN=sigstore-test', notBefore: '20200101000000Z', notAfter: '20400101000000Z' });
  const ctKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const rekorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const log = (key: KeyObject, baseUrl: string) => ({
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: spki(key).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } },
    logId: { keyId: sha256(spki(key)).toString('base64') },
  });
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [log(rekorKey, 'https://rekor.sigstore.test')],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.test', commonName: 'sigstore-test' },
        uri: 'https://fulcio.sigstore.test',
        certChain: { certificates: [{ rawBytes: fulcio.der.toString('base64') }] },
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [log(ctKey, 'https://ctfe.sigstore.test')],
    timestampAuthorities: [],
  };
  const trustedRootPath = join(dir, `trusted_root-${name}.json`);
  writeFileSync(trustedRootPath, JSON.stringify(root, null, 2));
  return { trustedRootPath, pki, fulcio, ctKey, rekorKey };
}

/** Offset and length of the DER element at `at`. */
function derElement(buf: Buffer, at: number): { start: number; end: number } {
  let len = buf[at + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i]!;
    header += n;
  }
  return { start: at, end: at + header + len };
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);

export interface KeylessSignOptions {
  identity: string;
  issuer: string;
  /** When the signature was made (default 2025-06-01T12:00:00Z). */
  signedAt?: Date;
  /** When the log says it integrated the entry (default: signedAt). */
  loggedAt?: Date;
  /** Leave the SCT out of the certificate. */
  omitSct?: boolean;
  /** Change the bundle before it is written. */
  mutate?: (bundle: Record<string, any>) => void; // any: test-only JSON surgery on the bundle
}

/** Signs `modelDir` keylessly in `world`; writes and returns the bundle path (`<model>/model.sig`). */
export async function signKeyless(world: SigstoreWorld, modelDir: string, opts: KeylessSignOptions): Promise<string> {
  const at = opts.signedAt ?? new Date('2025-06-01T12:00:00Z');
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const keyPem = leafKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const base = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=codeSigning',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid:always',
    `subjectAltName=critical,email:${opts.identity}`,
    `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${opts.issuer}`,
  ].join('\n');
  const common = {
    issuer: world.fulcio,
    keyPem,
    subject: '/',
    serial: '5a5a' + Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0'),
    notBefore: opensslDate(new Date(at.getTime() - 60_000)),
    notAfter: opensslDate(new Date(at.getTime() + 9 * 60_000)),
  };
  const pre = world.pki.issue('fulcio-leaf-pre', { ...common, extensions: base });
  let leaf = pre;
  if (!opts.omitSct) {
    const cert = derElement(pre.der, 0);
    const tbsAt = cert.start + (pre.der[1]! & 0x80 ? 2 + (pre.der[1]! & 0x7f) : 2);
    const tbs = pre.der.subarray(tbsAt, derElement(pre.der, tbsAt).end);
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(at.getTime()));
    const issuerKeyHash = sha256(spkiOfCert(world.fulcio));
    const tbsLen = Buffer.from([tbs.length >> 16, (tbs.length >> 8) & 0xff, tbs.length & 0xff]);
    const signed = Buffer.concat([Buffer.from([0, 0]), timestamp, u16(1), issuerKeyHash, tbsLen, tbs, u16(0)]);
    const sig = sign('sha256', signed, world.ctKey);
    const sct = Buffer.concat([Buffer.from([0]), sha256(spki(world.ctKey)), timestamp, u16(0), Buffer.from([4, 3]), u16(sig.length), sig]);
    const list = Buffer.concat([u16(sct.length + 2), u16(sct.length), sct]);
    const ext = Buffer.concat([Buffer.from([0x04]), derLength(list.length), list]);
    leaf = world.pki.issue('fulcio-leaf', { ...common, extensions: `${base}\n1.3.6.1.4.1.11129.2.4.2=DER:${ext.toString('hex')}` });
  }

  const manifest = await hashModel({ modelPath: modelDir });
  const payload = encodeStatement(manifest);
  const signature = sign('sha256', pae(IN_TOTO_PAYLOAD_TYPE, payload), leafKey);
  const body = Buffer.from(
    sigJson.canonicalize({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256(payload, signature).toString('hex') },
        payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
        signatures: [{ signature: signature.toString('base64'), verifier: Buffer.from(leaf.certPem).toString('base64') }],
      },
    }),
  );
  const logId = sha256(spki(world.rekorKey));
  const integratedTime = Math.floor((opts.loggedAt ?? at).getTime() / 1000);
  const set = sign('sha256', Buffer.from(sigJson.canonicalize({ body: body.toString('base64'), integratedTime, logIndex: 0, logID: logId.toString('hex') })), world.rekorKey);
  const rootHash = sha256(Buffer.from([0]), body);
  const note = `rekor.sigstore.test - 1\n1\n${rootHash.toString('base64')}\n`;
  const noteSig = Buffer.concat([logId.subarray(0, 4), sign('sha256', Buffer.from(note), world.rekorKey)]);
  const bundle: Record<string, any> = { // any: test-only JSON surgery on the bundle
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: leaf.der.toString('base64') },
      tlogEntries: [
        {
          logIndex: '0',
          logId: { keyId: logId.toString('base64') },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(integratedTime),
          inclusionPromise: { signedEntryTimestamp: set.toString('base64') },
          inclusionProof: {
            logIndex: '0',
            rootHash: rootHash.toString('base64'),
            treeSize: '1',
            hashes: [],
            checkpoint: { envelope: `${note}\n\u2014 rekor.sigstore.test ${noteSig.toString('base64')}\n` },
          },
          canonicalizedBody: body.toString('base64'),
        },
      ],
      timestampVerificationData: {},
    },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: signature.toString('base64') }] },
  };
  opts.mutate?.(bundle);
  const path = join(modelDir, 'model.sig');
  writeFileSync(path, JSON.stringify(bundle));
  return path;
}

function spkiOfCert(cert: Issued): Buffer {
  // The SCT's issuer_key_hash is over the issuer's SubjectPublicKeyInfo.
  return spki(new X509Certificate(cert.der).publicKey);
}
