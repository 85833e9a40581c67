import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isRampartError } from '../../src/core/errors.ts';
import { LOCK_FILE, lockDataDir } from '../../src/store/data-dir-lock.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { silent } from '../support/backends.ts';

const run = promisify(execFile);
const isLocked = (e: unknown) => isRampartError(e) && e.code === 'RAMPART_STORE_LOCKED';

/** The pid of a process that has exited (and so can hold no lock). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('embedded data directory lock', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-lock-'));
    store = await openStore({ kind: 'embedded', dataDir: dir }, { logger: silent });
  });
  after(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second open in the same process, naming the pid', async () => {
    await assert.rejects(openStore({ kind: 'embedded', dataDir: dir }, { logger: silent }), (e) => {
      assert.ok(isLocked(e));
      assert.match((e as Error).message, new RegExp(`pid ${process.pid}\\b`));
      return true;
    });
  });

  it('refuses a second process, naming the holder', async () => {
    const script = `
      import { openStore } from ${JSON.stringify(new URL('../../src/store/open-store.ts', import.meta.url).href)};
      import { pino } from 'pino';
      try { await openStore({ kind: 'embedded', dataDir: ${JSON.stringify(dir)} }, { logger: pino({ level: 'silent' }) }); console.log('OPENED'); }
      catch (e) { console.log(e.code, e.message); }
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
    assert.match(stdout, /^RAMPART_STORE_LOCKED .*pid \d+/);
    assert.match(stdout, new RegExp(`pid ${process.pid}\\b`));
  });
});

it('opens a directory whose previous process was killed, with its data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-lock-'));
  try {
    const script = `
      import { openStore } from ${JSON.stringify(new URL('../../src/store/open-store.ts', import.meta.url).href)};
      import { pino } from 'pino';
      const store = await openStore({ kind: 'embedded', dataDir: ${JSON.stringify(dir)} }, { logger: pino({ level: 'silent' }) });
      await store.sql.query("INSERT INTO api_keys (id, name, secret_hash, principal_id, principal_kind, created_at) VALUES ('key_crash', 'k', 'h', 'p', 'app', 1)");
      process.stdout.write('READY');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const store = await openStore({ kind: 'embedded', dataDir: dir }, { logger: silent });
    try {
      assert.equal((await store.keys.get('key_crash'))?.name, 'k');
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('lockDataDir', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-lock-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('releases on close so the directory can be opened again', async () => {
    const lock = await lockDataDir(dir, silent);
    await assert.rejects(lockDataDir(dir, silent), isLocked);
    await lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    await (await lockDataDir(dir, silent)).release();
  });

  it('takes over the lock of a process that is gone', async () => {
    const pid = await deadPid();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), token: 'stale', since: 0 }));
    const lock = await lockDataDir(dir, silent);
    const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
    assert.equal(owner.pid, process.pid);
    await lock.release();
  });

  it('takes over a lock with our own pid that this process never held (a container restarted as pid 1)', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), token: 'left-by-the-crashed-run', since: 0 }));
    const lock = await lockDataDir(dir, silent);
    const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { token: string };
    assert.notEqual(owner.token, 'left-by-the-crashed-run');
    await assert.rejects(lockDataDir(dir, silent), isLocked, 'a lock this process holds is still refused');
    await lock.release();
  });

  it('never takes over a lock held from another host', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-host.example', token: 't', since: 0 }));
    await assert.rejects(lockDataDir(dir, silent), (e) => isLocked(e) && /other-host\.example/.test((e as Error).message));
    await rm(join(dir, LOCK_FILE));
  });

  it('treats a fresh unreadable lock file as held (its writer is starting)', async () => {
    await writeFile(join(dir, LOCK_FILE), '');
    await assert.rejects(lockDataDir(dir, silent), isLocked);
    await rm(join(dir, LOCK_FILE));
  });
});
