/**
 * The byte reader across chunk boundaries: an opcode that straddles two chunks is stitched into a
 * small copy, and once the reader is past the copied bytes it reads the next chunk in place again
 * (before, every later window of that chunk was a copy of the last).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ByteReader, type ChunkSource } from '../../../src/models/scan/byte-reader.ts';

function source(chunks: Buffer[]): ChunkSource {
  let i = 0;
  return {
    async read() {
      return i < chunks.length ? chunks[i++]! : null;
    },
    async close() {},
  };
}

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe('byte reader', () => {
  it('reads the next chunk in place once past the bytes a stitch copied', async () => {
    const a = bytes(10, 1);
    const b = bytes(200_000, 2);
    const reader = new ByteReader(source([a, b]), { hash: false });
    assert.equal(await reader.fill(1), true);
    reader.pos = 8;
    assert.equal(await reader.fill(4), true); // straddles: a copy of a[8..10) and the head of b
    assert.ok(reader.buf !== b, 'a stitched copy');
    assert.deepEqual([...reader.buf.subarray(reader.pos, reader.pos + 4)], [a[8], a[9], b[0], b[1]]);
    reader.pos += 10; // now at b[8]
    assert.equal(await reader.fill(100_000), true);
    assert.ok(reader.buf === b, 'the chunk itself, not a copy'); // (not assert.equal: a failure would diff 200 kB)
    assert.equal(reader.pos, 8);
    assert.equal(reader.offset, 18);
  });

  it('keeps stitching while the next opcode starts before the copied chunk', async () => {
    const a = bytes(10, 3);
    const b = bytes(100_000, 4);
    const reader = new ByteReader(source([a, b]), { hash: false });
    await reader.fill(1);
    reader.pos = 6;
    await reader.fill(8);
    assert.equal(await reader.fill(70_000), true); // from a[6]: more than the stitch holds
    assert.equal(reader.offset, 6);
    assert.deepEqual([...reader.buf.subarray(reader.pos, reader.pos + 6)], [a[6], a[7], a[8], a[9], b[0], b[1]]);
    assert.equal(reader.buf[reader.pos + 69_999], b[69_995]);
  });

  it('skips from a stitched window into the chunk and hashes every byte once', async () => {
    const a = bytes(10, 5);
    const b = bytes(150_000, 6);
    const c = bytes(1000, 7);
    const reader = new ByteReader(source([a, b, c]), { hash: true });
    await reader.fill(1);
    reader.pos = 9;
    await reader.fill(3);
    reader.pos += 3; // at b[2], inside the copied head
    assert.equal(await reader.skip(100_000), true);
    assert.equal(reader.offset, 100_012);
    const next = await reader.read(2);
    assert.deepEqual([...next!], [b[100_002], b[100_003]]);
    await reader.drain();
    assert.equal(reader.bytesSeen, 151_010);
    assert.equal(reader.digest(), createHash('sha256').update(Buffer.concat([a, b, c])).digest('hex'));
  });
});
