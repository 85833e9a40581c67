/**
 * One execution's process: spawn the chain (args.ts), feed it the seccomp program, the code and
 * bwrap's options, read whether it handed over to the program (the set-up marker), capture output
 * with caps, stop it on timeout, output flood or abort, and make sure that nothing it started is
 * left when this returns.
 *
 * Stopping: SIGKILL to bwrap (Rampart's child). The sandbox's init, pid 1 of its pid namespace,
 * has PR_SET_PDEATHSIG = SIGKILL (--die-with-parent), and when a pid namespace's init dies the
 * kernel kills every process in it, however it was daemonised (setsid, double fork, nohup). Then
 * the session cgroup is emptied (cgroup-v1.ts / cgroup-v2.ts: cgroup.kill, or freeze-kill-thaw) as
 * a second line, and checked empty. The same sweep runs after every normal exit: background
 * processes die with the namespace when the program's init exits, and the sweep checks they did.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { READY_MARKER } from './args.ts';
import type { SessionCgroup } from './cgroup.ts';
import { CappedOutput } from './output.ts';

export type StopReason = 'timeout' | 'output' | 'aborted';

export interface RunInput {
  /** Program and argument vector of the chain (args.ts: the shim under bash, then the rest). */
  readonly file: string;
  readonly argv: readonly string[];
  readonly seccomp: Uint8Array;
  readonly code: Uint8Array;
  /** bwrap's options (args.ts ARGS_FD). */
  readonly bwrapArgs: Uint8Array;
  readonly timeoutMs: number;
  readonly outputBytes: number;
  readonly cgroup: SessionCgroup;
  readonly signal?: AbortSignal | undefined;
}

export interface RunOutcome {
  readonly stdout: CappedOutput;
  readonly stderr: CappedOutput;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stoppedBy: StopReason | null;
  readonly durationMs: number;
  /** Whether the cgroup was empty afterwards (false: processes could not be stopped). */
  readonly contained: boolean;
  /**
   * Whether the chain came up and handed over to the program (args.ts READY wrote its marker on
   * STATUS_FD). False: the sandbox could not be set up, and the exit status and stderr are the
   * chain's, not a program's.
   */
  readonly started: boolean;
}

/** How long the tree may take to die, and the pipes to close, after the kill. */
export const KILL_WAIT_MS = 3000;

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/**
 * bwrap reports a program killed by signal N as exit status 128 + N (as shells do). Read back that
 * way, so a segfault shows as SIGSEGV; a program that calls exit(139) itself is reported the same.
 */
export function decodeStatus(code: number | null, signal: NodeJS.Signals | null): { exitCode: number | null; signal: string | null } {
  if (signal !== null) return { exitCode: null, signal };
  if (code !== null && code > 128 && code < 128 + 65) {
    const name = SIGNAL_NAMES.get(code - 128);
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}

function feed(stream: Writable | null | undefined, data: Uint8Array): void {
  if (!stream) return;
  // bwrap may die before reading (a setup error): EPIPE is expected then, and reported by the exit status.
  stream.on('error', () => {});
  stream.end(data);
}

export async function runSandboxed(input: RunInput): Promise<RunOutcome> {
  const startedAt = performance.now();
  let stoppedBy: StopReason | null = null;
  const child = spawn(input.file, [...input.argv], {
    // 0-2 stdio, 3 seccomp, 4 code, 5 bwrap's options, 6 the set-up channel (args.ts).
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    // Nothing of Rampart's environment reaches even the root shim.
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
    cwd: '/',
  });
  const stop = (reason: StopReason): void => {
    if (stoppedBy !== null) return;
    stoppedBy = reason;
    child.kill('SIGKILL');
  };
  const stdout = new CappedOutput(input.outputBytes, () => stop('output'));
  const stderr = new CappedOutput(input.outputBytes, () => stop('output'));
  const closed = Promise.all(
    [child.stdout, child.stderr].map(
      (s, i) =>
        new Promise<void>((resolve) => {
          if (!s) return resolve();
          s.on('data', (c: Buffer) => (i === 0 ? stdout : stderr).push(c));
          s.on('close', () => resolve());
          s.on('error', () => resolve());
        }),
    ),
  );
  // Node types stdio as a 5-tuple; the array is as long as the stdio option.
  const extra = child.stdio as unknown as readonly (Writable | null | undefined)[];
  feed(extra[3], input.seccomp);
  feed(extra[4], input.code);
  feed(extra[5], input.bwrapArgs);
  let started = false;
  const status = extra[6] as unknown as Readable | null | undefined;
  // Only the first byte counts, and it is written before the program exists. Then the channel is
  // closed here: a program that finds the init's copy (/proc/1/fd) can write nothing but EPIPE.
  const statusRead = new Promise<void>((resolve) => {
    if (!status) return resolve();
    status.once('data', (c: Buffer) => {
      started = c.length > 0 && c[0] === READY_MARKER.charCodeAt(0);
      status.destroy();
      resolve();
    });
    status.on('close', () => resolve());
    status.on('error', () => resolve());
  });

  const timer = setTimeout(() => stop('timeout'), input.timeoutMs);
  const onAbort = (): void => stop('aborted');
  if (input.signal?.aborted) stop('aborted');
  else input.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const durationMs = performance.now() - startedAt;
    clearTimeout(timer);
    const contained = await input.cgroup.killAll(KILL_WAIT_MS);
    // Every writer is dead once the cgroup is empty; the pipes close right after.
    let pipesTimer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([closed, statusRead]), new Promise<void>((r) => (pipesTimer = setTimeout(r, KILL_WAIT_MS)))]);
    clearTimeout(pipesTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    status?.destroy();
    const decoded = stoppedBy !== null ? { exitCode: null, signal: 'SIGKILL' } : decodeStatus(exit.code, exit.signal);
    return { stdout, stderr, ...decoded, stoppedBy, durationMs, contained, started };
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }
}
