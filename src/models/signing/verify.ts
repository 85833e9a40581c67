/**
 * Verifies a model against its signature. Order: read and validate the signature file field by
 * field; establish who signed (key, certificate chain or Sigstore) and check the DSSE signature;
 * validate the signed statement; only then hash the model and compare it with the signed manifest
 * as a set. The key or certificate inside the bundle is never trusted by itself: the key method
 * uses the caller's key (the bundle's hint must match it), the certificate method the caller's
 * roots, the Sigstore method the caller's trusted_root.json and identity.
 */
import { readFile, stat } from 'node:fs/promises';
import { ModelSignatureError, malformed } from './errors.ts';
import { parseBundle, requireV03 } from './bundle.ts';
import type { ParsedBundle } from './bundle.ts';
import { parseTrustedRoots, verifyCertificateChain } from './cert-chain.ts';
import { IN_TOTO_PAYLOAD_TYPE, pae } from './dsse.ts';
import { parseStatement } from './in-toto.ts';
import { keyHintOf, keyIdOf, loadPublicKey, sameKey, verifyDer } from './keys.ts';
import { GIT_IGNORE_PATHS, buildManifest, compareManifests, defaultSignaturePath, requirePath, resolveIgnorePaths } from './manifest.ts';
import type { ManifestMethod } from './manifest.ts';
import { compareShardNames, comparePaths } from './paths.ts';
import { loadTrustedRoot, verifySigstoreBundle } from './sigstore-offline.ts';
import type { HashProgress, VerificationMethod, VerifiedModel } from './types.ts';

/** Default limit on the signature file (a manifest of about a million files fits). */
export const MAX_SIGNATURE_BYTES = 256 * 1024 * 1024;

export interface VerifyModelOptions {
  modelPath: string;
  /** Default `<modelPath>/model.sig` (beside the file for a single-file model). */
  signaturePath?: string;
  method: VerificationMethod;
  /** Paths to leave out in addition to those the signature records. */
  ignorePaths?: string[];
  allowSymlinks?: boolean;
  /** The present time (certificate method: a signing certificate dated later is refused). */
  now?: Date;
  /** Refuse larger signature files (default 256 MiB). */
  maxSignatureBytes?: number;
  concurrency?: number;
  onProgress?: (p: HashProgress) => void;
}

type Signer = VerifiedModel['signer'];

/**
 * @example
 *   const v = await verifyModel({ modelPath: 'models/bert', method: { kind: 'key', publicKeyPem } });
 *   v.rootDigest; // the signed digest, after every file matched
 */
