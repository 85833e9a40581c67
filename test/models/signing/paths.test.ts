/** Path rules: the reference order, ignore matching by component, names refused in a manifest. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCodePoints, comparePaths, compareShardNames, isIgnored, normalizeIgnorePath, parseShardName, pathProblem } from '../../../src/models/signing/paths.ts';

describe('manifest paths', () => {
  it('sorts like Python PurePosixPath: by components, each by code point', () => {
    const names = ['b', 'a.txt', 'a/b', 'a-b', 'A', 'a/b/c', '\u{1F600}', '\uFFFD', 'é'];
    assert.deepEqual([...names].sort(comparePaths), ['A', 'a/b', 'a/b/c', 'a-b', 'a.txt', 'b', 'é', '\uFFFD', '\u{1F600}']);
    assert.ok(compareCodePoints('\u{10000}', '\uFFFF') > 0, 'astral after the end of the BMP');
  });

  it('sorts shards by path, then start, then end (numerically)', () => {
    const names = ['a:1000:2000', 'a:0:1000', 'a/b:0:5', 'a:10000:10005'];
    assert.deepEqual([...names].sort(compareShardNames), ['a:0:1000', 'a:1000:2000', 'a:10000:10005', 'a/b:0:5']);
    assert.deepEqual(parseShardName('w.bin:0:10'), { path: 'w.bin', start: 0, end: 10 });
    for (const bad of ['w.bin', 'w:1:0', 'w:01:2', 'w:a:b', 'a:b:1:2']) assert.equal(parseShardName(bad), undefined, bad);
  });

  it('ignores by path component, not by string prefix', () => {
    const ignore = new Set(['logs', '.git', 'a/b']);
    assert.equal(isIgnored('logs', ignore), true);
    assert.equal(isIgnored('logs/x/y', ignore), true);
    assert.equal(isIgnored('logs2', ignore), false);
    assert.equal(isIgnored('sub/.git', ignore), false);
    assert.equal(isIgnored('a/b/c', ignore), true);
    assert.equal(isIgnored('a/bc', ignore), false);
  });

  it('refuses absolute, "..", empty and non-normal names', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../b', 'a//b', 'a/', './a', '', 'a\0b']) assert.ok(pathProblem(bad), bad);
    for (const ok of ['a', 'a/b.c', '.hidden', 'a b/ü', 'x:1']) assert.equal(pathProblem(ok), undefined, ok);
  });

  it('normalizes ignore paths given relative or absolute inside the model', () => {
    assert.equal(normalizeIgnorePath('./logs/', '/m'), 'logs');
    assert.equal(normalizeIgnorePath('/m/a/b', '/m'), 'a/b');
    assert.throws(() => normalizeIgnorePath('/other/a', '/m'), { code: 'MODEL_PATH_REFUSED' });
    assert.throws(() => normalizeIgnorePath('a/../../b', '/m'), { code: 'MODEL_PATH_REFUSED' });
  });
});
