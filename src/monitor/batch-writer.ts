/**
 * Writes records in batches off the request path: `push` never waits; a timer (or a full batch)
 * starts a write; a failed write is retried with backoff while the queue keeps what it has, up to
 * a bound (beyond it the oldest records are dropped and counted). Used for detections; the audit
 * log has its own writer because it also keeps a hash chain.
 */
import type { Logger } from 'pino';

export interface BatchWriterOptions<T> {
  write(batch: readonly T[]): Promise<void>;
  logger: Logger;
  name: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxQueue?: number;
  retryMaxMs?: number;
}

export class BatchWriter<T> {
  readonly #o: Required<Omit<BatchWriterOptions<T>, 'logger' | 'name' | 'write'>> & Pick<BatchWriterOptions<T>, 'logger' | 'name' | 'write'>;
  #queue: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #failures = 0;
  #dropped = 0;
  #written = 0;
  #closed = false;

  constructor(opts: BatchWriterOptions<T>) {
    this.#o = { batchSize: 200, flushIntervalMs: 250, maxQueue: 100_000, retryMaxMs: 5_000, ...opts };
  }

  get queued(): number {
    return this.#queue.length;
  }

  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    this.#queue.push(item);
    if (this.#queue.length > this.#o.maxQueue) {
      this.#queue.shift();
      this.#dropped++;
    }
    if (this.#queue.length >= this.#o.batchSize) this.#kick(0);
    else this.#kick(this.#o.flushIntervalMs);
  }

  #kick(delay: number): void {
    if (this.#writing) return;
    if (this.#timer && delay > 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, delay);
    this.#timer.unref();
  }

  #drain(): Promise<void> {
    if (this.#writing) return this.#writing;
    if (this.#queue.length === 0) return Promise.resolve();
    // The queue is not empty, so the body below awaits before its `finally` runs: `#writing` is
    // set before it is cleared. (With an empty queue the body would finish synchronously and a
    // settled promise would stay in `#writing`, stopping every later write.)
    this.#writing = (async () => {
      try {
        // After the first batch, only full ones: a remainder waits for its timer (see AuditLog#drain).
        let more = true;
        while (more && this.#queue.length > 0) {
          const batch = this.#queue.slice(0, this.#o.batchSize);
          try {
            await this.#o.write(batch);
            this.#queue.splice(0, batch.length);
            this.#written += batch.length;
            this.#failures = 0;
            more = this.#closed || this.#queue.length >= this.#o.batchSize;
          } catch (err) {
            this.#failures++;
            this.#o.logger.warn({ err, writer: this.#o.name, queued: this.#queue.length }, 'batch write failed; will retry');
            if (this.#closed) return;
            const wait = Math.min(this.#o.retryMaxMs, 100 * 2 ** Math.min(this.#failures, 10));
            await new Promise((r) => setTimeout(r, wait).unref());
          }
        }
      } finally {
        this.#writing = undefined;
        if (this.#queue.length > 0 && !this.#closed) this.#kick(this.#queue.length >= this.#o.batchSize ? 0 : this.#o.flushIntervalMs);
      }
    })();
    return this.#writing;
  }

  /** Writes everything queued now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Everything queued now is written once `#written` has grown by the queue's length. Each drain
    // writes at least one batch while the store answers (a failing store is retried inside it,
    // unless closed: then one attempt, and flush ends when a drain makes no progress).
    const target = this.#written + this.#queue.length;
    while (this.#written < target && this.#queue.length > 0) {
      const before = this.#written;
      await this.#drain();
      if (this.#written === before) break;
    }
  }

  /** Stops accepting records and makes one last attempt to write what is queued. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