export async function verifyModel(opts: VerifyModelOptions): Promise<VerifiedModel> {
  const modelPath = requirePath(opts.modelPath, 'modelPath');
  const given = opts.method as unknown; // untrusted shape until checked in prepareMethod
  if (typeof given !== 'object' || given === null || !('kind' in given)) throw new ModelSignatureError('MODEL_KEY_INVALID', 'method is required.');
  const check = await prepareMethod(opts.method, opts.now ?? new Date());
  const signaturePath = opts.signaturePath === undefined ? await defaultSignaturePath(modelPath) : requirePath(opts.signaturePath, 'signaturePath');
  const bundle = parseBundle(await readSignature(signaturePath, opts.maxSignatureBytes ?? MAX_SIGNATURE_BYTES));
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw malformed(`dsseEnvelope.payloadType must be ${IN_TOTO_PAYLOAD_TYPE}.`);

  const signer = check(bundle, pae(bundle.envelope.payloadType, bundle.envelope.payload));
  const signed = parseStatement(bundle.envelope.payload);

  const user = opts.ignorePaths ?? [];
  const recorded = signed.serialization.ignorePaths;
  // A v1.1+ signature records what its signer ignored; older ones ignored the git paths.
  const ignorePaths = await resolveIgnorePaths(modelPath, [...(recorded ?? GIT_IGNORE_PATHS), ...user], signaturePath, false);
  const s = signed.serialization;
  const method: ManifestMethod =
    s.method === 'files'
      ? { kind: 'files' }
      : { kind: 'shards', shardSize: s.shardSize, hashType: s.hashType, emptyShards: new Set(signed.resources.map((r) => r.name).filter((n) => n.endsWith(':0:0'))) };
  const actual = await buildManifest({
    modelPath,
    ignorePaths,
    allowSymlinks: opts.allowSymlinks ?? false,
    method,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  compareManifests(signed.resources, actual.files);
  return {
    rootDigest: signed.rootDigest,
    modelName: signed.modelName,
    files: [...signed.resources].sort((a, b) => (s.method === 'files' ? comparePaths : compareShardNames)(a.name, b.name)).map((r) => ({ name: r.name, digest: r.digest })),
    bytes: actual.bytes,
    signer,
  };
}

async function readSignature(path: string, max: number): Promise<string> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw malformed(`The signature ${JSON.stringify(path)} is not a file.`);
    size = st.size;
  } catch (e) {
    if (e instanceof ModelSignatureError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelSignatureError('MODEL_NOT_FOUND', `No signature at ${JSON.stringify(path)}.`);
    throw new ModelSignatureError('MODEL_IO_ERROR', `The signature ${JSON.stringify(path)} could not be read.`, { cause: e });
  }
  if (size > max) throw malformed(`The signature file is larger than ${max} bytes.`);
  const bytes = await readFile(path);
  if (bytes.length > max) throw malformed(`The signature file is larger than ${max} bytes.`);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw malformed('The signature file is not UTF-8 text.');
  return text;
}

type BundleCheck = (bundle: ParsedBundle, data: Buffer) => Signer;

/** Reads the caller's key material once, before any untrusted input is looked at. */
async function prepareMethod(method: VerificationMethod, now: Date): Promise<BundleCheck> {
  switch (method.kind) {
    case 'key': {
      const key = loadPublicKey(method.publicKeyPem);
      return (bundle, data) => {
        requireV03(bundle);
        const m = bundle.material;
        if (m.kind !== 'publicKey') {
          throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'The signature was made with a certificate or Sigstore: verify it with that method.');
        }
        if (bundle.logged) throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'A key-signed bundle with transparency log entries is not supported.');
        // The bundle only names a key; it must name the caller's one (or none).
        if ((m.hint !== undefined && m.hint !== keyHintOf(key)) || (m.embeddedKey !== undefined && !sameKey(m.embeddedKey, key))) {
          throw new ModelSignatureError('MODEL_SIGNATURE_INVALID', 'The signature names another public key than the one given.');
        }
        if (!verifyDer(key, data, bundle.envelope.signature)) {
          throw new ModelSignatureError('MODEL_SIGNATURE_INVALID', 'The DSSE signature does not verify with the given public key.');
        }
        return { kind: 'key', keyId: keyIdOf(key) };
      };
    }
    case 'certificate': {
      const roots = parseTrustedRoots(method.trustedRootsPem);
      return (bundle, data) => {
        requireV03(bundle);
        const m = bundle.material;
        if (m.kind === 'publicKey') throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'The signature was made with a bare key: verify it with the key method.');
        if (bundle.logged) throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'The signature was made with Sigstore: verify it with the sigstore method.');
        const chain = verifyCertificateChain(m.kind === 'certificate' ? [m.certificate] : m.certificates, roots, now);
        if (!verifyDer(chain.publicKey, data, bundle.envelope.signature)) {
          throw new ModelSignatureError('MODEL_SIGNATURE_INVALID', 'The DSSE signature does not verify with the signing certificate.');
        }
        return { kind: 'certificate', keyId: chain.keyId, subject: chain.subject, issuer: chain.issuer };
      };
    }
    case 'sigstore': {
      if (typeof method.identity !== 'string' || method.identity === '' || typeof method.issuer !== 'string' || method.issuer === '') {
        throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', 'The sigstore method needs an identity and an issuer.');
      }
      const trust = await loadTrustedRoot(method.trustedRootPath);
      const expected = { identity: method.identity, issuer: method.issuer };
      return (bundle) => {
        const who = verifySigstoreBundle(bundle, trust, expected);
        return { kind: 'sigstore', subject: who.subject, issuer: who.issuer };
      };
    }
    default:
      throw new ModelSignatureError('MODEL_KEY_INVALID', `Unknown verification method ${JSON.stringify((method as { kind: unknown }).kind)}.`);
  }
}
