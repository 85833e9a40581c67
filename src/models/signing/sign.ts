/**
 * Signs a model the way OpenSSF model signing v1.0 does: hash every file into a manifest, put it
 * in an in-toto statement, sign the statement's DSSE pre-authentication encoding with an EC key,
 * and write a Sigstore bundle (default `<model>/model.sig`). With a certificate chain the bundle
 * carries the chain instead of the key hint.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ModelSignatureError } from './errors.ts';
import { encodeBundle } from './bundle.ts';
import { parseCertificateChainPem } from './cert-chain.ts';
import { IN_TOTO_PAYLOAD_TYPE, pae } from './dsse.ts';
import { encodeStatement } from './in-toto.ts';
import { keyHintOf, loadSigningKey, sameKey, signDer } from './keys.ts';
import { buildManifest, defaultSignaturePath, requirePath, resolveIgnorePaths } from './manifest.ts';
import type { HashProgress } from './types.ts';

export interface SignModelOptions {
  modelPath: string;
  /** Default `<modelPath>/model.sig` (beside the file for a single-file model). */
  signaturePath?: string;
  /** PEM EC private key (P-256, P-384 or P-521), PKCS#8 or SEC1, unencrypted. */
  privateKeyPem: string;
  /** PEM certificates, signing certificate first, then intermediates. */
  certificateChainPem?: string[];
  ignorePaths?: string[];
  allowSymlinks?: boolean;
  /** Leave out `.git`, `.gitattributes`, `.github`, `.gitignore` (default true). */
  ignoreGitPaths?: boolean;
  concurrency?: number;
  onProgress?: (p: HashProgress) => void;
}

export interface SignModelResult {
  signaturePath: string;
  rootDigest: string;
  files: number;
  bytes: number;
}

/**
 * @example
 *   const { rootDigest } = await signModel({ modelPath: 'models/bert', privateKeyPem: pem });
 *   // models/bert/model.sig now verifies with `model_signing verify key` and with verifyModel.
 */
export async function signModel(opts: SignModelOptions): Promise<SignModelResult> {
  const modelPath = requirePath(opts.modelPath, 'modelPath');
  const key = loadSigningKey(opts.privateKeyPem);
  let certificates: Buffer[] | undefined;
  if (opts.certificateChainPem !== undefined) {
    const chain = parseCertificateChainPem(opts.certificateChainPem);
    if (!sameKey(chain[0]!.node.publicKey, key.publicKey)) {
      throw new ModelSignatureError('MODEL_KEY_INVALID', 'The signing certificate (first in certificateChainPem) is not for privateKeyPem.');
    }
    certificates = chain.map((c) => c.der);
  }
  const signaturePath = resolve(opts.signaturePath === undefined ? await defaultSignaturePath(modelPath) : requirePath(opts.signaturePath, 'signaturePath'));
  const ignorePaths = await resolveIgnorePaths(modelPath, opts.ignorePaths ?? [], signaturePath, opts.ignoreGitPaths ?? true);
  const manifest = await buildManifest({
    modelPath,
    ignorePaths,
    allowSymlinks: opts.allowSymlinks ?? false,
    method: { kind: 'files' },
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const payload = encodeStatement(manifest);
  const signature = signDer(key, pae(IN_TOTO_PAYLOAD_TYPE, payload));
  const envelope = { payloadType: IN_TOTO_PAYLOAD_TYPE, payload, signature };
  const text = encodeBundle(envelope, certificates ? { certificates } : { publicKeyHint: keyHintOf(key.publicKey) });
  await writeAtomically(signaturePath, text);
  return { signaturePath, rootDigest: manifest.rootDigest, files: manifest.files.length, bytes: manifest.bytes };
}

/** Write then rename, so a reader never sees half a signature. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o644, flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new ModelSignatureError('MODEL_IO_ERROR', `The signature could not be written to ${JSON.stringify(path)}.`, { cause: e });
  }
}
