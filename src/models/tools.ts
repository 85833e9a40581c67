/**
 * The registry's tools over the signing and scanning modules: hash a model (OpenSSF model-signing
 * root digest), verify its signature with one trusted signer, scan it statically. Digests are
 * written `sha256:<hex>` everywhere in the registry and the config.
 */
import { hashModel } from './signing/manifest.ts';
import { verifyModel } from './signing/verify.ts';
import { scanModelPath } from './scan/scan-model.ts';
import type { ModelTools } from './registry.ts';

const SCANNER = 'rampart-model-scan/1';

export const modelTools: ModelTools = {
  async hash(path, onProgress) {
    const m = await hashModel({ modelPath: path, ...(onProgress ? { onProgress: (p) => onProgress(p.bytesHashed, p.totalBytes) } : {}) });
    return { rootDigest: `sha256:${m.rootDigest}`, files: m.files.length, bytes: m.bytes };
  },
  async verify(path, signaturePath, method, onProgress) {
    const v = await verifyModel({ modelPath: path, signaturePath, method, ...(onProgress ? { onProgress: (p) => onProgress(p.bytesHashed, p.totalBytes) } : {}) });
    // Shard items read path:start:end: count files, not shards.
    return {
      rootDigest: `sha256:${v.rootDigest}`,
      files: new Set(v.files.map((f) => f.name.split(':')[0]!)).size,
      bytes: v.bytes,
      identity: { kind: v.signer.kind, ...(v.signer.keyId ? { keyId: v.signer.keyId } : {}), ...(v.signer.subject ? { subject: v.signer.subject } : {}), ...(v.signer.issuer ? { issuer: v.signer.issuer } : {}) },
    };
  },
  async scan(path, onProgress) {
    const r = await scanModelPath(path, onProgress ? { onProgress: (p) => onProgress(p.bytes, p.totalBytes) } : {});
    return { verdict: r.verdict, findings: r.findings, scanner: SCANNER };
  },
};
