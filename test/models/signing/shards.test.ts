/**
 * Verification of shard-serialized signatures (the reference tool's `shards` method): items are
 * `path:start:end` byte ranges of `shard_size`, hashed separately. No reference fixture of this
 * kind is published, so the statements here are written in its format and signed with a test key.
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyModel } from '../../../src/models/signing/index.ts';
import { compareShardNames } from '../../../src/models/signing/paths.ts';
import { ecKeyPair, rejectsWith, tempDir, writeModel } from './support/helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
const keys = ecKeyPair('P-256');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function signShards(dir: string, files: Record<string, Buffer>, shardSize: number, opts: { hashType?: string; emptyShard?: boolean } = {}): void {
  const resources: Array<{ name: string; algorithm: string; digest: string }> = [];
  for (const [name, data] of Object.entries(files)) {
    if (data.length === 0 && opts.emptyShard) resources.push({ name: `${name}:0:0`, algorithm: 'sha256', digest: sha(data) });
    for (let s = 0; s < data.length; s += shardSize) {
      const e = Math.min(s + shardSize, data.length);
      resources.push({ name: `${name}:${s}:${e}`, algorithm: 'sha256', digest: sha(data.subarray(s, e)) });
    }
  }
  resources.sort((a, b) => compareShardNames(a.name, b.name));
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'sharded', digest: { sha256: root.digest('hex') } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: { serialization: { method: 'shards', hash_type: opts.hashType ?? 'sha256', allow_symlinks: false, shard_size: shardSize }, resources },
  };
  const payload = Buffer.from(JSON.stringify(statement, null, 2));
  const paeBytes = Buffer.concat([Buffer.from(`DSSEv1 28 application/vnd.in-toto+json ${payload.length} `), payload]);
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: createHash('sha256').update(keys.publicKeyPem).digest('hex') }, tlogEntries: [] },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig: sign('sha256', paeBytes, createPrivateKey(keys.privateKeyPem)).toString('base64'), keyid: '' }],
    },
  };
  writeFileSync(join(dir, 'model.sig'), JSON.stringify(bundle));
}

describe('shard-serialized signatures', () => {
  const files = { 'a.bin': Buffer.alloc(2500, 1), 'b/c.bin': Buffer.from('small'), 'empty.bin': Buffer.alloc(0) };
  const method = { kind: 'key' as const, publicKeyPem: keys.publicKeyPem };

  it('verifies shards of shard_size, an empty file having no shard', async () => {
    const dir = writeModel(join(tmp.dir, 'sharded'), files);
    signShards(dir, files, 1000);
    const v = await verifyModel({ modelPath: dir, method });
    assert.deepEqual(v.files.map((f) => f.name), ['a.bin:0:1000', 'a.bin:1000:2000', 'a.bin:2000:2500', 'b/c.bin:0:5']);
  });

  it('verifies the older hash_type spelling and an empty file recorded as a 0:0 shard', async () => {
    const dir = writeModel(join(tmp.dir, 'sharded-old'), files);
    signShards(dir, files, 1000, { hashType: 'sha256-sharded-1000', emptyShard: true });
    const v = await verifyModel({ modelPath: dir, method });
    assert.ok(v.files.some((f) => f.name === 'empty.bin:0:0'));
  });

  it('names the changed shard', async () => {
    const dir = writeModel(join(tmp.dir, 'sharded-changed'), files);
    signShards(dir, files, 1000);
    const changed = Buffer.alloc(2500, 1);
    changed[1500] = 2;
    writeFileSync(join(dir, 'a.bin'), changed);
    const err = await rejectsWith(verifyModel({ modelPath: dir, method }), 'MODEL_FILE_CHANGED');
    assert.equal(err.file, 'a.bin:1000:2000');
  });

  it('reports a grown file as a missing last shard and extra shards', async () => {
    const dir = writeModel(join(tmp.dir, 'sharded-grown'), files);
    signShards(dir, files, 1000);
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(3100, 1));
    const err = await rejectsWith(verifyModel({ modelPath: dir, method }), 'MODEL_FILE_MISSING');
    assert.deepEqual(err.mismatch, { changed: [], missing: ['a.bin:2000:2500'], extra: ['a.bin:2000:3000', 'a.bin:3000:3100'] });
  });
});
