/**
 * One session's environment: its file space (session-space.ts), its cgroup (cgroup.ts), and the
 * executions run in them one at a time (so that each one's CPU time and peak memory are its own).
 * File operations do not wait for a running execution: they are safe against it (files.ts).
 */
import { randomBytes } from 'node:crypto';
import { RampartError, isRampartError } from '../../../core/errors.ts';
import { SandboxRunError, type ExecRequest, type ExecResult, type KillReason, type SandboxEnvironment, type SandboxFile, type SandboxLimits } from '../../backend.ts';
import { CODE_FILE, baseEnv, bwrapArgsData, execArgv, interpreterArgv, readyArgv, type ExecCommandSpec, type HostToolPaths } from './args.ts';
import { openEgress, type EgressRecord, type EgressRun } from './egress.ts';
import type { CgroupBase, CgroupCounters, CgroupLimits, SessionCgroup } from './cgroup.ts';
import { deleteSpaceFile, listSpaceFiles, readSpaceFile, writeSpaceFile, type SpaceRef } from './files.ts';
import type { RootfsPlan } from './rootfs.ts';
import { KILL_WAIT_MS, runSandboxed, type RunOutcome } from './run.ts';
import type { HostTools, SessionSpace, SpaceBase } from './session-space.ts';
import { checkExecRequest, type CheckedExec } from './validate.ts';

/** What the backend found and set up on this host, shared by its environments. */
export interface HostContext {
  readonly tools: HostToolPaths & HostTools;
  readonly plan: RootfsPlan;
  readonly spaceBase: SpaceBase;
  readonly cgroupBase: CgroupBase;
  readonly seccomp: Uint8Array;
  readonly uid: number;
  readonly gid: number;
  /** The Python the sandbox runs (a path it sees), or null when there is none. */
  readonly python: string | null;
  /** Host path of the Node binary bound for JavaScript, or null when it cannot be. */
  readonly node: string | null;
  /** Host path of the egress forwarder (in the private directory), or null: no allow-lists. */
  readonly forwarder: string | null;
}

/**
 * Processes of the chain that count against pids.max besides the program's: bwrap (outside) and
 * the namespace's init sh. The egress forwarder, when there is one, is a third (extraPids).
 */
const BWRAP_PROCESSES = 2;

/**
 * The session cgroup's limits. The file space is a tmpfs, and tmpfs pages are charged to the
 * memory cgroup of whoever wrote them, so the memory limit is memory + disk: a full file space
 * does not eat the program's memory, and a session never holds more than both together.
 */
export function cgroupLimits(limits: SandboxLimits, diskBytes: number, extraPids = 0): CgroupLimits {
  return { memoryBytes: limits.memoryBytes + diskBytes, cpus: limits.cpus, pids: limits.pids + BWRAP_PROCESSES + extraPids };
}

const limitsKey = (l: CgroupLimits): string => `${l.memoryBytes}/${l.cpus}/${l.pids}`;

const NOTHING_SEEN: EgressRecord = { network: [], networkDropped: { allowed: 0, refused: 0 } };
const attempted = (seen: EgressRecord): boolean => seen.network.length > 0 || seen.networkDropped.allowed + seen.networkDropped.refused > 0;

/** Why an execution ended, most specific first: what Rampart did, then what the kernel did. */
export function killReason(out: Pick<RunOutcome, 'stoppedBy' | 'exitCode' | 'signal'>, before: CgroupCounters, after: CgroupCounters): KillReason | null {
  if (out.stoppedBy !== null) return out.stoppedBy;
  const failed = out.exitCode !== 0;
  if (failed && after.oomKills > before.oomKills) return 'memory';
  // RLIMIT_FSIZE: the kernel sends SIGXFSZ to a process writing past fileBytes.
  if (out.signal === 'SIGXFSZ') return 'disk';
  if (failed && after.pidsMax > before.pidsMax) return 'pids';
  return null;
}

export class BwrapEnvironment implements SandboxEnvironment {
  readonly id: string;
  readonly #ctx: HostContext;
  readonly #space: SessionSpace;
  readonly #cgroup: SessionCgroup;
  readonly #limits: SandboxLimits;
  readonly #ref: SpaceRef;
  readonly #onGone: (env: BwrapEnvironment) => void;
  #queue: Promise<unknown> = Promise.resolve();
  #current: AbortController | null = null;
  #destroyed: Promise<void> | null = null;
  #broken = false;
  #applied = '';

