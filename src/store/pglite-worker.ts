/**
 * The embedded database's own thread. PGlite (PostgreSQL compiled to WebAssembly) runs each
 * statement synchronously: on the request thread a 200-event audit INSERT blocked the event loop
 * for ~7.5 ms (docs/benchmarks.md). Here it blocks only this worker.
 *
 * PGlite is one connection. An open transaction holds it: statements that do not carry its id
 * wait in PGlite's own queue until it ends, as they would for a pool connection, and run in the
 * order they arrived. The proxy (pglite-client.ts) has already taken the data directory's lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { chainEvents } from '../core/audit-hash.ts';
import type { AuditEvent } from '../core/audit-event.ts';
import { AUDIT_INSERT_SQL, auditBatchJson } from './audit-repo.ts';
import { NO_TX, STARTUP_ID, toWireError, type WorkerData, type WorkerReply, type WorkerRequest } from './pglite-protocol.ts';

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
const port = parentPort;
const { dbPath } = workerData as WorkerData;
const open = new Map<number, OpenTx>();
const inFlight = new Set<Promise<void>>();
let db: PGlite;
let closing = false;

function reply(msg: WorkerReply): void {
  try {
    port.postMessage(msg);
  } catch (e) {
    // A row the structured clone cannot copy: answer with the error rather than never.
    port.postMessage({ id: msg.id, ok: false, error: toWireError(e) } satisfies WorkerReply);
  }
}

const done = (id: number): WorkerReply => ({ id, ok: true, rows: undefined, rowCount: 0 });
const failed = (id: number, e: unknown): WorkerReply => ({ id, ok: false, error: toWireError(e) });

function target(tx: number): Pick<PGlite, 'query' | 'exec'> {
  if (tx === NO_TX) return db;
  const t = open.get(tx);
  if (!t) throw new Error(`transaction ${tx} is not open`);
  return t.tx;
}

async function handle(msg: Exclude<WorkerRequest, { op: 'close' | 'begin' }>): Promise<WorkerReply> {
  switch (msg.op) {
    case 'query': {
      const r = await target(msg.tx).query(msg.sql, msg.params ? (msg.params as unknown[]) : undefined);
      return { id: msg.id, ok: true, rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
    }
    case 'exec':
      await target(msg.tx).exec(msg.sql);
      return done(msg.id);
    case 'auditAppend': {
      const stored = chainEvents(JSON.parse(msg.events) as AuditEvent[], msg.chainId, msg.head);
      await db.query(AUDIT_INSERT_SQL, [auditBatchJson(stored)]);
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
function begin(id: number, txId: number): void {
  let began = false;
  const settled = db.transaction(async (tx) => {
    const commit = await new Promise<boolean>((end) => {
      open.set(txId, { tx, end, settled: () => settled });
      began = true;
      reply(done(id));
    });
    open.delete(txId);
    if (!commit) throw ROLLBACK;
  });
  track(
    settled.then(
      () => undefined,
      (e: unknown) => {
        if (!began) reply(failed(id, e));
      },
    ),
  );
}

function track(p: Promise<void>): void {
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
}

/** Rolls back transactions the proxy left open, lets queued statements finish, then closes. */
async function close(id: number): Promise<void> {
  closing = true;
  for (const t of open.values()) t.end(false);
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  try {
    await db.close();
    reply(done(id));
  } catch (e) {
    reply(failed(id, e));
  }
  port.close();
}

port.on('message', (msg: WorkerRequest) => {
  if (closing) {
    reply(failed(msg.id, new Error('the embedded database is closing')));
    return;
  }
  if (msg.op === 'close') {
    void close(msg.id);
    return;
  }
  if (msg.op === 'begin') {
    begin(msg.id, msg.tx);
    return;
  }
  track(handle(msg).then(reply, (e: unknown) => reply(failed(msg.id, e))));
});

try {
  db = await PGlite.create(dbPath);
  reply(done(STARTUP_ID));
} catch (e) {
  reply(failed(STARTUP_ID, e));
  port.close();
}
