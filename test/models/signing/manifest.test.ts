/**
 * hashModel: per-file SHA-256, the reference tool's order and root digest, ignore paths, and the
 * refusals (symlinks unless allowed, special files, empty models).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashModel } from '../../../src/models/signing/manifest.ts';
import { IN_PROCESS_MAX_BYTES } from '../../../src/models/signing/hash-pool.ts';
import type { HashProgress } from '../../../src/models/signing/types.ts';
import { rejectsWith, tempDir, writeModel } from './support/helpers.ts';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const model = (files: Record<string, string | Buffer>) => writeModel(join(tmp.dir, `m${n++}`), files);

describe('hashModel', () => {
  it('hashes every file and orders names like the reference tool (path components, not strings)', async () => {
    const dir = model({ 'a.txt': 'A', 'a/b': 'B', 'a/c/d': 'D', b: 'b' });
    const m = await hashModel({ modelPath: dir });
    assert.deepEqual(m.files.map((f) => f.name), ['a/b', 'a/c/d', 'a.txt', 'b']);
    assert.equal(m.files[2]!.digest, sha('A'));
    const root = createHash('sha256');
    for (const f of m.files) root.update(Buffer.from(f.digest, 'hex'));
    assert.equal(m.rootDigest, root.digest('hex'));
    assert.equal(m.bytes, 4);
    assert.deepEqual(m.serialization, { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'] });
  });

  it('matches the reference digests of its golden test model', async () => {
    // scripts/tests/v1.0.1-*: signme-1 = "signme-1\n", signme-2 = "signme-2" → root 92745110…
    const dir = model({ 'signme-1': 'signme-1\n', 'signme-2': 'signme-2' });
    const m = await hashModel({ modelPath: dir });
    assert.equal(m.rootDigest, '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
  });

  it('names the only item of a single-file model "."', async () => {
    const dir = model({ 'w.bin': 'signme-1\n' });
    const m = await hashModel({ modelPath: join(dir, 'w.bin') });
    assert.deepEqual(m.files, [{ name: '.', digest: 'bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc' }]);
    assert.equal(m.modelName, 'w.bin');
  });

  it('leaves out the git paths, model.sig and the ignore paths, by path component', async () => {
    const dir = model({ '.git/HEAD': 'x', '.gitattributes': 'x', 'model.sig': '{}', 'logs/a': 'x', 'logs2': 'kept', 'sub/.git': 'kept', w: 'w' });
    const m = await hashModel({ modelPath: dir, ignorePaths: ['logs/', `${dir}/w`] });
    assert.deepEqual(m.files.map((f) => f.name), ['logs2', 'sub/.git']);
    const withGit = await hashModel({ modelPath: dir, ignoreGitPaths: false });
    assert.ok(withGit.files.some((f) => f.name === '.git/HEAD'));
  });

  it('refuses ignore paths outside the model or with ".."', async () => {
    const dir = model({ w: 'w' });
    await rejectsWith(hashModel({ modelPath: dir, ignorePaths: ['../x'] }), 'MODEL_PATH_REFUSED');
    await rejectsWith(hashModel({ modelPath: dir, ignorePaths: ['/etc/passwd'] }), 'MODEL_PATH_REFUSED');
    await rejectsWith(hashModel({ modelPath: dir, ignorePaths: ['.'] }), 'MODEL_PATH_REFUSED');
  });

  it('refuses a symlink to a file, naming it, unless symlinks are allowed', async () => {
    const dir = model({ 'real.bin': 'data' });
    symlinkSync(join(dir, 'real.bin'), join(dir, 'link.bin'));
    const err = await rejectsWith(hashModel({ modelPath: dir }), 'MODEL_PATH_REFUSED');
    assert.equal(err.file, 'link.bin');
    assert.match(err.message, /"link\.bin" is a symbolic link/);
    const m = await hashModel({ modelPath: dir, allowSymlinks: true });
    assert.deepEqual(m.files.map((f) => [f.name, f.digest]), [['link.bin', sha('data')], ['real.bin', sha('data')]]);
  });

  it('refuses a symlinked directory pointing outside the model, and the model root being a symlink', async () => {
    const outside = model({ 'secret.txt': 's' });
    const dir = model({ w: 'w' });
    symlinkSync(outside, join(dir, 'escape'));
    await rejectsWith(hashModel({ modelPath: dir }), 'MODEL_PATH_REFUSED');
    const linkRoot = join(tmp.dir, `root-link-${n++}`);
    symlinkSync(outside, linkRoot);
    await rejectsWith(hashModel({ modelPath: linkRoot }), 'MODEL_PATH_REFUSED');
  });

  it('detects a symlink loop when symlinks are allowed', async () => {
    const dir = model({ 'd/w': 'w' });
    symlinkSync(dir, join(dir, 'd', 'up'));
    await rejectsWith(hashModel({ modelPath: dir, allowSymlinks: true }), 'MODEL_PATH_REFUSED');
  });

  it('ignores a symlink inside an ignored path', async () => {
    const dir = model({ w: 'w' });
    mkdirSync(join(dir, '.git'));
    symlinkSync('/etc/passwd', join(dir, '.git', 'evil'));
    assert.equal((await hashModel({ modelPath: dir })).files.length, 1);
  });

  it('refuses a named pipe instead of blocking on it', async (t) => {
    const dir = model({ w: 'w' });
    try {
      execFileSync('mkfifo', [join(dir, 'pipe')]);
    } catch {
      t.skip('mkfifo is not available');
      return;
    }
    const err = await rejectsWith(hashModel({ modelPath: dir }), 'MODEL_PATH_REFUSED');
    assert.equal(err.file, 'pipe');
  });

  it('refuses an empty model and reports a missing one', async () => {
    const dir = model({ '.gitignore': 'x' });
    await rejectsWith(hashModel({ modelPath: dir }), 'MODEL_EMPTY');
    await rejectsWith(hashModel({ modelPath: join(tmp.dir, 'nope') }), 'MODEL_NOT_FOUND');
  });

  it('hashes large models in worker threads with the same result, reporting progress to the end', async () => {
    const big = Buffer.alloc(IN_PROCESS_MAX_BYTES, 7);
    const dir = model({ 'x/1.bin': big, 'x/2.bin': big, 'small.txt': 's', 'empty': '' });
    const seen: HashProgress[] = [];
    const m = await hashModel({ modelPath: dir, concurrency: 2, onProgress: (p) => seen.push(p) });
    assert.equal(m.files.find((f) => f.name === 'x/1.bin')!.digest, sha(big));
    assert.equal(m.files.find((f) => f.name === 'empty')!.digest, sha(''));
    const last = seen.at(-1)!;
    assert.deepEqual(last, { bytesHashed: 2 * big.length + 1, totalBytes: 2 * big.length + 1, filesHashed: 4, totalFiles: 4 });
    const single = await hashModel({ modelPath: dir, concurrency: 1 });
    assert.equal(single.rootDigest, m.rootDigest);
  });

  it('fails with MODEL_IO_ERROR naming a file that cannot be read', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('root reads files whatever their mode');
      return;
    }
    const dir = model({ 'locked.bin': 'x' });
    execFileSync('chmod', ['000', join(dir, 'locked.bin')]);
    const err = await rejectsWith(hashModel({ modelPath: dir }), 'MODEL_IO_ERROR');
    assert.equal(err.file, 'locked.bin');
  });

  it('refuses a file name that is not UTF-8', async () => {
    const dir = model({ w: 'w' });
    writeFileSync(Buffer.from(`${dir}/bad-\xff`, 'latin1'), 'x');
    await rejectsWith(hashModel({ modelPath: dir }), 'MODEL_PATH_REFUSED');
  });
});
