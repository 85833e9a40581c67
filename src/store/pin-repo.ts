/**
 * First-seen tool-definition pins. A pin is written once and never overwritten by a request: a
 * concurrent first sighting on another instance loses the race and reads the winner's hash.
 */
import type { PinRepo, SqlClient } from './types.ts';

export class SqlPinRepo implements PinRepo {
  readonly #sql: SqlClient;
  readonly #now: () => number;

  constructor(sql: SqlClient, now: () => number = Date.now) {
    this.#sql = sql;
    this.#now = now;
  }

  async get(key: string): Promise<string | undefined> {
    const r = await this.#sql.query<{ hash: string }>('SELECT hash FROM tool_pins WHERE key = $1', [key]);
    return r.rows[0]?.hash;
  }

  async setIfAbsent(key: string, hash: string): Promise<string> {
    const inserted = await this.#sql.query<{ hash: string }>(
      'INSERT INTO tool_pins (key, hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING hash',
      [key, hash, this.#now()],
    );
    if (inserted.rows[0]) return inserted.rows[0].hash;
    const existing = await this.get(key);
    if (existing === undefined) throw new Error(`tool pin ${key} vanished while it was being set`);
    return existing;
  }

  /** Removes pins whose key starts with `prefix` (an administrator accepting a changed definition). */
  async clear(prefix: string, exact = false): Promise<number> {
    const r = await this.#sql.query(exact ? 'DELETE FROM tool_pins WHERE key = $1' : 'DELETE FROM tool_pins WHERE starts_with(key, $1)', [prefix]);
    return r.rowCount;
  }
}
