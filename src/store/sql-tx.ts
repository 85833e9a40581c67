/**
 * The SqlClient handed to a transaction callback, for both backends: queries run on the
 * transaction's connection, and a nested `transaction()` becomes a SAVEPOINT so that a repository
 * can be called inside or outside a caller's transaction alike.
 */
import type { QueryResult, SqlClient } from './types.ts';

export interface TxConnection {
  query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  exec(sql: string): Promise<void>;
}

export function txClient(dialect: SqlClient['dialect'], conn: TxConnection, depth = 0): SqlClient {
  return {
    dialect,
    query: (sql, params) => conn.query(sql, params),
    exec: (sql) => conn.exec(sql),
    async transaction(fn) {
      // Savepoint names only ever come from this counter, never from input.
      const name = `rampart_sp_${depth + 1}`;
      await conn.exec(`SAVEPOINT ${name}`);
      try {
        const result = await fn(txClient(dialect, conn, depth + 1));
        await conn.exec(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (e) {
        await conn.exec(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
        throw e;
      }
    },
    close() {
      return Promise.reject(new Error('close() called on a transaction client'));
    },
  };
}
