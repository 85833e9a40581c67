/**
 * Runs hash jobs with bounded parallelism. SHA-256 of one stream is sequential, so the unit of
 * parallelism is a job (a file or a shard): up to `concurrency` worker threads each hash one job
 * at a time, largest jobs first so one big file does not end last. Measured on the 2-core CI
 * machine (2 × 1 GiB, page cache warm): one thread with blocking reads ~1.3 GiB/s, parallel
 * fs streams on the main thread ~0.8 GiB/s, two workers with blocking reads ~2.1 GiB/s; hence
 * workers. Small models (≤ IN_PROCESS_MAX_BYTES) are hashed on the calling thread, which costs
 * less than starting a worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HASH_BUFFER_BYTES, HashJobError, hashJobSync } from './hash-file.ts';
import type { HashJob, HashJobFailure } from './hash-file.ts';

export const IN_PROCESS_MAX_BYTES = 16 * 1024 * 1024;
const MAX_WORKERS = 8;

export interface HashPoolOptions {
  /** Worker threads to use; default: the number of CPUs, at most 8. */
  concurrency?: number;
  /** Called with a byte count as hashing advances. */
  onBytes?: (bytes: number) => void;
  /** Called when a job is done. */
  onJobDone?: (index: number) => void;
}

/** Fails a whole run; `index` is the job that failed. */
export class HashPoolError extends Error {
  readonly index: number;
  readonly failure: HashJobFailure;
  constructor(index: number, failure: HashJobFailure) {
    super(failure.reason);
    this.index = index;
    this.failure = failure;
  }
}

/** Hashes every job; resolves to the hex digests in job order. */
export async function hashJobs(jobs: readonly HashJob[], opts: HashPoolOptions = {}): Promise<string[]> {
  const total = jobs.reduce((sum, j) => sum + ((j.end ?? j.size) - j.start), 0);
  const workers = Math.max(1, Math.min(opts.concurrency ?? Math.min(availableParallelism(), MAX_WORKERS), jobs.length));
  if (jobs.length === 0) return [];
  if (total <= IN_PROCESS_MAX_BYTES) return hashInProcess(jobs, opts);
  return hashWithWorkers(jobs, workers, opts);
}

function hashInProcess(jobs: readonly HashJob[], opts: HashPoolOptions): string[] {
  const buffer = Buffer.allocUnsafe(Math.min(HASH_BUFFER_BYTES, 256 * 1024));
  return jobs.map((job, index) => {
    try {
      const digest = hashJobSync(job, buffer, opts.onBytes);
      opts.onJobDone?.(index);
      return digest;
    } catch (e) {
      if (e instanceof HashJobError) throw new HashPoolError(index, e.failure);
      throw e;
    }
  });
}

function workerUrl(): URL {
  // Works both from the TypeScript sources (type stripping) and from emitted JavaScript.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./hash-worker${ext}`, import.meta.url);
}

type WorkerMessage =
  | { type: 'progress'; bytes: number }
  | { type: 'done'; id: number; digest: string }
  | { type: 'failed'; id: number; failure: HashJobFailure };

function hashWithWorkers(jobs: readonly HashJob[], count: number, opts: HashPoolOptions): Promise<string[]> {
  const order = jobs.map((_, i) => i).sort((a, b) => size(jobs[b]!) - size(jobs[a]!));
  const digests = new Array<string>(jobs.length);
  const pool: Worker[] = [];
  let next = 0;
  let finished = 0;
  let settled = false;

  return new Promise<string[]>((resolvePromise, rejectPromise) => {
    const stopAll = () => {
      settled = true;
      for (const w of pool) void w.terminate();
    };
    const fail = (e: Error) => {
      if (settled) return;
      stopAll();
      rejectPromise(e);
    };
    const feed = (worker: Worker) => {
      if (next >= order.length) return;
      const id = order[next++]!;
      worker.postMessage({ id, job: jobs[id] });
    };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(workerUrl());
      pool.push(worker);
      worker.on('message', (msg: WorkerMessage) => {
        if (settled) return;
        if (msg.type === 'progress') {
          opts.onBytes?.(msg.bytes);
          return;
        }
        if (msg.type === 'failed') {
          fail(new HashPoolError(msg.id, msg.failure));
          return;
        }
        digests[msg.id] = msg.digest;
        opts.onJobDone?.(msg.id);
        finished++;
        if (finished === jobs.length) {
          stopAll();
          resolvePromise(digests);
          return;
        }
        feed(worker);
      });
      worker.on('error', (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (code) => {
        if (!settled) fail(new Error(`hash worker exited early (${code})`));
      });
      feed(worker);
    }
  });
}

function size(job: HashJob): number {
  return (job.end ?? job.size) - job.start;
}
