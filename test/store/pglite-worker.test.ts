/**
 * The embedded store runs PGlite in a worker thread. What must hold across the thread boundary:
 * the request thread stays free during a statement, a transaction still holds the one
 * connection, errors keep their SQLSTATE, and a dead worker fails calls visibly.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isRampartError } from '../../src/core/errors.ts';
import { LOCK_FILE, lockDataDir } from '../../src/store/data-dir-lock.ts';
import { attachedPgliteClient, openPgliteClient, PgliteClient, startPgliteWorker } from '../../src/store/pglite-client.ts';
import { isDataException, isUniqueViolation } from '../../src/store/sql-errors.ts';
import type { SqlClient } from '../../src/store/types.ts';
import { silent } from '../support/backends.ts';

const run = promisify(execFile);
const isUnavailable = (e: unknown) => isRampartError(e) && e.code === 'RAMPART_STORE_UNAVAILABLE';
/** About half a second of work inside PGlite on this machine. */
const SLOW_QUERY = 'SELECT count(*)::int AS n FROM generate_series(1, 3000000)';

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-pglite-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('embedded store in a worker thread', () => {
  let dir: string;
  let sql: SqlClient;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-pglite-'));
    sql = await openPgliteClient({ dataDir: dir, logger: silent });
    await sql.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  });
  after(async () => {
    await sql?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the event loop free while a statement runs', async () => {
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      assert.equal((await sql.query<{ n: number }>(SLOW_QUERY)).rows[0]!.n, 3_000_000);
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    assert.ok(took > 100, `the statement took only ${took.toFixed(0)} ms: too short to tell`);
    assert.ok(maxGap < took / 2, `timers stalled for ${maxGap.toFixed(0)} ms during a ${took.toFixed(0)} ms statement`);
  });

  it('holds the connection for a transaction: a statement from outside waits for the commit', async () => {
    let outside: Promise<number> | undefined;
    let outsideDone = false;
    await sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['held', 1]);
      outside = sql.query<{ c: number }>("SELECT count(*)::int AS c FROM t WHERE id = 'held'").then((r) => {
        outsideDone = true;
        return r.rows[0]!.c;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(outsideDone, false, 'a statement outside the transaction ran while it was open');
      await tx.query("UPDATE t SET n = 2 WHERE id = 'held'");
    });
    assert.equal(await outside, 1);
    assert.equal((await sql.query<{ n: number }>("SELECT n FROM t WHERE id = 'held'")).rows[0]!.n, 2);
  });

  it('rolls back on throw, savepoints included, and frees the connection for the next caller', async () => {
    await assert.rejects(
      sql.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['rolled-back', 1]);
        await tx.transaction(async (nested) => nested.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['nested', 1]));
        throw new Error('abort');
      }),
      /abort/,
    );
    const r = await sql.query("SELECT id FROM t WHERE id IN ('rolled-back', 'nested')");
    assert.equal(r.rowCount, 0);
  });

  it('keeps SQLSTATE codes and messages, so errors are classified as before', async () => {
    await sql.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['dup', 1]);
    await assert.rejects(sql.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['dup', 1]), (e) => {
      assert.ok(isUniqueViolation(e));
      assert.equal((e as { constraint?: string }).constraint, 't_pkey');
      return true;
    });
    await assert.rejects(sql.query('SELECT 1/0'), (e) => {
      assert.ok(isDataException(e));
      assert.equal((e as { code?: string }).code, '22012');
      assert.match((e as Error).message, /division by zero/);
      return true;
    });
    // The connection is usable after a failed statement.
    assert.equal((await sql.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
  });

  it('serves another thread on an attached port: same data, its own transactions, no power to close', async () => {
    const owner = sql as PgliteClient;
    const other = attachedPgliteClient(await owner.attach(), silent);
    await other.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['from-other', 7]);
    assert.equal((await sql.query<{ n: number }>("SELECT n FROM t WHERE id = 'from-other'")).rows[0]!.n, 7);
    // Both proxies number their transactions from 1: the worker keeps them apart.
    await Promise.all([
      sql.transaction(async (tx) => tx.query("UPDATE t SET n = n + 1 WHERE id = 'from-other'")),
      other.transaction(async (tx) => tx.query("UPDATE t SET n = n + 10 WHERE id = 'from-other'")),
    ]);
    assert.equal((await other.query<{ n: number }>("SELECT n FROM t WHERE id = 'from-other'")).rows[0]!.n, 18);
    // Closing the attached proxy leaves the database open for the owner.
    await other.close();
    await assert.rejects(other.query('SELECT 1'), isUnavailable);
    assert.equal((await sql.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
  });

  it('rolls back what an attached thread left open when its port closes', async () => {
    const port = await (sql as PgliteClient).attach();
    const other = attachedPgliteClient(port, silent);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const left = other.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['left-open', 1]);
      release();
      await new Promise(() => undefined); // the thread "dies" inside its transaction
    });
    left.catch(() => undefined);
    await hold;
    port.close();
    // The owner gets the connection back, and the insert was rolled back.
    assert.equal((await sql.query("SELECT id FROM t WHERE id = 'left-open'")).rowCount, 0);
  });

  it('refuses attach on an attached proxy, and close from one', async () => {
    const port = await (sql as PgliteClient).attach();
    const other = attachedPgliteClient(port, silent);
    await assert.rejects(other.attach(), /only the proxy that opened/);
    // A raw close request on the attached port is refused by the worker.
    const answer = new Promise<{ ok: boolean }>((resolve) => port.once('message', resolve));
    port.postMessage({ op: 'close', id: 99 });
    assert.equal((await answer).ok, false);
    assert.equal((await sql.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    await other.close();
  });

  it('passes parameters and rows through unchanged: bigint text, bytes, JSON, timestamps', async () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const r = await sql.query<{ b: Uint8Array; j: unknown; ts: Date; big: number | string }>(
      "SELECT $1::bytea AS b, $2::jsonb AS j, to_timestamp(0) AS ts, '9007199254740993'::text AS big",
      [bytes, JSON.stringify({ a: [1, 'x'] })],
    );
    const row = r.rows[0]!;
    assert.deepEqual(new Uint8Array(row.b), bytes);
    assert.deepEqual(row.j, { a: [1, 'x'] });
    assert.equal(row.ts.getTime(), 0);
    assert.equal(row.big, '9007199254740993');
  });
});

