/**
 * The command line of one execution: a root shim that joins the session cgroup, prlimit, setpriv
 * (drop to the sandbox user), then bwrap (namespaces, filesystem view, seccomp), then the
 * interpreter. Every program in the chain execs the next one, so the pid that joined the cgroup
 * is the pid of bwrap, and everything the program starts is born in the cgroup: there is no window
 * in which a process runs outside it.
 *
 * Pure: builds argument vectors, runs nothing.
 */
import type { SandboxLanguage } from '../../backend.ts';
import type { RootfsPlan } from './rootfs.ts';
import { DATA_DIR, SANDBOX_HOSTNAME } from './session-space.ts';

/**
 * Child file descriptors (Node's stdio array): the seccomp program, the program text, and bwrap's
 * options. Options go through a pipe (--args), not the command line, so the request's environment
 * values are not in /proc/<pid>/cmdline for every local user to read.
 */
export const SECCOMP_FD = 3;
export const CODE_FD = 4;
export const ARGS_FD = 5;
/**
 * The set-up channel, read by Rampart: the last step before the program (READY) writes
 * READY_MARKER to it and closes it. No marker means the chain failed before the program existed;
 * a marker means every exit status and byte of stderr after it is the program's own. The program
 * cannot take a marker back, and nothing it writes to stderr or exits with can fake a set-up
 * failure (which an exit status and stderr prefix could: any program can print `bwrap: ` and exit 1).
 */
export const STATUS_FD = 6;
export const READY_MARKER = 'R';

/** Where the program text is inside the sandbox (a read-only file, not in the file space). */
export const CODE_DIR = '/rampart';
/** HOME: the per-execution tmpfs (bwrapArgs), never the file space. */
export const HOME_IN_SANDBOX = '/tmp';
/** Where Rampart's own Node binary is bound for JavaScript. */
export const NODE_IN_SANDBOX = '/usr/local/bin/node';

export interface HostToolPaths {
  readonly bash: string;
  readonly prlimit: string;
  readonly setpriv: string;
  readonly bwrap: string;
}

export interface ExecCommandSpec {
  readonly tools: HostToolPaths;
  readonly plan: RootfsPlan;
  /** Host directory of the sandbox's synthetic /etc files. */
  readonly etcDir: string;
  readonly spaceDir: string;
  readonly uid: number;
  readonly gid: number;
  /** cgroup.procs files the shim writes its pid to. */
  readonly procsFiles: readonly string[];
  readonly fileBytes: number;
  readonly openFiles: number;
  /** Size of the per-execution /tmp and /dev/shm (each). */
  readonly tmpBytes: number;
  readonly env: Readonly<Record<string, string>>;
  /** The interpreter command, as seen inside the sandbox. */
  readonly argv: readonly string[];
  readonly codePath: string;
  /** Host path of the Node binary to bind at NODE_IN_SANDBOX, when JavaScript runs. */
  readonly nodeBinary: string | null;
  /** More read-only binds [host, sandbox] (the egress proxy's socket and forwarder). */
  readonly extraBinds: readonly (readonly [string, string])[];
}

/**
 * The shim, run by bash as root: `bash -c SHIM rampart-shim <procs files...> -- <command...>`.
 * 1. Closes every inherited descriptor above 6 (STATUS_FD). Node passes only the stdio it is asked to, but a
 *    descriptor Rampart itself inherited without O_CLOEXEC (from a service manager, a shell, a test
 *    harness) would otherwise reach the sandboxed program through bwrap, which closes only its own.
 *    bash, because dash cannot name a descriptor above 9.
 * 2. Makes itself, and so everything it starts, the host OOM killer's first choice
 *    (oom_score_adj 1000): when the machine runs out of memory, a sandbox goes before Rampart.
 * 3. Writes its own pid to each cgroup.procs, before anything drops privileges.
 * 4. Execs the rest.
 */
const SHIM = [
  // {fd}>&- closes the descriptor numbered $fd; closing one that is not open is not an error.
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 6 ]; then exec {fd}>&-; fi; done',
  'echo 1000 > /proc/self/oom_score_adj',
  'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "rampart-shim: cannot join the session cgroup" >&2; exit 125; }; shift; done',
  'shift',
  'exec "$@"',
].join('\n');

/**
 * pid 1 of the sandbox: sh, waiting for the program. Not bwrap's own init: that one hands the exit
 * status to bwrap through an eventfd and exits after bwrap, so nobody but the host's init reaps it,
 * and a host init that reaps late (or Node as pid 1 in a container, which never reaps others) leaves
 * a zombie charged to the session's pids.max per execution. With --as-pid-1, bwrap waits for this sh
 * itself; when it exits, the kernel kills and reaps everything else in the namespace.
 *
 * The program runs as pid 2 (normal signal semantics), started through a second sh that restores
 * stderr and execs it: the init's own stderr is /dev/null, so its "Killed" or "Segmentation fault"
 * notices never mix into the program's output. Not a tail command, so sh cannot exec it in its own
 * place. sh reports a program killed by signal N as 128 + N, as bwrap's init did.
 */
export const INIT = ['/bin/sh', '-c', 'exec 3>&2 2>/dev/null; /bin/sh -c \'exec 2>&3 3>&-; exec "$@"\' rampart-exec "$@"; exit $?', 'rampart-init'];

/**
 * The step right before the interpreter (after the egress forwarder, when there is one): reports
 * on STATUS_FD that the whole chain is up, closes it, and execs the program in its own place. If the
 * marker cannot be written, it exits without running anything: a set-up failure, visibly.
 */
