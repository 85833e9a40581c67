/**
 * Worker thread of the hash pool: hashes the jobs it is sent, one at a time, on its own core.
 * Messages in: { id, job }. Messages out: { type: 'progress', bytes } | { type: 'done', id, digest }
 * | { type: 'failed', id, failure }.
 */
import { parentPort } from 'node:worker_threads';
import { HASH_BUFFER_BYTES, HashJobError, hashJobSync } from './hash-file.ts';
import type { HashJob } from './hash-file.ts';

const port = parentPort;
if (port) {
  const buffer = Buffer.allocUnsafe(HASH_BUFFER_BYTES);
  port.on('message', (msg: { id: number; job: HashJob }) => {
    try {
      const digest = hashJobSync(msg.job, buffer, (bytes) => port.postMessage({ type: 'progress', bytes }));
      port.postMessage({ type: 'done', id: msg.id, digest });
    } catch (e) {
      const failure = e instanceof HashJobError ? e.failure : { code: 'MODEL_IO_ERROR', reason: 'could not be hashed' };
      port.postMessage({ type: 'failed', id: msg.id, failure });
    }
  });
}
