/**
 * The OS-level sandbox backend (issue 7): bubblewrap, every namespace, a seccomp filter, cgroups,
 * rlimits, a tmpfs per session, code run as an unprivileged user. docs/sandbox.md explains what is
 * enforced and how.
 *
 * Start-up: the first status() (or create()) probes the machine once and sets up Rampart's cgroup
 * and private directory; the outcome is cached. When anything is missing the backend says exactly
 * what (status().reason) and create() refuses: it never runs code with less isolation than it
 * claims.
 *
 *   const backend = createBwrapBackend({ logger });
 *   const s = await backend.status(); // { available: true, features: { cgroup: 'v1', ... } }
 *   const env = await backend.create({ sessionId: 'sbx_1', limits });
 *   const r = await env.exec({ language: 'python', code: 'print(1)', limits, network: { mode: 'none' } });
 */
import { tmpdir } from 'node:os';
import { isAbsolute, normalize } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { RampartError } from '../../../core/errors.ts';
import type { BackendStatus, SandboxBackend, SandboxEnvironment, SandboxLimits } from '../../backend.ts';
import { CgroupBase, detectCgroups, removeStaleCgroups } from './cgroup.ts';
import { installForwarder } from './egress.ts';
import { BwrapEnvironment, type HostContext } from './environment.ts';
import { readMountinfo } from './mountinfo.ts';
import { probeHost, userNamespaceHint } from './probe.ts';
import { hostRootfs, visibleInSandbox, worldReachable, worldSearchable } from './rootfs.ts';
import { seccompFilter } from './seccomp.ts';
import { SpaceBase, removeStaleSpaces } from './session-space.ts';
import { checkLimits, checkSessionId } from './validate.ts';

