/**
 * The messages between the embedded store's proxy (pglite-client.ts, on the request thread) and
 * its worker (pglite-worker.ts, which owns the PGlite instance). Only SQL text, parameters and
 * plain rows cross the port; both go through the structured clone, so Date, bigint and
 * Uint8Array values arrive as they left. Audit batches are the exception: they cross as JSON.
 */

/** `tx: 0` runs outside any transaction; otherwise the id the proxy gave in `begin`. */
export type WorkerRequest =
  | { id: number; op: 'query'; tx: number; sql: string; params: readonly unknown[] | undefined }
  | { id: number; op: 'exec'; tx: number; sql: string }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' }
  /** Serve another client on `port` (transferred): a data-plane thread's own proxy. Owner only. */
  | { id: number; op: 'attach'; port: import('node:worker_threads').MessagePort }
  /**
   * Chain an audit batch after `head` and insert it (audit-repo.ts); the reply's one row is the new
   * head. `events` is the batch as JSON: a string crosses to the worker about three times faster
   * than the structured clone of two hundred event objects, and that copy runs on the request
   * thread (the events are normalized, so the JSON round trip keeps them as they are).
   */
  | { id: number; op: 'auditAppend'; events: string; chainId: string; head: { seq: number; hash: string } };

/** `id: 0` answers the start-up (the database is open, with the worker's thread id as its one row, or could not be opened). */
export type WorkerReply =
  | { id: number; ok: true; rows: unknown[] | undefined; rowCount: number }
  | { id: number; ok: false; error: WireError };

export interface WorkerData {
  /** Absolute path of PGlite's own directory inside the (already locked) data directory. */
  dbPath: string;
}

export const STARTUP_ID = 0;
export const NO_TX = 0;

/**
 * An error as it crosses the port. The PostgreSQL error fields are kept because callers classify
 * errors by SQLSTATE `code` (sql-errors.ts) and log `detail`/`constraint`; the failed query's
 * parameters, which PGlite attaches too, are left behind (they can be a whole audit batch).
 */
export interface WireError {
  name: string;
  message: string;
  fields: Partial<Record<DbErrorField, string>>;
}

const DB_ERROR_FIELDS = [
  'code', 'severity', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine',
] as const;

type DbErrorField = (typeof DB_ERROR_FIELDS)[number];

export function toWireError(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: WireError['fields'] = {};
  for (const f of DB_ERROR_FIELDS) {
    const v = (e as unknown as Record<string, unknown>)[f];
    if (typeof v === 'string') fields[f] = v;
  }
  return { name: e.name, message: e.message, fields };
}

/** The database error on this side of the port: same name, message and PostgreSQL fields. */
export type StoreDbError = Error & WireError['fields'];

export function fromWireError(w: WireError): StoreDbError {
  const e = new Error(w.message) as StoreDbError;
  e.name = w.name;
  Object.assign(e, w.fields);
  return e;
}
