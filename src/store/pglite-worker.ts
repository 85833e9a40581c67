/**
 * The embedded database's own thread. PGlite (PostgreSQL compiled to WebAssembly) runs each
 * statement synchronously: on the request thread a 200-event audit INSERT blocked the event loop
 * for ~7.5 ms (docs/benchmarks.md). Here it blocks only this worker.
 *
 * PGlite is one connection. An open transaction holds it: statements that do not carry its id
 * wait in PGlite's own queue until it ends, as they would for a pool connection, and run in the
 * order they arrived. The proxy (pglite-client.ts) has already taken the data directory's lock.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { chainEvents } from '../core/audit-hash.ts';
import type { AuditEvent } from '../core/audit-event.ts';
import { AUDIT_COPY_SQL, auditBatchCopyText } from './audit-repo.ts';
import { NO_TX, STARTUP_ID, toWireError, type WorkerData, type WorkerReply, type WorkerRequest } from './pglite-protocol.ts';
import { currentThreadId } from './thread-priority.ts';

interface OpenTx {
  tx: Transaction;
  /** Lets PGlite's transaction callback return (commit) or throw (rollback). */
  end(commit: boolean): void;
  /** Settles when PGlite has committed or rolled back. */
  settled(): Promise<void>;
}

/** Thrown inside the transaction callback to make PGlite roll back; never reaches the proxy. */
const ROLLBACK = Symbol('rollback');

if (!parentPort) throw new Error('pglite-worker.ts runs only as a worker thread');
const { dbPath } = workerData as WorkerData;
/** Open transactions of each client (the proxy on the parent port, and attached ones): ids are per client. */
const openTx = new Map<Port, Map<number, OpenTx>>();
const inFlight = new Set<Promise<void>>();
let db: PGlite;
let closing = false;

type Port = Pick<MessagePort, 'postMessage' | 'close' | 'on'>;

function reply(port: Port, msg: WorkerReply): void {
  try {
    port.postMessage(msg);
  } catch (e) {
    // A row the structured clone cannot copy: answer with the error rather than never.
    port.postMessage({ id: msg.id, ok: false, error: toWireError(e) } satisfies WorkerReply);
  }
}

const done = (id: number): WorkerReply => ({ id, ok: true, rows: undefined, rowCount: 0 });
const failed = (id: number, e: unknown): WorkerReply => ({ id, ok: false, error: toWireError(e) });

function target(open: Map<number, OpenTx>, tx: number): Pick<PGlite, 'query' | 'exec'> {
  if (tx === NO_TX) return db;
  const t = open.get(tx);
  if (!t) throw new Error(`transaction ${tx} is not open`);
  return t.tx;
}

async function handle(open: Map<number, OpenTx>, msg: Exclude<WorkerRequest, { op: 'close' | 'begin' | 'attach' }>): Promise<WorkerReply> {
  switch (msg.op) {
    case 'query': {
      const r = await target(open, msg.tx).query(msg.sql, msg.params ? (msg.params as unknown[]) : undefined);
      return { id: msg.id, ok: true, rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
    }
    case 'exec':
      await target(open, msg.tx).exec(msg.sql);
      return done(msg.id);
    case 'auditAppend': {
      const stored = chainEvents(JSON.parse(msg.events) as AuditEvent[], msg.chainId, msg.head);
      await db.query(AUDIT_COPY_SQL, [], { blob: new Blob([auditBatchCopyText(stored)]) });
      const last = stored.at(-1)!;
      return { id: msg.id, ok: true, rows: [{ seq: last.seq, hash: last.hash }], rowCount: stored.length };
    }
    case 'end': {
      const t = open.get(msg.tx);
      if (!t) throw new Error(`transaction ${msg.tx} is not open`);
      t.end(msg.commit);
      try {
        await t.settled();
      } catch (e) {
        if (e !== ROLLBACK) throw e;
      }
      return done(msg.id);
    }
  }
}

/** Answers `begin` once BEGIN has run, i.e. once this transaction holds the connection. */
function begin(port: Port, open: Map<number, OpenTx>, id: number, txId: number): void {
  let began = false;
  const settled = db.transaction(async (tx) => {
    const commit = await new Promise<boolean>((end) => {
      open.set(txId, { tx, end, settled: () => settled });
      began = true;
      reply(port, done(id));
    });
    open.delete(txId);
    if (!commit) throw ROLLBACK;
  });
  track(
    settled.then(
      () => undefined,
      (e: unknown) => {
        if (!began) reply(port, failed(id, e));
      },
    ),
  );
}

function track(p: Promise<void>): void {
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
}

/** Rolls back transactions the proxies left open, lets queued statements finish, then closes. */
async function close(port: Port, id: number): Promise<void> {
  closing = true;
  for (const open of openTx.values()) for (const t of open.values()) t.end(false);
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  try {
    await db.close();
    reply(port, done(id));
  } catch (e) {
    reply(port, failed(id, e));
  }
  for (const p of openTx.keys()) p.close();
}

/**
 * Serves one client. The parent port's is the owner: only it may close the database or attach
 * other clients (data-plane threads, server/threads.ts), each on a port of its own.
 */
function serve(port: Port, owner: boolean): void {
  const open = new Map<number, OpenTx>();
  openTx.set(port, open);
  port.on('close', () => {
    // A client thread that went away leaves no transaction holding the connection.
    for (const t of open.values()) t.end(false);
    openTx.delete(port);
  });
  port.on('message', (msg: WorkerRequest) => {
    if (closing) {
      reply(port, failed(msg.id, new Error('the embedded database is closing')));
      return;
    }
    if (msg.op === 'close' || msg.op === 'attach') {
      if (!owner) reply(port, failed(msg.id, new Error(`only the owning thread may ${msg.op}`)));
      else if (msg.op === 'close') void close(port, msg.id);
      else {
        serve(msg.port, false);
        reply(port, done(msg.id));
      }
      return;
    }
    if (msg.op === 'begin') {
      begin(port, open, msg.id, msg.tx);
      return;
    }
    track(handle(open, msg).then((r) => reply(port, r), (e: unknown) => reply(port, failed(msg.id, e))));
  });
}

/**
 * PostgreSQL's default buffer pool is 128 MB. Inside PGlite it lives in the WebAssembly memory,
 * whose pages count in the process's RSS once touched and are never given back: under a steady
 * audit load the pool filled over minutes and RSS climbed by steps to a plateau ~100 MB higher
 * (docs/benchmarks.md, session 10). The embedded store appends audit rows and reads a few hot index
 * pages; 16 MB holds that working set, and the files below stay in the OS page cache.
 */
const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB'];

const main = parentPort;
serve(main, true);
try {
  db = await PGlite.create(dbPath, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  // The owner watches this thread's scheduling (thread-priority.ts) by its kernel thread id.
  reply(main, { id: STARTUP_ID, ok: true, rows: [{ tid: currentThreadId() }], rowCount: 1 });
} catch (e) {
  reply(main, failed(STARTUP_ID, e));
  main.close();
}
