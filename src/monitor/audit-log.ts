/**
 * The audit log writer. `record()` is synchronous and never waits on the database: events queue
 * in memory and are written in batches, one INSERT (one transaction) each, hash-chained on this
 * instance's chain (see audit-hash.ts).
 *
 * Failure handling, in order of likelihood:
 * - store unreachable: events stay queued (bounded by `maxQueue`) and writes retry with
 *   exponential backoff; a short outage loses nothing. Beyond `maxQueue` new events are dropped,
 *   counted, logged, and a `audit.events_dropped` event records the gap in the chain itself.
 * - seq conflict (another writer on the same chain id, or a commit whose acknowledgement was
 *   lost): reload the head, drop what turns out to be written already, re-chain, retry.
 * - data the database refuses (should not happen after normalization): the batch is retried one
 *   event at a time and only the refused event is dropped, so it cannot block the log.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AuditEvent } from '../core/audit-event.ts';
import { RampartError } from '../core/errors.ts';
import { isDataException, isUniqueViolation } from '../store/sql-errors.ts';
import type { AuditRepo } from '../store/types.ts';
import { GENESIS_HASH, normalizeEvent } from '../core/audit-hash.ts';
import { droppedEventsMarker } from './audit-system-events.ts';

export interface AuditLogOptions {
  logger: Logger;
  /** Hash-chain id of this writer; default: the host name. One chain per instance. */
  chainId?: string;
  /** Most events per INSERT; default 200. */
  batchSize?: number;
  /** Longest an event waits in memory before a write starts; default 250 ms. */
  flushIntervalMs?: number;
  /** Most events kept while the store is unreachable; default 100 000. */
  maxQueue?: number;
  /** First retry delay after a failed write (doubles, with jitter); default 100 ms. */
  retryBaseMs?: number;
  /** Longest retry delay; default 5 000 ms. */
  retryMaxMs?: number;
  /** Called after every write attempt, e.g. to export queue depth and failures as metrics. */
  onFlush?: (stats: AuditLogStats) => void;
}

export interface AuditLogStats {
  chainId: string;
  /** Events waiting in memory. */
  queued: number;
  /** Events written since start. */
  written: number;
  /** Events lost because the queue was full or the log was closed. */
  dropped: number;
  /** Events the database refused as invalid data (dropped, logged by id). */
  rejected: number;
  /** Failed write attempts (each is retried). */
  writeFailures: number;
  /** Seq conflicts with another writer on the same chain (each is re-chained). */
  conflicts: number;
  /** True while the last write attempt failed. */
  failing: boolean;
}

type Outcome = 'ok' | 'retry' | 'failed';

const LOG_EVERY_MS = 30_000;

export class AuditLog {
  readonly chainId: string;
  readonly #repo: AuditRepo;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxQueue: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #onFlush: ((stats: AuditLogStats) => void) | undefined;

