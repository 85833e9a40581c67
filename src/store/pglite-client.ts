/**
 * Embedded backend: PGlite (PostgreSQL compiled to WebAssembly) in a local data directory, behind
 * an exclusive lock file. PGlite runs in a worker thread (pglite-worker.ts) so that its
 * statements, which run synchronously, never stall the request thread; this side is a proxy that
 * sends SQL text and parameters over the worker's port and gets plain rows back.
 *
 * PGlite is one connection: a transaction holds it, and other statements wait until it ends
 * (the same isolation a pool connection would give). `transaction()` opens one in the worker;
 * its statements carry its id, and a nested `transaction()` is a savepoint (sql-tx.ts).
 *
 * The lock belongs to the process (it names this pid): it is taken before the worker starts and
 * released only after the worker has closed the database and stopped.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { RampartError } from '../core/errors.ts';
import type { AuditEvent } from '../core/audit-event.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { fromWireError, NO_TX, STARTUP_ID, type WorkerData, type WorkerReply, type WorkerRequest } from './pglite-protocol.ts';
import { BackgroundPriority, type PriorityChange } from './thread-priority.ts';
import { txClient, type TxConnection } from './sql-tx.ts';
import type { QueryResult, SqlClient } from './types.ts';

export interface PgliteClientOptions {
  dataDir: string;
  logger: Logger;
  /** The database's thread yields the CPU to the request path (thread-priority.ts). Default true. */
  background?: boolean;
}

/** Longest `close()` waits for queued statements and PGlite's shutdown before stopping the worker. */
const CLOSE_TIMEOUT_MS = 10_000;

const WORKER_URL = new URL('./pglite-worker.ts', import.meta.url);

/**
 * @example
 * const sql = await openPgliteClient({ dataDir: './data', logger });
 * await sql.query('SELECT 1');
 * await sql.close();
 */
export async function openPgliteClient(opts: PgliteClientOptions): Promise<SqlClient> {
  const dir = resolve(opts.dataDir);
  // 0700: the directory holds the audit log and key hashes, and PGlite writes its files 0666.
  // mkdir's mode applies only to a directory it creates: one made beforehand is tightened too.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = (await stat(dir)).mode & 0o777;
  if (mode & 0o077) {
    await chmod(dir, 0o700);
    opts.logger.warn({ dataDir: dir, was: mode.toString(8) }, 'data directory was open to other users: set to 0700');
  }
  const lock = await lockDataDir(dir, opts.logger);
  let worker: Worker | undefined;
  let client: PgliteClient;
  try {
    worker = startPgliteWorker(join(dir, 'pglite'));
    client = new PgliteClient(worker, lock, opts.logger);
    await client.opened;
    if (opts.background ?? true) client.runInBackground();
  } catch (e) {
    await worker?.terminate();
    await lock.release();
    throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: `could not open the embedded database in ${dir}`, cause: e });
  }
  opts.logger.info({ dataDir: dir }, 'embedded store opened');
  return client;
}

/** A proxy, on another thread, to the database behind `port` (from the owner's `attach()`). */
export function attachedPgliteClient(port: MessagePort, logger: Logger): PgliteClient {
  return new PgliteClient(port, null, logger);
}

/**
 * The worker's young generation, MiB. Left to V8, it grew the worker's heap in steps (50 → 82 →
 * 146 MiB reserved for 15–63 MiB used) minutes into a steady load, each step a jump in the
 * process's resident memory; capped, it reaches its size within seconds and stays there.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** Starts the worker that opens (creating if needed) the database at `dbPath`; lock it first. */
export function startPgliteWorker(dbPath: string): Worker {
  const options = { workerData: { dbPath } satisfies WorkerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } };
  return new Worker(WORKER_URL, ENTRY_OPTION.test(process.execArgv.join(' ')) ? { ...options, execArgv: [] } : options);
}

/**
 * The worker inherits the process's node options (so `--cpu-prof` or `--inspect` cover it too),
 * except after `node --input-type=module -e …`: that option would apply to the worker's own file,
 * which Node then refuses to load. Such a process starts the worker without options.
 */
