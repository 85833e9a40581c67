/** Hashing one file: ranges, and the races it must catch between listing and reading. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HashJobError, hashJobSync } from '../../../src/models/signing/hash-file.ts';
import type { HashJob } from '../../../src/models/signing/hash-file.ts';
import { tempDir } from './support/helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
const buf = Buffer.alloc(7); // tiny on purpose: many reads per file
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function jobFor(path: string, over: Partial<HashJob> = {}): HashJob {
  const st = statSync(path);
  return { path, start: 0, end: null, size: st.size, dev: st.dev, ino: st.ino, followSymlinks: false, ...over };
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HashJobError);
    return e.failure.code;
  }
  assert.fail('expected a failure');
}

describe('hashJobSync', () => {
  const path = join(tmp.dir, 'f.bin');
  writeFileSync(path, 'the quick brown fox jumps over the lazy dog');

  it('hashes a whole file and a byte range through a small buffer', () => {
    assert.equal(hashJobSync(jobFor(path), buf), sha('the quick brown fox jumps over the lazy dog'));
    assert.equal(hashJobSync(jobFor(path, { start: 4, end: 9 }), buf), sha('quick'));
    assert.equal(hashJobSync(jobFor(path, { start: 4, end: 4 }), buf), sha(''));
  });

  it('refuses a file replaced after it was listed', () => {
    assert.equal(failure(() => hashJobSync(jobFor(path, { ino: 1 }), buf)), 'MODEL_PATH_REFUSED');
  });

  it('refuses to follow a symlink that appeared after listing', () => {
    const link = join(tmp.dir, 'link');
    symlinkSync(path, link);
    assert.equal(failure(() => hashJobSync(jobFor(path, { path: link }), buf)), 'MODEL_PATH_REFUSED');
    assert.equal(hashJobSync(jobFor(path, { path: link, followSymlinks: true }), buf).length, 64);
  });

  it('fails when the file changed size while it was hashed', () => {
    assert.equal(failure(() => hashJobSync(jobFor(path, { size: 10 }), buf)), 'MODEL_IO_ERROR');
    assert.equal(failure(() => hashJobSync(jobFor(path, { start: 40, end: 50 }), buf)), 'MODEL_IO_ERROR');
  });

  it('reports progress bytes that add up to the file size', () => {
    let total = 0;
    hashJobSync(jobFor(path), buf, (n) => (total += n));
    assert.equal(total, 43);
  });
});
