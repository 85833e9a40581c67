/**
 * PostgreSQL backend: a `pg` pool with bounded waits everywhere (connect, statement, idle in
 * transaction), so a slow or dead database turns into a RAMPART_STORE_UNAVAILABLE error instead
 * of a hung request. Connection errors are logged, never thrown at the event loop.
 */
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { RampartError } from '../core/errors.ts';
import { redactUrl, scrubPassword, wrapStoreError } from './sql-errors.ts';
import { txClient, type TxConnection } from './sql-tx.ts';
import type { QueryResult, SqlClient } from './types.ts';

export interface PostgresClientOptions {
  url: string;
  poolSize: number;
  /** Tables live here (search_path); it must exist before the first query that needs it. */
  schema?: string | undefined;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  logger: Logger;
}

/** Client-side guard on top of statement_timeout, for a network that silently drops packets. */
const QUERY_TIMEOUT_GRACE_MS = 5_000;

export function createPostgresClient(opts: PostgresClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    query_timeout: opts.statementTimeoutMs + QUERY_TIMEOUT_GRACE_MS,
    idle_in_transaction_session_timeout: Math.max(60_000, opts.statementTimeoutMs * 2),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'rampart',
    // The schema name matched a strict identifier pattern in the config schema.
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  const safeUrl = redactUrl(opts.url);
  let lastLogged = 0;
  // An idle connection that drops emits 'error' on the pool; unhandled it would crash the process.
  pool.on('error', (err) => {
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    opts.logger.warn({ db: safeUrl, reason: scrubPassword(err.message, opts.url) }, 'PostgreSQL connection lost; it will be reopened on demand');
  });
  return new PostgresClient(pool);
}

function connection(q: Pool | PoolClient): TxConnection {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      try {
        const r = await q.query(sql, params ? [...params] : undefined);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
      } catch (e) {
        throw wrapStoreError(e);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await q.query(sql);
      } catch (e) {
        throw wrapStoreError(e);
      }
    },
  };
}

class PostgresClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly #pool: Pool;
  readonly #conn: TxConnection;
  #closed = false;

  constructor(pool: Pool) {
    this.#pool = pool;
    this.#conn = connection(pool);
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#conn.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#conn.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError();
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw wrapStoreError(e);
    }
    // While checked out the pool does not listen for this client's errors; the failing query
    // rejects anyway, so the event only needs a listener to not crash the process.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    const conn = connection(client);
    try {
      await conn.exec('BEGIN');
      const result = await fn(txClient('postgres', conn));
      await conn.exec('COMMIT');
      return result;
    } catch (e) {
      if (!broken) await conn.exec('ROLLBACK').catch((err: Error) => (broken = err));
      throw e;
    } finally {
      client.off('error', onError);
      // Releasing with an error destroys the connection instead of returning it to the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

function closedError(): RampartError {
  return new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'the store is closed' });
}

/** Opens one connection to fail fast, with a clear error, when the database is unreachable. */
export async function checkPostgres(client: SqlClient, url: string): Promise<void> {
  try {
    await client.query('SELECT 1');
  } catch (e) {
    throw new RampartError('RAMPART_STORE_UNAVAILABLE', {
      detail: `cannot reach PostgreSQL at ${redactUrl(url)}: ${scrubPassword(e instanceof RampartError && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e), url)}`,
      cause: e,
    });
  }
}
