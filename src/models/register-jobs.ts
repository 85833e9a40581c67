/**
 * Registration through the admin API runs as a job: hashing and scanning a model of many GB takes
 * minutes, longer than a client should hold a request open. A job reports its phase and bytes
 * done; its result is the registry record's id or the coded error. Jobs live in this instance's
 * memory (the last `keep`), at most `concurrency` at a time; the registry record itself is in the
 * store. Paths must lie inside `models.roots` (after resolving symbolic links): the admin API never
 * reads an arbitrary file of the server.
 */
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError, isRampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { ModelProgress, ModelRegistry, RegisterModelInput } from './registry.ts';

export interface RegisterJob {
  readonly id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  phase: ModelProgress['phase'] | null;
  bytes: number;
  totalBytes: number;
  modelId: string | null;
  error: { code: string; message: string } | null;
  readonly name: string;
  readonly createdBy: string;
  readonly startedAt: number;
  finishedAt: number | null;
}

const JOB_ID = /^job_[A-Za-z0-9_-]{1,64}$/;

async function insideRoots(path: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0) {
    throw new RampartError('RAMPART_FORBIDDEN', { detail: 'Registration by path through the admin API is off: list the directories in models.roots, or use `rampart model register` on the host.' });
  }
  const real = await realpath(path).catch(() => null);
  if (real === null) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'path: no such model directory or file' });
  for (const root of roots) {
    const r = await realpath(root).catch(() => null);
    if (r !== null && (real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) return real;
  }
  throw new RampartError('RAMPART_FORBIDDEN', { detail: 'path: not inside models.roots' });
}

export class RegisterJobs {
  readonly #registry: ModelRegistry;
  readonly #clock: Clock;
  readonly #jobs = new Map<string, RegisterJob>();
  readonly #queue: (() => Promise<void>)[] = [];
  readonly #concurrency: number;
  readonly #keep: number;
  #running = 0;

  constructor(registry: ModelRegistry, opts: { clock?: Clock; concurrency?: number; keep?: number } = {}) {
    this.#registry = registry;
    this.#clock = opts.clock ?? systemClock;
    this.#concurrency = opts.concurrency ?? 1;
    this.#keep = opts.keep ?? 100;
  }

  /** Checks the path and queues the registration; the job is returned at once. */
  async start(input: RegisterModelInput, by: string): Promise<RegisterJob> {
    const path = await insideRoots(typeof input.path === 'string' ? input.path : '', this.#registry.config.roots);
    const signature = typeof input.signature === 'string' ? await insideRoots(input.signature, this.#registry.config.roots) : undefined;
    const job: RegisterJob = { id: newId('job'), status: 'queued', phase: null, bytes: 0, totalBytes: 0, modelId: null, error: null, name: String(input.name), createdBy: by, startedAt: this.#clock.now(), finishedAt: null };
    this.#jobs.set(job.id, job);
    while (this.#jobs.size > this.#keep) {
      const oldest = [...this.#jobs.values()].find((j) => j.status === 'succeeded' || j.status === 'failed');
      if (oldest === undefined) break;
      this.#jobs.delete(oldest.id);
    }
    this.#queue.push(async () => {
      job.status = 'running';
      try {
        const rec = await this.#registry.register({ ...input, path, ...(signature ? { signature } : {}) }, by, (p) => {
          job.phase = p.phase;
          job.bytes = p.bytes;
          job.totalBytes = p.totalBytes;
        });
        job.modelId = rec.id;
        job.status = 'succeeded';
      } catch (e) {
        job.status = 'failed';
        job.error = isRampartError(e) ? { code: e.code, message: e.detail ?? e.publicMessage } : { code: 'RAMPART_INTERNAL', message: 'The registration failed; see the server log.' };
      } finally {
        job.finishedAt = this.#clock.now();
      }
    });
    this.#pump();
    return job;
  }

  get(id: string): RegisterJob {
    const job = JOB_ID.test(id) ? this.#jobs.get(id) : undefined;
    if (job === undefined) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such registration job on this instance.' });
    return job;
  }

  /** Resolves when every queued job has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running > 0 || this.#queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      this.#running++;
      void next().finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }
}
