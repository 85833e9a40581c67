/**
 * Last-used times of API keys, collected in memory on the request path and written to the store
 * in one `touch` batch per interval. The request path only does a Map write; a failed flush puts
 * its batch back for the next one (keeping the latest time per key), so nothing is lost while the
 * store is briefly down. Memory is bounded by the number of distinct keys in use.
 */
import type { ApiKeyRepo } from '../store/types.ts';

/** The part of a pino logger identity code uses. */
export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

export class LastUsedTracker {
  readonly #repo: Pick<ApiKeyRepo, 'touch'>;
  readonly #logger: WarnLogger | undefined;
  #pending = new Map<string, number>();
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  /** `intervalMs` 0 means no timer: the owner calls `flush()` (tests, CLI). */
  constructor(repo: Pick<ApiKeyRepo, 'touch'>, opts: { intervalMs: number; logger?: WarnLogger | undefined }) {
    this.#repo = repo;
    this.#logger = opts.logger;
    if (opts.intervalMs > 0) {
      this.#timer = setInterval(() => void this.flush(), opts.intervalMs);
      // Never keep the process alive just to write last-used times.
      this.#timer.unref();
    }
  }

  record(id: string, at: number): void {
    const prev = this.#pending.get(id);
    if (prev === undefined || at > prev) this.#pending.set(id, at);
  }

  /** The not-yet-flushed last-used time of `id`, if any. */
  pending(id: string): number | undefined {
    return this.#pending.get(id);
  }

  /** Writes the collected times in one batch. Never rejects; failures are logged and retried next time. */
  flush(): Promise<void> {
    if (this.#flushing !== null) return this.#flushing;
    if (this.#pending.size === 0) return Promise.resolve();
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#repo
      .touch(batch)
      .catch((err: unknown) => {
        for (const [id, at] of batch) this.record(id, at);
        this.#logger?.warn({ err, keys: batch.size }, 'api key last-used flush failed; will retry');
      })
      .finally(() => {
        this.#flushing = null;
      });
    return this.#flushing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#flushing;
    await this.flush();
  }
}