const ENTRY_OPTION = /(?:^| )(?:--input-type\b|-e |--eval\b|-p |--print\b|-pe )/;

interface Pending {
  resolve(r: Extract<WorkerReply, { ok: true }>): void;
  reject(e: unknown): void;
  /** When it was sent (Date.now()), for the watch on the worker's scheduling. */
  at?: number;
}

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The proxy; `openPgliteClient` is how to get one (it takes the lock and waits for `opened`). Other
 * threads of the process get a proxy of their own over a port the owner attaches
 * (`attach()`, then `attachedPgliteClient(port)` in that thread): same database, same worker.
 */
export class PgliteClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  /** Settles when the worker has opened the database (or failed to). */
  readonly opened: Promise<void>;
  readonly #end: Worker | MessagePort;
  /** The worker and the data directory's lock, on the owning thread's proxy only. */
  readonly #owner: { worker: Worker; lock: DataDirLock } | null;
  readonly #logger: Logger;
  readonly #conn: TxConnection;
  readonly #pending = new Map<number, Pending>();
  #nextId = STARTUP_ID + 1;
  #nextTx = NO_TX + 1;
  #state: 'starting' | 'open' | 'closing' | 'closed' | 'failed' = 'starting';
  #failure: unknown = null;
  #closing: Promise<void> | null = null;
  /** The worker's kernel thread id (Linux; owner only) and the watch on its scheduling class. */
  #workerTid: number | null = null;
  #priority: BackgroundPriority | null = null;

  constructor(end: Worker | MessagePort, lock: DataDirLock | null, logger: Logger) {
    this.#end = end;
    this.#owner = end instanceof Worker && lock ? { worker: end, lock } : null;
    this.#logger = logger;
    this.#conn = this.#connection(NO_TX);
    this.opened = new Promise((resolve, reject) => {
      this.#pending.set(STARTUP_ID, {
        resolve: (r) => {
          this.#state = 'open';
          const tid = (r.rows?.[0] as { tid?: unknown } | undefined)?.tid;
          this.#workerTid = typeof tid === 'number' ? tid : null;
          resolve();
        },
        reject,
      });
    });
    end.on('message', (r: WorkerReply) => this.#settle(r));
    end.on('messageerror', (e: Error) => this.#fail(e));
    if (end instanceof Worker) {
      end.on('error', (e) => this.#fail(e));
      end.on('exit', (code) => {
        if (this.#state === 'closing' || this.#state === 'closed') this.#rejectAll(closedError());
        else this.#fail(new Error(`the embedded database worker exited with code ${code}`));
      });
    } else {
      end.on('close', () => {
        if (this.#state === 'closing' || this.#state === 'closed') this.#rejectAll(closedError());
        else this.#fail(new Error('the embedded database closed its port'));
      });
      // An attached port is served as soon as the owner attached it.
      this.#settle({ id: STARTUP_ID, ok: true, rows: undefined, rowCount: 0 });
      end.unref();
    }
  }

  /** A port to the same database for another thread of this process (owner only). */
  async attach(): Promise<MessagePort> {
    if (!this.#owner) throw new Error('only the proxy that opened the embedded database can attach another');
    const { port1, port2 } = new MessageChannel();
    await this.#send({ op: 'attach', port: port2 }, [port2]);
    return port1;
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return this.#conn.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.#conn.exec(sql);
  }

  async appendAuditChain(events: readonly AuditEvent[], chainId: string, head: { seq: number; hash: string }): Promise<{ seq: number; hash: string }> {
    if (events.length === 0) return head;
    const r = await this.#send({ op: 'auditAppend', events: JSON.stringify(events), chainId, head });
    return r.rows![0] as { seq: number; hash: string };
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const tx = this.#nextTx++;
    await this.#send({ op: 'begin', tx });
    let result: T;
    try {
      result = await fn(txClient('pglite', this.#connection(tx)));
    } catch (e) {
      // The rollback's own failure (store gone) must not hide why the transaction failed.
      await this.#send({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw e;
    }
    await this.#send({ op: 'end', tx, commit: true });
    return result;
  }

  close(): Promise<void> {
    this.#priority?.stop();
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const wasOpen = this.#state === 'open';
    this.#state = 'closing';
    if (!this.#owner) {
      // An attached proxy leaves the database to its owner; the worker rolls back what it left open.
      (this.#end as MessagePort).close();
      this.#state = 'closed';
      this.#rejectAll(closedError());
      return;
    }
    if (wasOpen) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
      try {
        await Promise.race([this.#post({ op: 'close' }), timeout]);
      } catch (e) {
        this.#logger.warn({ err: e }, 'the embedded database did not close cleanly');
      } finally {
        clearTimeout(timer);
      }
    }
    await this.#owner.worker.terminate();
    this.#state = 'closed';
    this.#rejectAll(closedError());
    await this.#owner.lock.release();
  }

  #connection(tx: number): TxConnection {
    return {
      query: async <T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> => {
        const r = await this.#send({ op: 'query', tx, sql, params });
        return { rows: r.rows as T[], rowCount: r.rowCount };
      },
      exec: async (sql: string): Promise<void> => {
        await this.#send({ op: 'exec', tx, sql });
      },
    };
  }

  /** A caller's request: refused once the client is closing or the worker has failed. */
  #send(req: Request, transfer: MessagePort[] = []): Promise<Extract<WorkerReply, { ok: true }>> {
    if (this.#state !== 'open') return Promise.reject(this.#state === 'failed' ? unavailable(this.#failure) : closedError());
    return this.#post(req, transfer);
  }

  #post(req: Request, transfer: MessagePort[] = []): Promise<Extract<WorkerReply, { ok: true }>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // Throws synchronously when a parameter cannot be cloned (a function, a class with private
      // fields): nothing was sent, so nothing waits for a reply.
      this.#end.postMessage({ ...req, id } as WorkerRequest, transfer);
      // Idle, the worker must not keep the process alive; waiting for an answer, it must.
      if (this.#pending.size === 0) this.#end.ref();
      this.#pending.set(id, { resolve, reject, at: Date.now() });
    });
  }

  /**
   * Moves the database's thread to the idle scheduling class and watches it from this thread
   * (thread-priority.ts); owner only, and only where it can be raised again.
   */
  runInBackground(): void {
    if (!this.#owner || this.#priority || this.#workerTid === null) return;
    this.#priority = BackgroundPriority.start(this.#workerTid, {
      onChange: (c) => this.#logPriority(c),
      // The map keeps insertion order and loses answered calls: its first entry is the oldest.
      pendingMs: () => {
        const first = this.#pending.values().next();
        return first.done || first.value.at === undefined ? 0 : Date.now() - first.value.at;
      },
    });
  }

  #logPriority(change: PriorityChange): void {
    if (change.failed !== undefined) {
      this.#logger.error({ reason: change.reason, error: change.failed }, 'embedded store thread is starved and could not be raised to normal priority');
    } else if (change.policy === 'idle') this.#logger.info({ reason: change.reason }, 'embedded store thread runs in the background (idle scheduling class)');
    else this.#logger.warn({ reason: change.reason }, 'embedded store thread was starved: back to normal scheduling priority');
  }

  #settle(r: WorkerReply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    this.#pending.delete(r.id);
    if (this.#pending.size === 0) this.#end.unref();
    if (r.ok) p.resolve(r);
    else p.reject(fromWireError(r.error));
  }

  /** The worker crashed: every waiting and later call fails as "store unavailable". */
  #fail(e: unknown): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'failed';
    this.#failure = e;
    if (wasOpen) this.#logger.error({ err: e }, 'the embedded database worker stopped; store calls fail until restart');
    const startup = this.#pending.get(STARTUP_ID);
    this.#pending.delete(STARTUP_ID);
    startup?.reject(e);
    this.#rejectAll(unavailable(e));
  }

  #rejectAll(e: unknown): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of waiting) p.reject(e);
  }
}

function unavailable(cause: unknown): RampartError {
  return new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'the embedded database worker stopped', cause });
}

function closedError(): RampartError {
  return new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'the store is closed' });
}
