/**
 * Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order, each in its own
 * transaction together with the row recording it in `rampart_migrations`. Instances starting
 * together on one PostgreSQL serialize on a transaction-scoped advisory lock and re-check under
 * it, so no migration is applied twice.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { RampartError } from '../core/errors.ts';
import { isUnavailable } from './sql-errors.ts';
import type { SqlClient } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the SQL text, recorded to notice a migration edited after it shipped. */
  checksum: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const m = FILE_NAME.exec(file);
    if (!m) throw migrationError(`${file}: name must look like 0001_initial.sql`);
    const sql = await readFile(new URL(file, dir), 'utf8');
    const version = Number(m[1]);
    if (version !== migrations.length + 1) throw migrationError(`${file}: expected version ${migrations.length + 1}`);
    migrations.push({ version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export interface MigrateOptions {
  logger: Logger;
  /** Created (if missing) before anything else; the client's search_path must point at it. */
  schema?: string | undefined;
  migrations?: readonly Migration[];
}

/** Applies pending migrations; returns the versions applied by this call. */
export async function migrate(sql: SqlClient, opts: MigrateOptions): Promise<number[]> {
  const migrations = opts.migrations ?? (await loadMigrations());
  const lockKey = `rampart.migrate:${opts.schema ?? ''}`;
  const prepare = async (tx: SqlClient) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    // The identifier matched a strict pattern in the config schema: safe to interpolate.
    if (opts.schema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS rampart_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
  };

  const applied = new Map<number, string>();
  await run('preparing the migrations table', () =>
    sql.transaction(async (tx) => {
      await prepare(tx);
      const r = await tx.query<{ version: number; checksum: string }>('SELECT version, checksum FROM rampart_migrations');
      for (const row of r.rows) applied.set(Number(row.version), row.checksum);
    }),
  );
  for (const m of migrations) {
    const checksum = applied.get(m.version);
    if (checksum !== undefined && checksum !== m.checksum) {
      opts.logger.warn({ migration: `${m.version}_${m.name}` }, 'an applied migration was edited since; the database keeps the old version');
    }
  }
  const newest = Math.max(0, ...applied.keys());
  if (newest > migrations.length) {
    opts.logger.warn({ databaseVersion: newest, knownVersion: migrations.length }, 'the database schema is newer than this Rampart version');
  }

  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    const label = `migration ${String(m.version).padStart(4, '0')}_${m.name}`;
    // On an upgrade, said before it runs: one that rebuilds indexes on a large audit log takes a
    // while. (A new database's migrations run on empty tables.)
    if (applied.size > 0) opts.logger.info({ migration: label }, 'applying migration');
    const didApply = await run(label, () =>
      sql.transaction(async (tx) => {
        await prepare(tx);
        // Another instance may have applied it while this one waited for the lock.
        const again = await tx.query('SELECT 1 FROM rampart_migrations WHERE version = $1', [m.version]);
        if (again.rows.length > 0) return false;
        await tx.exec(m.sql);
        await tx.query('INSERT INTO rampart_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [
          m.version,
          m.name,
          m.checksum,
          Date.now(),
        ]);
        return true;
      }),
    );
    if (didApply) {
      done.push(m.version);
      opts.logger.info({ migration: label }, 'migration applied');
    }
  }
  return done;
}

async function run<T>(label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RampartError || isUnavailable(e)) throw e;
    throw migrationError(`${label}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

function migrationError(detail: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_STORE_MIGRATION_FAILED', { detail, cause });
}