export const READY = ['/bin/sh', '-c', `printf ${READY_MARKER} >&${STATUS_FD} && exec "$@" ${STATUS_FD}>&-`, 'rampart-ready'];

/** The interpreter command behind READY. */
export function readyArgv(argv: readonly string[]): string[] {
  return [...READY, ...argv];
}

/**
 * The environment every program starts from; the request's variables are added to it. HOME is the
 * per-execution /tmp, which starts empty and which the file API cannot write: tools look there for
 * code to load (Node's $HOME/.node_modules and .node_libraries, Python's user site-packages and
 * their .pth files, shells' and git's rc files), and the file space (/mnt/data, the cwd) is filled
 * by whoever calls the file API, so an approved program would otherwise run uploaded code.
 */
export function baseEnv(): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: HOME_IN_SANDBOX,
    USER: 'sandbox',
    LOGNAME: 'sandbox',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    TMPDIR: '/tmp',
    // A python3 that a shell program starts does not put its cwd or script directory (the file
    // space) first on sys.path either, as -I does for the programs Rampart starts.
    PYTHONSAFEPATH: '1',
  };
}

/** The interpreter command for `language` (the program text is at `codePath`). */
export function interpreterArgv(language: SandboxLanguage, codePath: string, opts: { python: string; memoryBytes: number }): string[] {
  switch (language) {
    case 'python':
      // -I: isolated (no PYTHON* variables, no user site, script dir not trusted); -B: no .pyc writes.
      return [opts.python, '-I', '-B', codePath];
    case 'javascript': {
      // V8 stops at a heap of 3/4 of the memory limit, with its own clear error, before the cgroup OOM kill.
      const heapMb = Math.max(16, Math.floor((opts.memoryBytes * 3) / 4 / (1024 * 1024)));
      return [NODE_IN_SANDBOX, `--max-old-space-size=${heapMb}`, codePath];
    }
    case 'shell':
      return ['/bin/sh', codePath];
  }
}

export const CODE_FILE: Readonly<Record<SandboxLanguage, string>> = {
  python: `${CODE_DIR}/main.py`,
  javascript: `${CODE_DIR}/main.js`,
  shell: `${CODE_DIR}/main.sh`,
};

/** bwrap's options (without the program), as written to ARGS_FD. */
export function bwrapArgs(s: ExecCommandSpec): string[] {
  const a: string[] = [
    // Every namespace, explicitly (the -try variants would silently skip one); no further user namespaces inside.
    '--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup',
    '--disable-userns',
    '--uid', String(s.uid), '--gid', String(s.gid),
    '--hostname', SANDBOX_HOSTNAME,
    // pid 1 of the namespace is our init (INIT below), which dies with bwrap, bwrap with Rampart; the namespace dies with its init.
    '--as-pid-1', '--die-with-parent',
    // setsid: no controlling terminal to push input into (TIOCSTI).
    '--new-session',
    '--cap-drop', 'ALL',
    '--clearenv',
  ];
  for (const [k, v] of Object.entries(s.env)) a.push('--setenv', k, v);
  for (const [src, dest] of s.plan.binds) a.push('--ro-bind', src, dest);
  for (const [target, dest] of s.plan.symlinks) a.push('--symlink', target, dest);
  for (const f of ['passwd', 'group', 'hosts', 'hostname', 'nsswitch.conf']) a.push('--ro-bind', `${s.etcDir}/${f}`, `/etc/${f}`);
  a.push(
    '--proc', '/proc',
    '--dev', '/dev',
    '--perms', '1777', '--size', String(s.tmpBytes), '--tmpfs', '/dev/shm',
    '--perms', '1777', '--size', String(s.tmpBytes), '--tmpfs', '/tmp',
    '--bind', s.spaceDir, DATA_DIR,
  );
  if (s.nodeBinary !== null) a.push('--ro-bind', s.nodeBinary, NODE_IN_SANDBOX);
  for (const [src, dest] of s.extraBinds) a.push('--ro-bind', src, dest);
  a.push(
    '--perms', '0444', '--ro-bind-data', String(CODE_FD), s.codePath,
    '--remount-ro', '/dev',
    '--remount-ro', '/',
    '--chdir', DATA_DIR,
    '--seccomp', String(SECCOMP_FD),
  );
  return a;
}

/** bwrap's options, NUL-terminated, for ARGS_FD (none may contain NUL: validate.ts refuses it in env values). */
export function bwrapArgsData(s: ExecCommandSpec): Buffer {
  const args = bwrapArgs(s);
  if (args.some((a) => a.includes('\0'))) throw new Error('bwrap argument with NUL');
  return Buffer.from(args.map((a) => `${a}\0`).join(''), 'utf8');
}

/** The full argument vector for `spawn(tools.bash, ...)`; bwrap reads its options from ARGS_FD. */
export function execArgv(s: ExecCommandSpec): string[] {
  return [
    '--noprofile', '--norc', '-c', SHIM, 'rampart-shim', ...s.procsFiles, '--',
    s.tools.prlimit, `--fsize=${s.fileBytes}`, `--nofile=${s.openFiles}`, '--core=0', '--',
    s.tools.setpriv, `--reuid=${s.uid}`, `--regid=${s.gid}`, '--clear-groups', '--no-new-privs', '--',
    s.tools.bwrap, '--args', String(ARGS_FD), '--', ...INIT, ...s.argv,
  ];
}