  private constructor(id: string, ctx: HostContext, space: SessionSpace, cgroup: SessionCgroup, limits: SandboxLimits, onGone: (env: BwrapEnvironment) => void) {
    this.id = id;
    this.#ctx = ctx;
    this.#space = space;
    this.#cgroup = cgroup;
    this.#limits = limits;
    this.#ref = { dir: space.dir, dev: space.dev, uid: ctx.uid, gid: ctx.gid };
    this.#onGone = onGone;
  }

  /** Mounts the file space and creates the cgroup; undoes both when either fails. */
  static async create(ctx: HostContext, id: string, limits: SandboxLimits, onGone: (env: BwrapEnvironment) => void): Promise<BwrapEnvironment> {
    // Both at once: the mount is a process spawn, the cgroup a few file writes.
    const [space, cgroup] = await Promise.allSettled([
      ctx.spaceBase.createSpace(limits.diskBytes),
      ctx.cgroupBase.session(`s-${randomBytes(12).toString('hex')}`).then(async (cg) => {
        try {
          await cg.setLimits(cgroupLimits(limits, limits.diskBytes));
          return cg;
        } catch (e) {
          await cg.remove().catch(() => {});
          throw e;
        }
      }),
    ]);
    if (space.status === 'rejected' || cgroup.status === 'rejected') {
      if (space.status === 'fulfilled') await space.value.destroy().catch(() => {});
      if (cgroup.status === 'fulfilled') await cgroup.value.remove().catch(() => {});
      const cause: unknown = space.status === 'rejected' ? space.reason : (cgroup as PromiseRejectedResult).reason;
      throw new RampartError('RAMPART_INTERNAL', { detail: 'The sandbox environment could not be created.', cause });
    }
    const env = new BwrapEnvironment(id, ctx, space.value, cgroup.value, limits, onGone);
    env.#applied = limitsKey(cgroupLimits(limits, limits.diskBytes));
    return env;
  }

