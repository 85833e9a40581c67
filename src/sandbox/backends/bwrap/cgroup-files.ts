/**
 * Small helpers over cgroupfs files: every read and write of the cgroup code goes through them,
 * so errors carry the file name (never shown to clients) and parsing is in one place.
 */
import { readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function writeValue(dir: string, file: string, value: string | number): Promise<void> {
  try {
    await writeFile(join(dir, file), String(value));
  } catch (e) {
    throw new Error(`cgroup: cannot write ${value} to ${join(dir, file)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
}

export async function readText(dir: string, file: string): Promise<string | null> {
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch {
    return null;
  }
}

export async function readNumber(dir: string, file: string): Promise<number | null> {
  const t = await readText(dir, file);
  if (t === null) return null;
  const n = Number(t.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : null;
}

/** A `key value` line of a flat keyed file (memory.events, pids.events, cpu.stat, memory.oom_control). */
export async function readKeyed(dir: string, file: string, key: string): Promise<number | null> {
  const t = await readText(dir, file);
  if (t === null) return null;
  for (const line of t.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key && v !== undefined) {
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    }
  }
  return null;
}

export async function readPids(dir: string): Promise<number[]> {
  const t = await readText(dir, 'cgroup.procs');
  if (t === null) return [];
  return t
    .split('\n')
    .filter((l) => /^[0-9]+$/.test(l))
    .map(Number);
}

/** Polls `cgroup.procs` of `dir` until it is empty; false when `timeoutMs` passed first. */
export async function waitEmpty(dir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if ((await readPids(dir)).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** rmdir of a cgroup, retried while the kernel still counts exiting tasks (EBUSY). Missing is fine. */
export async function removeCgroupDir(dir: string, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() >= deadline) throw new Error(`cgroup: cannot remove ${dir}: ${code ?? String(e)}`, { cause: e });
      await sleep(delay);
    }
  }
}

/** Child directories of a cgroup (its sub-cgroups). */
export async function childCgroups(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
