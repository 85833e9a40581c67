/**
 * Embedded backend: PGlite (PostgreSQL compiled to WebAssembly) in a local data directory, behind
 * an exclusive lock file. PGlite runs one statement at a time; a transaction holds it, so other
 * queries wait until it ends (the same isolation a pool connection would give).
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { RampartError } from '../core/errors.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { txClient, type TxConnection } from './sql-tx.ts';
import type { QueryResult, SqlClient } from './types.ts';

export interface PgliteClientOptions {
  dataDir: string;
  logger: Logger;
}

export async function openPgliteClient(opts: PgliteClientOptions): Promise<SqlClient> {
  const dir = resolve(opts.dataDir);
  // 0700: the directory holds the audit log and key hashes.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dir, opts.logger);
  let db: PGlite;
  try {
    db = await PGlite.create(join(dir, 'pglite'));
  } catch (e) {
    await lock.release();
    throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: `could not open the embedded database in ${dir}`, cause: e });
  }
  opts.logger.info({ dataDir: dir }, 'embedded store opened');
  return new PgliteClient(db, async () => {
    await db.close();
    await lock.release();
  });
}

type Queryable = Pick<PGlite, 'query' | 'exec'>;

function connection(q: Queryable): TxConnection {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params ? [...params] : undefined);
      return { rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}

class PgliteClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  readonly #db: PGlite;
  readonly #conn: TxConnection;
  readonly #shutdown: () => Promise<void>;
  #closed = false;

  constructor(db: PGlite, shutdown: () => Promise<void>) {
    this.#db = db;
    this.#conn = connection(db);
    this.#shutdown = shutdown;
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#conn.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#conn.exec(sql);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#db.transaction((tx) => fn(txClient('pglite', connection(tx))));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#shutdown();
  }
}

function closedError(): RampartError {
  return new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'the store is closed' });
}
