/**
 * An exclusive lock on the embedded data directory. PGlite is single-process: two processes on
 * one directory corrupt it, so the second one must fail with RAMPART_STORE_LOCKED naming the
 * holder. A lock left by a process that died (same host, pid gone) is taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RampartError } from '../core/errors.ts';

export const LOCK_FILE = 'rampart.lock';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: number;
}

export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** A half-written lock file (creator crashed between create and write) is stale after this. */
const UNREADABLE_STALE_MS = 10_000;

/** Tokens of the locks this process holds: a second open in this process is still refused. */
const held = new Set<string>();

export async function lockDataDir(dir: string, logger: Logger): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex'), since: Date.now() };
  // A few rounds: each one either creates the file, fails on a live owner, or clears a stale one.
  for (let round = 0; round < 3; round++) {
    if (await tryCreate(path, me)) {
      held.add(me.token);
      return {
        path,
        release: async () => {
          held.delete(me.token);
          await release(path, me.token);
        },
      };
    }
    const seen = await readOwner(path);
    if (seen === 'missing') continue;
    if (seen === 'unreadable') {
      if (!(await olderThan(path, UNREADABLE_STALE_MS))) throw locked(path, 'a starting process');
    } else if (seen.host !== me.host) {
      // Liveness of a pid on another host cannot be checked (shared volume): never steal.
      throw locked(path, `pid ${seen.pid} on host ${seen.host}`);
    } else if (isAlive(seen.pid) && !(seen.pid === process.pid && !held.has(seen.token))) {
      // Our own pid with a token this process never held: a container restarted with the same
      // pid (1) after a crash left its lock behind. That owner is gone.
      throw locked(path, `pid ${seen.pid}`);
    }
    const stalePid = seen === 'unreadable' ? 'unknown' : String(seen.pid);
    if (await takeOverStale(path, seen)) logger.warn({ lock: path, stalePid }, 'took over the lock of a Rampart process that is gone');
  }
  throw locked(path, 'another process (the lock changed hands repeatedly)');
}

async function tryCreate(path: string, me: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(JSON.stringify(me));
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(v.pid) && typeof v.host === 'string' && typeof v.token === 'string') return v as LockOwner;
  } catch {
    // fall through
  }
  return 'unreadable';
}

/**
 * Moves the stale file aside first (rename is atomic), then checks that what was moved is the
 * stale lock just inspected: if another process replaced it in between, it is put back.
 */
async function takeOverStale(path: string, seen: LockOwner | 'unreadable'): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = await readOwner(aside);
  const same = seen === 'unreadable' ? moved === 'unreadable' : typeof moved === 'object' && moved.token === seen.token;
  if (!same) {
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    throw locked(path, typeof moved === 'object' ? `pid ${moved.pid}` : 'another process');
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

async function release(path: string, token: string): Promise<void> {
  const owner = await readOwner(path).catch(() => 'missing' as const);
  if (typeof owner === 'object' && owner.token === token) await unlink(path).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return true;
  }
}

function locked(path: string, holder: string): RampartError {
  return new RampartError('RAMPART_STORE_LOCKED', {
    detail: `${path} is held by ${holder}. Stop that process, or delete the file if it is not running.`,
  });
}