export interface BwrapBackendOptions {
  /**
   * Host user and group sandboxed code runs as, and that owns the file spaces. Default 65534
   * (nobody). A uid that nothing else on the machine uses is better: processes and files of that
   * user elsewhere on the host are then nobody's business but the sandbox's.
   */
  readonly uid?: number;
  readonly gid?: number;
  /** Directory in which the backend creates its private directory. Default: os.tmpdir(). */
  readonly tmpDir?: string;
  /** A cgroup path (e.g. /rampart.slice/sandbox) below which Rampart's cgroup goes. Default: Rampart's own cgroup. */
  readonly cgroupParent?: string;
  readonly bwrapPath?: string;
  /** The Python to run (it must live in /usr, which the sandbox sees). Default /usr/bin/python3. */
  readonly pythonPath?: string;
  /** The Node binary for JavaScript. Default: the one running Rampart (process.execPath). */
  readonly nodePath?: string;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

interface Resolved {
  readonly uid: number;
  readonly gid: number;
  readonly tmpDir: string;
  readonly cgroupParent: string | null;
  readonly bwrapPath: string;
  readonly pythonPath: string;
  readonly nodePath: string;
}

/** Limits of the start-up trial run. */
const PROBE_LIMITS: SandboxLimits = {
  timeoutMs: 10_000,
  memoryBytes: 64 * 1024 * 1024,
  cpus: 1,
  pids: 16,
  diskBytes: 1024 * 1024,
  fileBytes: 64 * 1024,
  openFiles: 64,
  outputBytes: 64 * 1024,
};

const badOption = (detail: string): RampartError => new RampartError('RAMPART_CONFIG_INVALID', { detail: `sandbox (bwrap): ${detail}` });

function resolveOptions(o: BwrapBackendOptions): Resolved {
  const id = (v: number | undefined, name: string): number => {
    const x = v ?? 65534;
    if (!Number.isInteger(x) || x <= 0 || x >= 2 ** 32 - 1) throw badOption(`${name} must be an integer id other than 0 (root).`);
    return x;
  };
  const abs = (v: string | undefined, fallback: string, name: string): string => {
    const p = v ?? fallback;
    if (typeof p !== 'string' || !isAbsolute(p) || p.includes('\0')) throw badOption(`${name} must be an absolute path.`);
    return normalize(p);
  };
  if (typeof o.cgroupParent === 'string' && o.cgroupParent.split('/').includes('..')) throw badOption('cgroupParent must not contain "..".');
  const cgroupParent = o.cgroupParent === undefined ? null : abs(o.cgroupParent, '/', 'cgroupParent');
  return {
    uid: id(o.uid, 'uid'),
    gid: id(o.gid, 'gid'),
    tmpDir: abs(o.tmpDir, tmpdir(), 'tmpDir'),
    cgroupParent,
    bwrapPath: abs(o.bwrapPath, '/usr/bin/bwrap', 'bwrapPath'),
    pythonPath: abs(o.pythonPath, '/usr/bin/python3', 'pythonPath'),
    nodePath: abs(o.nodePath, process.execPath, 'nodePath'),
  };
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The errno code of a failure (EACCES, EBUSY...), for reasons that must not carry host paths. */
const errnoOf = (e: unknown): string => {
  const direct = (e as NodeJS.ErrnoException).code;
  const cause = ((e as { cause?: unknown }).cause as NodeJS.ErrnoException | undefined)?.code;
  return direct ?? cause ?? 'error';
};

type Ready = { readonly status: BackendStatus; readonly ctx: HostContext | null };

interface Trial {
  /** Why the sandbox cannot run code at all, or null. */
  readonly failure: string | null;
  readonly python: boolean;
  readonly javascript: boolean;
}

/**
 * Runs a trivial program through the whole chain and checks it ran as it must: the sandbox user,
 * seccomp on, no_new_privs. Then each interpreter once, so that `features` only claims languages
 * that actually start in the sandbox (a Node binary may need libraries the sandbox does not see).
 */
async function trialRun(ctx: HostContext): Promise<Trial> {
  const env = await BwrapEnvironment.create(ctx, 'rampart-probe', PROBE_LIMITS, () => {});
  const runs = (language: 'python' | 'javascript', code: string) =>
    env.exec({ language, code, limits: PROBE_LIMITS, network: { mode: 'none' } }).then(
      (r) => r.exitCode === 0 && r.stdout === 'ok\n',
      () => false,
    );
  try {
    const r = await env.exec({ language: 'shell', code: 'id -u; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status', limits: PROBE_LIMITS, network: { mode: 'none' } });
    const lines = r.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    const fail = (failure: string): Trial => ({ failure, python: false, javascript: false });
    if (r.exitCode !== 0) return fail(`bwrap could not run a trivial program (exit ${r.exitCode ?? r.signal}): ${r.stderr.split('\n')[0]?.slice(0, 300) ?? ''}`);
    if (lines[0] !== String(ctx.uid)) return fail(`the trial program did not run as uid ${ctx.uid}`);
    if (!lines.includes('NoNewPrivs: 1') || !lines.includes('Seccomp: 2')) return fail('the trial program did not run under the seccomp filter with no_new_privs');
    return {
      failure: null,
      python: ctx.python !== null && (await runs('python', 'print("ok")')),
      javascript: ctx.node !== null && (await runs('javascript', 'process.stdout.write("ok\\n")')),
    };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const why = cause instanceof Error ? cause.message.split('\n')[0] : e instanceof Error ? e.message : String(e);
    return { failure: `bwrap could not run a trivial program: ${why?.slice(0, 300)}${await userNamespaceHint()}`, python: false, javascript: false };
  } finally {
    await env.destroy().catch(() => {});
  }
}

async function prepare(o: Resolved, log: BwrapBackendOptions['logger']): Promise<Ready> {
  const unavailable = (reason: string, features: Record<string, string | boolean> = {}): Ready => {
    log?.warn({ reason }, 'sandbox backend bwrap is unavailable: code will not run');
    return { status: { available: false, reason, features }, ctx: null };
  };
  const probe = await probeHost({ bwrapPath: o.bwrapPath });
  if (!probe.ok) return unavailable(probe.reason);
  const { facts } = probe;
  const features: Record<string, string | boolean> = { bwrap: facts.bwrapVersion, arch: facts.arch, userns: true, seccomp: true, uid: String(o.uid) };

  const [mounts, procCgroup] = await Promise.all([readMountinfo(), readFile('/proc/self/cgroup', 'utf8')]);
  const detected = await detectCgroups(mounts, procCgroup, o.cgroupParent);
  if ('reason' in detected) return unavailable(detected.reason, features);
  features.cgroup = detected.layout.version;
  if (detected.layout.version === 'v1') features.freezer = detected.layout.parents.freezer !== null;

  if (!(await worldSearchable(o.tmpDir))) {
    return unavailable('tmpDir is not searchable by other users: bwrap runs as the sandbox user and must reach the session directories in it (use a directory of mode 0711 or 0755 on the way, like /tmp)', features);
  }
  const staleSpaces = await removeStaleSpaces(o.tmpDir, facts.tools, isAlive);
  const staleCgroups = await removeStaleCgroups(detected.layout, isAlive);
  if (staleSpaces.length + staleCgroups.length > 0) log?.info({ staleSpaces, staleCgroups }, 'removed what a crashed sandbox backend left behind');

  // Reasons may reach clients (/readyz, RAMPART_SANDBOX_UNAVAILABLE): host paths go to the log only.
  let cgroupBase: CgroupBase;
  try {
    cgroupBase = await CgroupBase.create(detected.layout);
  } catch (e) {
    log?.warn({ err: e }, 'cannot create the sandbox cgroup');
    const busy = detected.layout.version === 'v2' && /cannot enable/.test(String((e as Error).message));
    return unavailable(busy ? 'cgroup v2: Rampart\'s cgroup holds processes, so it cannot hand the memory, pids and cpu controllers down; set cgroupParent to a delegated cgroup without processes' : `cannot create Rampart's cgroup (${errnoOf(e)})`, features);
  }
  let spaceBase: SpaceBase;
  try {
    spaceBase = await SpaceBase.create(o.tmpDir, facts.tools, o.uid, o.gid);
  } catch (e) {
    log?.warn({ err: e }, 'cannot create the sandbox directory');
    await cgroupBase.remove().catch(() => {});
    return unavailable(`cannot create the private directory in tmpDir (${errnoOf(e)})`, features);
  }
  const plan = await hostRootfs();
  const python = (await visibleInSandbox(plan, o.pythonPath)) ? o.pythonPath : null;
  const node = (await worldReachable(o.nodePath)) ? o.nodePath : null;
  const forwarder = python === null ? null : await installForwarder(spaceBase.dir);
  const probeCtx: HostContext = { tools: facts.tools, plan, spaceBase, cgroupBase, seccomp: seccompFilter(facts.arch), uid: o.uid, gid: o.gid, python, node, forwarder };
  const trial = await trialRun(probeCtx);
  if (trial.failure !== null) {
    await cgroupBase.remove().catch(() => {});
    await spaceBase.remove().catch(() => {});
    return unavailable(trial.failure.replaceAll(spaceBase.dir, '<private directory>'), features);
  }
  // Only what started in the trial is offered.
  const ctx: HostContext = { ...probeCtx, python: trial.python ? python : null, node: trial.javascript ? node : null, forwarder: trial.python ? forwarder : null };
  Object.assign(features, { python: ctx.python !== null, javascript: ctx.node !== null, shell: true, network: ctx.forwarder === null ? 'none' : 'none, allow-list (egress proxy)' });
  return { status: { available: true, reason: null, features }, ctx };
}

export function createBwrapBackend(opts: BwrapBackendOptions = {}): SandboxBackend {
  const o = resolveOptions(opts);
  const log = opts.logger;
  const envs = new Set<BwrapEnvironment>();
  let ready: Promise<Ready> | null = null;
  let closed = false;
  const init = (): Promise<Ready> => (ready ??= prepare(o, log).catch((e: unknown) => ({ status: { available: false, reason: `the probe failed: ${(e as Error).message}`, features: {} }, ctx: null })));

  return {
    id: 'bwrap',
    status: async () => (await init()).status,
    async create({ sessionId, limits }): Promise<SandboxEnvironment> {
      const id = checkSessionId(sessionId);
      const checked = checkLimits(limits);
      if (closed) throw new RampartError('RAMPART_NOT_READY', { detail: 'The sandbox backend is closed.' });
      const r = await init();
      if (r.ctx === null) throw new RampartError('RAMPART_NOT_READY', { detail: `The sandbox backend is unavailable: ${r.status.reason ?? 'unknown'}.` });
      const env = await BwrapEnvironment.create(r.ctx, id, checked, (e) => envs.delete(e));
      envs.add(env);
      if (closed) {
        await env.destroy().catch(() => {});
        throw new RampartError('RAMPART_NOT_READY', { detail: 'The sandbox backend is closed.' });
      }
      return env;
    },
    async close(): Promise<void> {
      closed = true;
      if (ready === null) return;
      const r = await ready;
      await Promise.allSettled([...envs].map((e) => e.destroy()));
      if (r.ctx !== null) {
        await r.ctx.cgroupBase.remove().catch((e: unknown) => log?.warn({ err: e }, 'sandbox cgroup not removed'));
        await r.ctx.spaceBase.remove().catch((e: unknown) => log?.warn({ err: e }, 'sandbox directory not removed'));
      }
    },
  };
}