it('fails waiting and later calls with RAMPART_STORE_UNAVAILABLE when the worker dies, and close() releases the lock', async () => {
  await withDir(async (dir) => {
    const lock = await lockDataDir(dir, silent);
    const worker = startPgliteWorker(join(dir, 'pglite'));
    const sql = new PgliteClient(worker, lock, silent);
    await sql.opened;
    const waiting = sql.query(SLOW_QUERY);
    // From the proxy's side, a crash is the worker stopping without being asked to.
    await worker.terminate();
    await assert.rejects(waiting, isUnavailable);
    await assert.rejects(sql.query('SELECT 1'), isUnavailable);
    await assert.rejects(sql.transaction(async () => undefined), isUnavailable);
    await sql.close();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });
});

it('close() lets queued statements finish, then refuses new ones and frees the directory', async () => {
  await withDir(async (dir) => {
    const sql = await openPgliteClient({ dataDir: dir, logger: silent });
    await sql.exec('CREATE TABLE kept (n INTEGER)');
    const queued = [sql.query(SLOW_QUERY), sql.query('INSERT INTO kept VALUES (1)')];
    await sql.close();
    assert.equal((await queued[0]!).rows.length, 1);
    await queued[1];
    await assert.rejects(sql.query('SELECT 1'), isUnavailable);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    // The write before close() was persisted.
    const again = await openPgliteClient({ dataDir: dir, logger: silent });
    try {
      assert.equal((await again.query('SELECT n FROM kept')).rowCount, 1);
    } finally {
      await again.close();
    }
  });
});

it('keeps a process alive while it waits for an answer, and lets it exit when idle', async () => {
  await withDir(async (dir) => {
    // No close(): a CLI command that forgets it must still end, and must not end before its answer.
    const script = `
      import { openPgliteClient } from ${JSON.stringify(new URL('../../src/store/pglite-client.ts', import.meta.url).href)};
      import { pino } from 'pino';
      const sql = await openPgliteClient({ dataDir: ${JSON.stringify(dir)}, logger: pino({ level: 'silent' }) });
      const r = await sql.query('SELECT count(*)::int AS n FROM generate_series(1, 1000000)');
      console.log('ANSWER', r.rows[0].n);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 60_000 });
    assert.match(stdout, /ANSWER 1000000/);
  });
});
