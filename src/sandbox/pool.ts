/**
 * Pre-started environments, so a new session does not wait for one to be created. Environments
 * are kept per limits profile (a profile is the exact limits an environment is created with: its
 * file space size and cgroup limits are fixed at creation), `size` per profile, at most
 * `maxProfiles` profiles; every take starts a background refill. A pooled environment has never
 * been used: a session's environment is destroyed when the session ends, never returned here.
 */
import type { Logger } from 'pino';
import { RampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { SandboxBackend, SandboxEnvironment, SandboxLimits } from './backend.ts';

export interface PoolOptions {
  backend: SandboxBackend;
  /** Idle environments kept per profile (`sandbox.sessions.pool`); 0 disables pooling. */
  size: number;
  /** Profiles pooled at most; environments of other limits are created on demand. */
  maxProfiles?: number;
  logger: Logger;
  /** Observes each allocation: from the pool, or created while the caller waited. */
  onAllocate?(source: 'pool' | 'create', seconds: number): void;
}

export interface PoolStats {
  readonly profiles: number;
  readonly idle: number;
  readonly creating: number;
}

interface Profile {
  readonly limits: SandboxLimits;
  readonly idle: SandboxEnvironment[];
  creating: number;
  failures: number;
  /** performance.now() before which no refill is tried after a failure. */
  retryAt: number;
}

const MAX_BACKOFF_MS = 30_000;

/** The key of a limits profile: every field, in a fixed order. */
export function profileKey(l: SandboxLimits): string {
  return [l.timeoutMs, l.memoryBytes, l.cpus, l.pids, l.diskBytes, l.fileBytes, l.openFiles, l.outputBytes].join('/');
}

export class EnvironmentPool {
  readonly #backend: SandboxBackend;
  readonly #size: number;
  readonly #maxProfiles: number;
  readonly #logger: Logger;
  readonly #onAllocate: (source: 'pool' | 'create', seconds: number) => void;
  readonly #profiles = new Map<string, Profile>();
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(opts: PoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 0) throw new RangeError('pool size must be a non-negative integer');
    this.#backend = opts.backend;
    this.#size = opts.size;
    this.#maxProfiles = opts.maxProfiles ?? 8;
    this.#logger = opts.logger;
    this.#onAllocate = opts.onAllocate ?? (() => {});
  }

  /** Starts filling the profile of `limits` in the background. */
  warm(limits: SandboxLimits): void {
    const p = this.#profile(limits);
    if (p) this.#refill(p);
  }

  /**
   * A fresh environment of `limits`: a pooled one when there is one, else created now.
   *
   * @example
   *   const { env, pooled } = await pool.take(limits);
   */
  async take(limits: SandboxLimits): Promise<{ env: SandboxEnvironment; pooled: boolean }> {
    if (this.#closed) throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: 'The sandbox is shutting down.' });
    const start = performance.now();
    const p = this.#profile(limits);
    const env = p?.idle.shift();
    if (p) this.#refill(p);
    if (env) {
      this.#onAllocate('pool', (performance.now() - start) / 1000);
      return { env, pooled: true };
    }
    const created = await this.#backend.create({ sessionId: newId('sbx'), limits });
    this.#onAllocate('create', (performance.now() - start) / 1000);
    return { env: created, pooled: false };
  }

  stats(): PoolStats {
    let idle = 0;
    let creating = 0;
    for (const p of this.#profiles.values()) {
      idle += p.idle.length;
      creating += p.creating;
    }
    return { profiles: this.#profiles.size, idle, creating };
  }

  /** Resolves when no refill is in flight (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Destroys every idle environment, and those still being created once they are. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.settled();
    const all = [...this.#profiles.values()].flatMap((p) => p.idle.splice(0));
    await Promise.allSettled(all.map((e) => e.destroy()));
  }

  #profile(limits: SandboxLimits): Profile | null {
    if (this.#size === 0 || this.#closed) return null;
    const key = profileKey(limits);
    let p = this.#profiles.get(key);
    if (!p) {
      if (this.#profiles.size >= this.#maxProfiles) return null;
      p = { limits: { ...limits }, idle: [], creating: 0, failures: 0, retryAt: 0 };
      this.#profiles.set(key, p);
    }
    return p;
  }

  #refill(p: Profile): void {
    if (performance.now() < p.retryAt) return;
    while (!this.#closed && p.idle.length + p.creating < this.#size) {
      p.creating++;
      const job = this.#backend
        .create({ sessionId: newId('sbx'), limits: p.limits })
        .then(
          async (env) => {
            p.creating--;
            p.failures = 0;
            if (this.#closed) await env.destroy();
            else p.idle.push(env);
          },
          (err: unknown) => {
            p.creating--;
            p.failures++;
            // Back off, so a backend that cannot create is not asked in a tight loop.
            p.retryAt = performance.now() + Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(p.failures, 10));
            this.#logger.warn({ err, failures: p.failures }, 'sandbox pool: could not start an environment');
          },
        )
        .finally(() => this.#pending.delete(job));
      this.#pending.add(job);
    }
  }
}
