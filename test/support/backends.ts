/**
 * Real backends for tests: a fresh PGlite directory, a fresh PostgreSQL schema, a random Redis
 * key prefix. Tests of PostgreSQL and Redis are skipped, with the reason, when those do not
 * answer (override the addresses with RAMPART_TEST_PG_URL / RAMPART_TEST_REDIS_URL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';

export const PG_URL = process.env.RAMPART_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.RAMPART_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const silent = pino({ level: 'silent' });

/** A logger at `info` that keeps each line it writes, parsed, in `lines` (for tests that read the log). */
export function capturingLogger<Line = Record<string, unknown>>(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) }), lines };
}

export function randomName(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** `false` when PostgreSQL answers, else the reason to skip. */
export async function postgresSkipReason(): Promise<string | false> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return false;
  } catch {
    return `PostgreSQL not reachable at ${new URL(PG_URL).host} (set RAMPART_TEST_PG_URL)`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `false` when Redis answers, else the reason to skip. */
export async function redisSkipReason(): Promise<string | false> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return false;
  } catch {
    return `Redis not reachable at ${new URL(REDIS_URL).host} (set RAMPART_TEST_REDIS_URL)`;
  } finally {
    redis.disconnect();
  }
}

export interface TestStore {
  store: Store;
  /** Opens another Store on the same database (PostgreSQL only: PGlite is single-process). */
  reopen?: () => Promise<Store>;
  schema?: string;
  cleanup(): Promise<void>;
}

export async function openPgliteTestStore(): Promise<TestStore & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-test-'));
  const store = await openStore({ kind: 'embedded', dataDir: dir }, { logger: silent });
  return {
    store,
    dir,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function postgresConfig(schema: string, overrides: { url?: string } = {}) {
  return {
    kind: 'postgres' as const,
    url: overrides.url ?? PG_URL,
    poolSize: 5,
    schema,
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 10_000,
  };
}

/** A Store on its own fresh schema, dropped by cleanup(). */
export async function openPostgresTestStore(): Promise<TestStore> {
  const schema = randomName('rampart_test_');
  const opened: Store[] = [];
  const open = async () => {
    const s = await openStore(postgresConfig(schema), { logger: silent });
    opened.push(s);
    return s;
  };
  const store = await open();
  return {
    store,
    schema,
    reopen: open,
    async cleanup() {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes every key under `prefix` (SCAN, not KEYS, to not block a shared Redis). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
