/**
 * Shared pieces of the bwrap backend's tests: one real backend per test file (skipped, with the
 * backend's own reason, only when it reports itself unavailable), small limits so that hostile
 * programs hit them fast, and views of the host that the tests check against (processes of the
 * sandbox user left in this process's sandbox cgroups).
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import type { ExecResult, SandboxBackend, SandboxEnvironment, SandboxLanguage, SandboxLimits } from '../../../src/sandbox/backend.ts';
import { createBwrapBackend, type BwrapBackendOptions } from '../../../src/sandbox/backends/bwrap/index.ts';

export const MiB = 1024 * 1024;

/** Small limits: hostile programs reach them in well under a second. */
export const LIMITS: SandboxLimits = {
  timeoutMs: 5_000,
  memoryBytes: 96 * MiB,
  cpus: 1,
  pids: 32,
  diskBytes: 8 * MiB,
  fileBytes: 4 * MiB,
  openFiles: 64,
  outputBytes: 64 * 1024,
};

export const SANDBOX_UID = 65534;

export interface Harness {
  readonly backend: SandboxBackend;
  /** false when the backend is available, else why the suite is skipped. */
  readonly skip: string | false;
}

/** A backend for one test file; `skip` carries the backend's reason when it is unavailable. */
export async function openHarness(opts: BwrapBackendOptions = {}): Promise<Harness> {
  const backend = createBwrapBackend(opts);
  const s = await backend.status();
  return { backend, skip: s.available ? false : `the bwrap backend is unavailable here: ${s.reason ?? 'no reason given'}` };
}

let sessions = 0;

export async function newSession(h: Harness, limits: SandboxLimits = LIMITS): Promise<SandboxEnvironment> {
  sessions += 1;
  return h.backend.create({ sessionId: `test-${process.pid}-${sessions}`, limits });
}

export function run(env: SandboxEnvironment, language: SandboxLanguage, code: string, limits: Partial<SandboxLimits> = {}, extra: { env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<ExecResult> {
  return env.exec({ language, code, limits: { ...LIMITS, ...limits }, network: { mode: 'none' }, ...extra });
}

/**
 * Host pids of the sandbox user that live in a sandbox cgroup of this test process (its backends
 * name their cgroups rampart-sandbox-<our pid>-...): after an execution there must be none.
 */
export async function leftoverProcesses(): Promise<number[]> {
  const marker = `/rampart-sandbox-${process.pid}-`;
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const [status, cgroup] = await Promise.all([readFile(`/proc/${name}/status`, 'utf8'), readFile(`/proc/${name}/cgroup`, 'utf8')]);
      const uid = /^Uid:\s+([0-9]+)/m.exec(status)?.[1];
      if (Number(uid) === SANDBOX_UID && cgroup.includes(marker)) out.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

/** Host directories of this process's sandbox cgroups (rampart-sandbox-<our pid>-...), in every hierarchy. */
export async function sandboxCgroupDirs(): Promise<string[]> {
  const own = new Map<string, string>();
  for (const line of (await readFile('/proc/self/cgroup', 'utf8')).split('\n')) {
    const m = /^[0-9]+:([^:]*):(.*)$/.exec(line);
    if (m) for (const c of m[1]!.split(',')) own.set(c, m[2]!);
  }
  const out: string[] = [];
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4]!;
    const [fsType, , opts] = post.split(' ');
    const key = fsType === 'cgroup2' ? '' : fsType === 'cgroup' ? opts!.split(',').find((o) => own.has(o) && o !== '') : undefined;
    if (key === undefined) continue;
    const dir = `${mountPoint}${own.get(key) === '/' ? '' : own.get(key)}`;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith(`rampart-sandbox-${process.pid}-`)) out.push(`${dir}/${name}`);
    }
  }
  return out;
}

export const randomToken = (): string => randomBytes(12).toString('hex');

/** Asserts-free helper: the result, compacted for assertion messages. */
export function brief(r: ExecResult): string {
  return JSON.stringify({ exitCode: r.exitCode, signal: r.signal, killedBy: r.killedBy, stdout: r.stdout.slice(0, 400), stderr: r.stderr.slice(0, 400), ms: r.durationMs });
}
