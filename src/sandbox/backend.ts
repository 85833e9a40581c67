/**
 * The execution plane's backend interface (issue 7): a backend creates isolated environments, one
 * per sandbox session, and runs code in them. The OS backend (backends/bwrap/) uses bubblewrap,
 * namespaces, seccomp and cgroups on this machine; a Kubernetes backend (one pod per session under
 * gVisor or Kata) implements the same interface for scale (docs/sandbox.md).
 *
 * Everything a backend returns is about the untrusted program: sizes are capped, text is decoded
 * as UTF-8 with replacement, and nothing of the host (paths, environment) leaks into it.
 */

import { RampartError, type RampartErrorOptions } from '../core/errors.ts';

export type SandboxLanguage = 'python' | 'javascript' | 'shell';

/** Limits of one execution (and of the session's file space). Every field has a secure default in config. */
export interface SandboxLimits {
  /** Wall-clock time of one execution; the whole process tree is killed when it runs out. */
  readonly timeoutMs: number;
  /** Memory of the session's processes together (cgroup), bytes. */
  readonly memoryBytes: number;
  /** CPU share, in cores (0.5 = half a core) (cgroup quota). */
  readonly cpus: number;
  /** Processes and threads at once (cgroup pids). */
  readonly pids: number;
  /** Size of the session's file space (a tmpfs), bytes. */
  readonly diskBytes: number;
  /** Largest file one process may write (RLIMIT_FSIZE), bytes. */
  readonly fileBytes: number;
  /** Open files per process (RLIMIT_NOFILE). */
  readonly openFiles: number;
  /** stdout and stderr are each cut at this many bytes; the rest is discarded (and counted). */
  readonly outputBytes: number;
}

/** Network access of one execution: none (the default), or these hosts through the egress proxy. */
export type SandboxNetwork = { readonly mode: 'none' } | { readonly mode: 'allow-list'; readonly hosts: readonly string[] };

export interface ExecRequest {
  readonly language: SandboxLanguage;
  /** The program text (UTF-8). */
  readonly code: string;
  readonly limits: SandboxLimits;
  readonly network: SandboxNetwork;
  /**
   * Extra environment variables (names [A-Z_][A-Z0-9_]*); the host's environment is never passed.
   * Variables that would make an interpreter load code other than the program (LD_*, NODE_OPTIONS,
   * PYTHON*, BASH_ENV, ...; docs/sandbox.md) and HOME and PATH are refused.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Aborts the execution (the process tree is killed). */
  readonly signal?: AbortSignal;
}

export type KillReason = 'timeout' | 'memory' | 'output' | 'pids' | 'disk' | 'aborted';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Bytes the program wrote to each stream, including what was cut. */
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  readonly truncated: boolean;
  /** Null when killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  /** CPU time used (user + system), ms, when the backend can tell. */
  readonly cpuMs: number | null;
  /** Peak memory of the execution, bytes, when the backend can tell. */
  readonly peakMemoryBytes: number | null;
  /** Why it was stopped, when it was. */
  readonly killedBy: KillReason | null;
  /** Connection attempts the egress proxy saw: allowed and refused hosts. */
  readonly network: readonly { readonly host: string; readonly port: number; readonly allowed: boolean }[];
  /**
   * Attempts the egress proxy saw but `network` does not list: it keeps a bounded number of each
   * kind (refusals under a cap of their own, so allowed traffic never pushes them out) and only
   * counts the rest. Both 0 when nothing was left out.
   */
  readonly networkDropped: { readonly allowed: number; readonly refused: number };
}

/**
 * RAMPART_INTERNAL for an execution that failed on the host side after its program ran (its
 * processes could not be stopped): what the egress proxy saw still reaches the record and the
 * detections.
 */
export class SandboxRunError extends RampartError {
  readonly network: ExecResult['network'];
  readonly networkDropped: ExecResult['networkDropped'];

  constructor(options: RampartErrorOptions, seen: Pick<ExecResult, 'network' | 'networkDropped'>) {
    super('RAMPART_INTERNAL', options);
    this.network = seen.network;
    this.networkDropped = seen.networkDropped;
  }
}

export interface SandboxFile {
  /** Relative to the session's file space, POSIX separators. */
  readonly path: string;
  readonly bytes: number;
  readonly modifiedAt: number;
}

/** One session's isolated environment. Destroyed with everything in it. */
export interface SandboxEnvironment {
  readonly id: string;
  exec(req: ExecRequest): Promise<ExecResult>;
  /** Writes a file into the session's file space (no symlink is followed; parents are created). */
  writeFile(path: string, data: Uint8Array): Promise<SandboxFile>;
  /** Reads a regular file of the session's file space; refuses symlinks, devices, paths outside. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  listFiles(): Promise<SandboxFile[]>;
  deleteFile(path: string): Promise<void>;
  /** Kills every process and removes the file space. Idempotent. */
  destroy(): Promise<void>;
}

export interface BackendStatus {
  readonly available: boolean;
  /** Why not, when not (named in /readyz and at start-up). */
  readonly reason: string | null;
  /** What the backend enforces on this machine, e.g. { seccomp: true, cgroup: 'v1', userns: true }. */
  readonly features: Readonly<Record<string, string | boolean>>;
}

export interface SandboxBackend {
  readonly id: string;
  /** Probes the machine once; cheap to call again (cached). */
  status(): Promise<BackendStatus>;
  /** A new environment with its file space of `limits.diskBytes`. */
  create(opts: { readonly sessionId: string; readonly limits: SandboxLimits }): Promise<SandboxEnvironment>;
  close(): Promise<void>;
}
