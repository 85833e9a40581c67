import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { newId } from '../../src/core/ids.ts';

const BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

describe('newId', () => {
  it('is the prefix, an underscore and 26 base32 characters', () => {
    const id = newId('req');
    assert.match(id, /^req_/);
    assert.match(id.slice(4), BODY);
    assert.match(newId(), BODY);
  });

  it('spells the millisecond time in its first ten characters, in order', () => {
    const t = Date.UTC(2026, 11, 7, 4, 30, 0, 123);
    const a = newId(undefined, t);
    const b = newId(undefined, t + 1);
    const c = newId(undefined, t + 32 ** 3);
    assert.equal(a.slice(0, 10), newId(undefined, t).slice(0, 10), 'same millisecond, same time part');
    assert.notEqual(a.slice(0, 10), b.slice(0, 10));
    assert.ok(a.slice(0, 10) < b.slice(0, 10) && b.slice(0, 10) < c.slice(0, 10), 'ids sort by time');
    // Decode the time part back: base32 in the alphabet's order.
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    const decoded = [...a.slice(0, 10)].reduce((n, ch) => n * 32 + alphabet.indexOf(ch), 0);
    assert.equal(decoded, t);
  });

  it('does not repeat: 20 000 ids in one millisecond are distinct', () => {
    const now = Date.now();
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newId('aud', now));
    assert.equal(seen.size, 20_000);
  });

  it('keeps the time part of each call when calls alternate between two times', () => {
    const t1 = 1_700_000_000_000;
    const t2 = 1_800_000_000_000;
    const a = newId(undefined, t1);
    const b = newId(undefined, t2);
    const c = newId(undefined, t1);
    assert.equal(a.slice(0, 10), c.slice(0, 10));
    assert.notEqual(a.slice(0, 10), b.slice(0, 10));
  });
});