  async #applyLimits(limits: SandboxLimits, extraPids = 0): Promise<void> {
    const l = cgroupLimits(limits, this.#limits.diskBytes, extraPids);
    const key = limitsKey(l);
    if (key === this.#applied) return;
    await this.#cgroup.setLimits(l);
    this.#applied = key;
  }

  #alive(): void {
    if (this.#destroyed !== null) throw new RampartError('RAMPART_CONFLICT', { detail: 'The sandbox session has been destroyed.' });
    if (this.#broken) throw new RampartError('RAMPART_CONFLICT', { detail: 'The sandbox session is unusable: destroy it.' });
  }

  async exec(req: ExecRequest): Promise<ExecResult> {
    const checked = checkExecRequest(req);
    this.#alive();
    if (checked.language === 'python' && this.#ctx.python === null) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'python is not available on this sandbox host.' });
    if (checked.language === 'javascript' && this.#ctx.node === null) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'javascript is not available on this sandbox host.' });
    const run = this.#queue.then(() => this.#exec(checked));
    this.#queue = run.catch(() => {});
    try {
      return await run;
    } catch (e) {
      // Coded errors only: a host-side failure (a cgroup write, the proxy) never leaks its message.
      throw isRampartError(e) ? e : new RampartError('RAMPART_INTERNAL', { detail: 'The execution failed on the host side.', cause: e });
    }
  }

  async #exec(req: CheckedExec): Promise<ExecResult> {
    this.#alive();
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    if (req.signal?.aborted) ac.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    this.#current = ac;
    const ctx = this.#ctx;
    let egress: EgressRun | null = null;
    /** Stops the proxy and takes its record, once; whatever became of the program, before judging it. */
    const finishEgress = async (): Promise<EgressRecord> => {
      const finishing = egress;
      egress = null;
      return finishing === null ? NOTHING_SEEN : await finishing.finish();
    };
    try {
      if (req.allowHosts !== null) {
        if (ctx.python === null || ctx.forwarder === null) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'network allow-lists need Python in the sandbox (the egress forwarder), which this host does not have.' });
        egress = await openEgress({ baseDir: ctx.spaceBase.dir, forwarder: ctx.forwarder, python: ctx.python, uid: ctx.uid, gid: ctx.gid, hosts: req.allowHosts });
      }
      await this.#applyLimits(req.limits, egress === null ? 0 : 1);
      const codePath = CODE_FILE[req.language];
      // READY goes right before the interpreter, after the forwarder: it reports the whole chain up.
      const argv = readyArgv(interpreterArgv(req.language, codePath, { python: ctx.python ?? '', memoryBytes: req.limits.memoryBytes }));
      const spec: ExecCommandSpec = {
        tools: ctx.tools,
        plan: ctx.plan,
        etcDir: ctx.spaceBase.etcDir,
        spaceDir: this.#space.dir,
        uid: ctx.uid,
        gid: ctx.gid,
        procsFiles: this.#cgroup.procsFiles,
        fileBytes: req.limits.fileBytes,
        openFiles: req.limits.openFiles,
        tmpBytes: this.#limits.diskBytes,
        env: { ...baseEnv(), ...req.env },
        argv: egress === null ? argv : egress.wrap(argv),
        codePath,
        nodeBinary: req.language === 'javascript' ? ctx.node : null,
        extraBinds: egress?.binds ?? [],
      };
      const before = await this.#cgroup.counters();
      const peak = await this.#cgroup.trackPeak();
      let out: RunOutcome;
      let after: CgroupCounters;
      let peakBytes: number | null;
      try {
        out = await runSandboxed({ file: ctx.tools.bash, argv: execArgv(spec), bwrapArgs: bwrapArgsData(spec), seccomp: ctx.seccomp, code: req.code, timeoutMs: req.limits.timeoutMs, outputBytes: req.limits.outputBytes, cgroup: this.#cgroup, signal: ac.signal });
        [after, peakBytes] = await Promise.all([this.#cgroup.counters(), peak.read().catch(() => null)]);
      } catch (e) {
        // The program may have run (a cgroup read failed after it): what it tried to reach stays on the record.
        const seen = await finishEgress().catch(() => NOTHING_SEEN);
        if (attempted(seen)) throw new SandboxRunError({ detail: 'The execution failed on the host side.', cause: e }, seen);
        throw isRampartError(e) ? e : new RampartError('RAMPART_INTERNAL', { detail: 'The sandbox could not be started.', cause: e });
      } finally {
        await peak.close().catch(() => {});
      }
      const seen = await finishEgress();
      const stderr = out.stderr.text();
      if (!out.contained) {
        this.#broken = true;
        throw new SandboxRunError({ detail: 'The sandbox processes could not be stopped.' }, seen);
      }
      // The marker is the only sign of a set-up failure: no exit status or stderr text of a program
      // can fake one. An attempt the proxy saw means something ran past the set-up, so it counts too.
      if (!out.started && !attempted(seen) && out.stoppedBy === null) {
        // The sandbox never started: fail visibly rather than report it as the program's error.
        throw new RampartError('RAMPART_INTERNAL', { detail: 'The sandbox could not be started.', cause: new Error(stderr.slice(0, 2000)) });
      }
      const cpuMs = before.cpuNs === null || after.cpuNs === null ? null : Math.max(0, Math.round((after.cpuNs - before.cpuNs) / 1e6));
      return {
        stdout: out.stdout.text(),
        stderr,
        stdoutBytes: out.stdout.bytes,
        stderrBytes: out.stderr.bytes,
        truncated: out.stdout.truncated || out.stderr.truncated,
        exitCode: out.exitCode,
        signal: out.signal,
        durationMs: Math.round(out.durationMs),
        cpuMs,
        peakMemoryBytes: peakBytes,
        killedBy: killReason(out, before, after),
        ...seen,
      };
    } finally {
      // Only when it failed before the run (the proxy has seen nothing then).
      await finishEgress().catch(() => null);
      req.signal?.removeEventListener('abort', onAbort);
      this.#current = null;
    }
  }

  async writeFile(path: string, data: Uint8Array): Promise<SandboxFile> {
    this.#alive();
    return await writeSpaceFile(this.#ref, path, data, this.#limits.fileBytes);
  }

  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    this.#alive();
    return await readSpaceFile(this.#ref, path, maxBytes);
  }

  async listFiles(): Promise<SandboxFile[]> {
    this.#alive();
    return await listSpaceFiles(this.#ref);
  }

  async deleteFile(path: string): Promise<void> {
    this.#alive();
    return await deleteSpaceFile(this.#ref, path);
  }

  destroy(): Promise<void> {
    this.#destroyed ??= (async () => {
      this.#current?.abort();
      await this.#queue;
      const failures: unknown[] = [];
      await this.#cgroup.killAll(KILL_WAIT_MS).catch((e: unknown) => failures.push(e));
      await this.#cgroup.remove().catch((e: unknown) => failures.push(e));
      await this.#space.destroy().catch((e: unknown) => failures.push(e));
      this.#onGone(this);
      if (failures.length > 0) throw new RampartError('RAMPART_INTERNAL', { detail: 'The sandbox session could not be fully removed.', cause: new AggregateError(failures) });
    })();
    return this.#destroyed;
  }
}
