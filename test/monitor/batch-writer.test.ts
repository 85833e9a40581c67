/**
 * BatchWriter: records pushed off the request path are written in batches, flush writes what is
 * queued, failed writes are retried, and the writer never stops writing after an idle flush.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { BatchWriter } from '../../src/monitor/batch-writer.ts';

const logger = pino({ level: 'silent' });

function writer(opts: { fail?: number; batchSize?: number; flushIntervalMs?: number; maxQueue?: number } = {}) {
  const written: number[][] = [];
  let failures = opts.fail ?? 0;
  const w = new BatchWriter<number>({
    name: 'test',
    logger,
    batchSize: opts.batchSize ?? 3,
    flushIntervalMs: opts.flushIntervalMs ?? 10_000,
    maxQueue: opts.maxQueue ?? 100,
    retryMaxMs: 5,
    write: async (batch) => {
      await new Promise((r) => setImmediate(r));
      if (failures-- > 0) throw new Error('store down');
      written.push([...batch]);
    },
  });
  return { w, written };
}

describe('BatchWriter', () => {
  it('writes what is queued on flush, in batches of the configured size', async () => {
    const { w, written } = writer({ batchSize: 2 });
    for (const n of [1, 2, 3, 4, 5]) w.push(n);
    await w.flush();
    assert.deepEqual(written.flat(), [1, 2, 3, 4, 5]);
    assert.ok(written.every((b) => b.length <= 2));
    assert.equal(w.queued, 0);
  });

  it('keeps writing after a flush of an empty queue (regression: a settled write promise stuck the writer)', async () => {
    const { w, written } = writer();
    await w.flush(); // nothing queued
    w.push(1);
    await w.flush();
    assert.deepEqual(written.flat(), [1]);
    await w.flush();
    await w.flush();
    w.push(2);
    w.push(3);
    w.push(4); // a full batch starts a write without flush
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(written.flat(), [1, 2, 3, 4]);
  });

  it('keeps batches full under steady load', async () => {
    const { w, written } = writer({ batchSize: 10 });
    for (let i = 0; i < 100; i++) {
      w.push(i);
      await new Promise((r) => setImmediate(r));
    }
    await w.flush();
    assert.deepEqual(written.flat(), Array.from({ length: 100 }, (_, i) => i));
    assert.ok(written.slice(0, -1).every((b) => b.length === 10), `batches: ${written.map((b) => b.length).join(',')}`);
  });

  it('flush ends when closed and the store keeps failing', async () => {
    const { w, written } = writer({ fail: 1_000 });
    w.push(1);
    await w.close();
    assert.deepEqual(written, []);
    assert.equal(w.queued, 1);
  });

  it('writes on its timer when nobody flushes', async () => {
    const { w, written } = writer({ flushIntervalMs: 5 });
    // Polls rather than sleeping a fixed time, so a loaded machine's late timers do not decide.
    const until = async (n: number) => {
      for (let i = 0; i < 400 && written.flat().length < n; i++) await new Promise((r) => setTimeout(r, 5));
    };
    w.push(7);
    await until(1);
    assert.deepEqual(written.flat(), [7]);
    w.push(8);
    await until(2);
    assert.deepEqual(written.flat(), [7, 8]);
  });

  it('retries a failed write and loses nothing', async () => {
    const { w, written } = writer({ fail: 2 });
    w.push(1);
    w.push(2);
    await w.flush();
    assert.deepEqual(written.flat(), [1, 2]);
  });

  it('drops the oldest records beyond its bound and counts them; after close it counts what is pushed', async () => {
    const { w, written } = writer({ maxQueue: 3, batchSize: 100 });
    for (const n of [1, 2, 3, 4, 5]) w.push(n);
    assert.equal(w.dropped, 2);
    await w.close();
    assert.deepEqual(written.flat(), [3, 4, 5]);
    w.push(6);
    assert.equal(w.dropped, 3);
  });
});