  #queue: AuditEvent[] = [];
  /** Last written link of the chain; null when unknown (load before the next write). */
  #head: { seq: number; hash: string } | null = null;
  #running: Promise<Outcome> | null = null;
  #intervalTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #closed = false;
  #failStreak = 0;
  #conflictStreak = 0;
  /** Events to write one at a time after the database refused a batch's data. */
  #isolate = 0;
  #lastError: unknown = null;
  #lastFailureLog = 0;
  #lastDropLog = 0;
  #droppedUnmarked = 0;
  /** Events accepted into / settled out of the queue (written, rejected or dropped on close). */
  #accepted = 0;
  #settled = 0;
  readonly #stats: Omit<AuditLogStats, 'chainId' | 'queued' | 'failing'> = {
    written: 0,
    dropped: 0,
    rejected: 0,
    writeFailures: 0,
    conflicts: 0,
  };

  /**
   * Checks the options; touches nothing until `start()` or the first write.
   * @example
   * const audit = new AuditLog(store.audit, { logger, chainId: 'gw-1' });
   * await audit.start();
   * audit.record(event); // returns at once
   * await audit.close(); // drains on shutdown
   */
  constructor(repo: AuditRepo, opts: AuditLogOptions) {
    this.chainId = opts.chainId ?? hostname();
    this.#repo = repo;
    this.#logger = opts.logger.child({ component: 'audit', chainId: this.chainId });
    this.#batchSize = opts.batchSize ?? 200;
    this.#flushIntervalMs = opts.flushIntervalMs ?? 250;
    this.#maxQueue = opts.maxQueue ?? 100_000;
    this.#retryBaseMs = opts.retryBaseMs ?? 100;
    this.#retryMaxMs = opts.retryMaxMs ?? 5_000;
    this.#onFlush = opts.onFlush;
    const invalid =
      !/^[A-Za-z0-9._:-]{1,128}$/.test(this.chainId)
        ? 'chainId must be 1-128 characters of letters, digits and . _ : -'
        : [this.#batchSize, this.#flushIntervalMs, this.#maxQueue, this.#retryBaseMs, this.#retryMaxMs].some((n) => !Number.isInteger(n) || n < 1)
          ? 'batchSize, flushIntervalMs, maxQueue, retryBaseMs and retryMaxMs must be positive integers'
          : null;
    if (invalid) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `audit log: ${invalid}` });
  }

  /**
   * Loads the chain head, so the chain continues where this chain id left off (also after a
   * restart) and a store problem shows at start-up. Optional: the first write loads it otherwise.
   */
  async start(): Promise<void> {
    if (this.#head || this.#running) return;
    const head = (await this.#repo.head(this.chainId)) ?? { seq: 0, hash: GENESIS_HASH };
    this.#head ??= head;
    this.#logger.info({ seq: head.seq }, head.seq === 0 ? 'audit chain starts' : 'audit chain continues');
  }

  /** Queues one event; returns at once. Never throws and never waits on the store. */
  record(event: AuditEvent): void {
    if (this.#closed || this.#queue.length >= this.#maxQueue) {
      this.#drop(this.#closed ? 'the audit log is closed' : 'the audit queue is full');
      return;
    }
    let normalized: AuditEvent;
    try {
      normalized = normalizeEvent(event);
    } catch {
      this.#drop('the event could not be serialized');
      return;
    }
    if (this.#droppedUnmarked > 0 && this.#queue.length < this.#maxQueue - 1) this.#pushDropMarker();
    this.#queue.push(normalized);
    this.#accepted++;
    this.#schedule();
  }

  stats(): AuditLogStats {
    return { chainId: this.chainId, queued: this.#queue.length, failing: this.#failStreak > 0, ...this.#stats };
  }

  /**
   * Writes every event recorded before the call, now (skipping any retry backoff). Rejects with
   * RAMPART_STORE_UNAVAILABLE when the store fails; the events stay queued and are retried.
   */
  async flush(): Promise<void> {
    const target = this.#accepted;
    while (this.#settled < target) {
      const outcome = await (this.#running ?? this.#start());
      if (outcome === 'failed' && this.#settled < target) {
        throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'audit events could not be written yet', cause: this.#lastError });
      }
    }
  }

  /**
   * Stops accepting events and writes what is queued, retrying until `timeoutMs`; events still
   * unwritten then are counted as dropped and logged.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Drops not yet marked in the chain get their marker before the last writes.
    if (this.#droppedUnmarked > 0) this.#pushDropMarker();
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    while (this.#queue.length > 0 && Date.now() < deadline) {
      try {
        await this.flush();
      } catch {
        await sleep(Math.min(this.#backoffMs(), Math.max(0, deadline - Date.now())));
      }
    }
    await this.#running;
    this.#clearTimers();
    const lost = this.#queue.length;
    if (lost > 0) {
      this.#queue = [];
      this.#stats.dropped += lost;
      this.#settled += lost;
      this.#logger.error({ lost, err: this.#lastError }, 'audit events could not be written before shutdown');
    }
  }

  #schedule(): void {
    // A running drain loops until the queue is empty; a pending retry will start one.
    if (this.#running || this.#retryTimer || this.#immediate) return;
    if (this.#queue.length >= this.#batchSize) {
      this.#immediate = setImmediate(() => {
        this.#immediate = null;
        if (!this.#running) void this.#start();
      });
    } else if (!this.#intervalTimer) {
      this.#intervalTimer = setTimeout(() => {
        this.#intervalTimer = null;
        if (!this.#running) void this.#start();
      }, this.#flushIntervalMs);
      this.#intervalTimer.unref();
    }
  }

  #start(): Promise<Outcome> {
    this.#clearTimers();
    // #drain handles store errors itself; the catch only keeps a bug from becoming an
    // unhandled rejection (which would end the process).
    const run = this.#drain()
      .catch((e: unknown) => this.#failed(e))
      .finally(() => {
        this.#running = null;
        if (this.#queue.length > 0 && !this.#retryTimer && !this.#closed) this.#schedule();
      });
    this.#running = run;
    return run;
  }

  async #drain(): Promise<Outcome> {
    // The first batch goes whatever its size (a timer, a full batch or flush started this drain).
    // After it the loop goes on only for full batches (or to finish a retry, an isolation run or
    // a close): a remainder waits for the next full batch or the interval. Writing whatever has
    // arrived as soon as the previous write returns keeps batches tiny under load, and a row
    // costs the embedded store several times more in a batch of ten than in one of two hundred.
    let more = true;
    while (more && this.#queue.length > 0) {
      const outcome = await this.#writeBatch();
      // Room again after an overflow: the marker goes in now, not only when the next event comes.
      if (outcome === 'ok' && this.#droppedUnmarked > 0 && this.#queue.length < this.#maxQueue) this.#pushDropMarker();
      this.#notify();
      if (outcome === 'failed') {
        if (!this.#closed) {
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = null;
            if (!this.#running) void this.#start();
          }, this.#backoffMs());
          this.#retryTimer.unref();
        }
        return 'failed';
      }
      more = outcome === 'retry' || this.#isolate > 0 || this.#closed || this.#queue.length >= this.#batchSize;
      // Let requests run between two batches: a backlog must not hold the event loop for as
      // long as it takes to write it (hashing a batch is CPU work on this thread).
      if (more && this.#queue.length > 0) await yieldToLoop();
    }
    return 'ok';
  }

  async #writeBatch(): Promise<Outcome> {
    const n = this.#isolate > 0 ? 1 : Math.min(this.#batchSize, this.#queue.length);
    const batch = this.#queue.slice(0, n);
    const head = this.#head;
    try {
      const from = head ?? (await this.#repo.head(this.chainId)) ?? { seq: 0, hash: GENESIS_HASH };
      this.#head = from;
      this.#head = await this.#repo.appendChained(batch, this.chainId, from);
      this.#settle(n, 'written');
      if (this.#isolate > 0) this.#isolate--;
      this.#conflictStreak = 0;
      if (this.#failStreak > 0) this.#logger.info({ queued: this.#queue.length }, 'audit writes recovered');
      this.#failStreak = 0;
      return 'ok';
    } catch (e) {
      return this.#onWriteError(e, batch);
    }
  }

  async #onWriteError(e: unknown, batch: readonly AuditEvent[]): Promise<Outcome> {
    if (isConflict(e)) {
      this.#stats.conflicts++;
      const stale = this.#head;
      this.#head = null;
      try {
        await this.#dropAlreadyWritten(batch, stale);
      } catch (inner) {
        // Keep the stale head so the next attempt conflicts again and repeats this check.
        this.#head = stale;
        return this.#failed(inner);
      }
      // Another writer keeps winning: back off rather than spin.
      return ++this.#conflictStreak > 5 ? this.#failed(e) : 'retry';
    }
    if (isDataException(e)) {
      if (batch.length > 1) {
        this.#isolate = batch.length;
        return 'retry';
      }
      this.#settle(1, 'rejected');
      this.#isolate = Math.max(0, this.#isolate - 1);
      this.#logger.error({ eventId: batch[0]!.id, err: e }, 'the store refused an audit event; it is dropped');
      return 'ok';
    }
    return this.#failed(e);
  }

  /**
   * A batch whose commit acknowledgement was lost may be in the database already: it would sit
   * right after the head this writer had. Drop those events instead of writing them twice.
   */
  async #dropAlreadyWritten(batch: readonly AuditEvent[], stale: { seq: number } | null): Promise<void> {
    if (!stale) return;
    const found = await this.#repo.readChain(this.chainId, stale.seq + 1, batch.length);
    const ids = new Set(found.map((e) => e.id));
    let n = 0;
    while (n < this.#queue.length && n < batch.length && ids.has(this.#queue[n]!.id)) n++;
    if (n > 0) this.#settle(n, 'written');
  }

  #failed(e: unknown): Outcome {
    this.#stats.writeFailures++;
    this.#failStreak++;
    this.#lastError = e;
    // The head is kept on purpose: if the failed write did commit (acknowledgement lost), the
    // retry conflicts on seq and #dropAlreadyWritten finds it, instead of writing it twice.
    const now = Date.now();
    if (this.#failStreak === 1 || now - this.#lastFailureLog >= LOG_EVERY_MS) {
      this.#lastFailureLog = now;
      this.#logger.error({ err: e, queued: this.#queue.length }, 'audit writes failing; events are kept in memory and retried');
    }
    return 'failed';
  }

  #settle(n: number, how: 'written' | 'rejected'): void {
    this.#queue.splice(0, n);
    this.#settled += n;
    this.#stats[how] += n;
  }

  #drop(why: string): void {
    this.#stats.dropped++;
    if (!this.#closed) this.#droppedUnmarked++;
    const now = Date.now();
    if (now - this.#lastDropLog >= LOG_EVERY_MS) {
      this.#lastDropLog = now;
      this.#logger.error({ dropped: this.#stats.dropped, queued: this.#queue.length }, `audit event dropped: ${why}`);
    }
  }

  /** The chain itself records that events are missing, so the gap is visible in the log. */
  #pushDropMarker(): void {
    this.#queue.push(normalizeEvent(droppedEventsMarker(this.#droppedUnmarked, this.#maxQueue, Date.now())));
    this.#accepted++;
    this.#droppedUnmarked = 0;
  }

  #backoffMs(): number {
    const base = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** Math.min(20, Math.max(0, this.#failStreak - 1)));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  #notify(): void {
    if (!this.#onFlush) return;
    try {
      this.#onFlush(this.stats());
    } catch (e) {
      this.#logger.warn({ err: e }, 'audit onFlush hook threw');
    }
  }

  #clearTimers(): void {
    if (this.#intervalTimer) clearTimeout(this.#intervalTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#intervalTimer = this.#retryTimer = this.#immediate = null;
  }
}

function isConflict(e: unknown): boolean {
  return (e instanceof RampartError && e.code === 'RAMPART_CONFLICT') || isUniqueViolation(e);
}

/** Resolves after the I/O and timers that are due have run (setImmediate's check phase). */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
