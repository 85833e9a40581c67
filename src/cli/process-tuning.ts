/**
 * Process tuning for the long-running server, applied by `rampart serve` before anything else
 * runs: settings that must be in place when the process starts, so the command replaces itself
 * once with them (`process.execve`: the same process id, which service managers and container
 * runtimes watch, before any thread or socket exists).
 *
 * **glibc's mmap threshold.** glibc serves blocks above its mmap threshold (128 KiB at first) with
 * mmap and gives them back when they are freed, but each time such a block is freed it raises the
 * threshold to that block's size (up to 32 MiB). After the first few, the server's large,
 * short-lived blocks (the 100–200 KB audit batches handed to the embedded store's thread, the
 * store's copy buffers) come from the per-thread arenas instead, which fragment and keep what they
 * grew to. Setting the threshold fixes it (and turns the adjustment off): under a steady load of
 * 5 000 requests/s the server's RSS levelled at 457 MiB instead of 626 MiB (docs/benchmarks.md,
 * session 11). glibc reads it from the environment at start-up; other C libraries ignore it.
 *
 * **V8's old-generation growth, fixed.** After each full collection (mark-compact) V8 lets the old
 * generation grow by a factor it derives from how fast that collection ran against how fast the
 * program allocated. Both are measured on a machine the server shares, so the factor a process
 * starts with is luck: on two cores shared with its upstream and clients, a server whose
 * start-up collections ran while the cores were busy got a factor near its minimum, and under
 * load then ran a mark-compact every 2–5 s (10–23 ms pauses, ~200 ms of background marking
 * each), each measured under load again, so it stayed there; the same build started a moment
 * later had none in minutes (docs/benchmarks.md, session 13: nine of ten runs, and the other way
 * round when the order of starting was swapped). A fixed factor of 2 (`--heap-growing-percent=100`: the old generation
 * may double its live size before the next full collection) makes that the same for every start:
 * at the measured growth (~3.3 MiB/s at 6 000 requests/s) a full collection every 20 s or so, for
 * at most the live size (~60 MiB) in memory; none ran during the benchmark's measured runs.
 *
 * Each is skipped where an operator chose the setting already (the variable or a glibc malloc
 * tunable; the node flag on the command line) and with `RAMPART_MALLOC_TUNING=off` or
 * `RAMPART_V8_TUNING=off`. Off Linux, and where the runtime lacks `process.execve`, nothing
 * changes. The V8 flag goes on node's command line (Node refuses it in NODE_OPTIONS).
 */

/** The mmap threshold the server runs with, in bytes (glibc's own starting value, kept fixed). */
export const MMAP_THRESHOLD = '131072';

/** The node (V8) flags the server runs with. */
export const V8_SERVING_FLAGS: readonly string[] = ['--heap-growing-percent=100'];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment to start the server again with, or null to leave it as it is.
 * @example tunedEnvironment({ PATH: '/bin' }, 'linux') // { PATH: '/bin', MALLOC_MMAP_THRESHOLD_: '131072' }
 */
export function tunedEnvironment(env: Env, platform: string): Record<string, string> | null {
  if (platform !== 'linux' || env['RAMPART_MALLOC_TUNING'] === 'off') return null;
  if (env['MALLOC_MMAP_THRESHOLD_'] !== undefined || env['GLIBC_TUNABLES']?.includes('glibc.malloc.')) return null;
  return { ...definedEntries(env), MALLOC_MMAP_THRESHOLD_: MMAP_THRESHOLD };
}

/** The variables that have a value (what execve takes). */
function definedEntries(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** `--no-foo-bar`, `--foo_bar=1` → `foo-bar`: V8 takes a flag in either spelling. */
const flagName = (arg: string) => arg.replace(/^--(?:no-)?/, '').split('=')[0]!.replaceAll('_', '-');

/**
 * The node flags to add for the server: those of V8_SERVING_FLAGS that the command line does not
 * set already (to any value), none with RAMPART_V8_TUNING=off.
 * @example tunedNodeFlags({}, ['--enable-source-maps']) // ['--heap-growing-percent=100']
 */
export function tunedNodeFlags(env: Env, execArgv: readonly string[]): string[] {
  if (env['RAMPART_V8_TUNING'] === 'off') return [];
  const given = new Set(execArgv.filter((a) => a.startsWith('--')).map(flagName));
  return V8_SERVING_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

/** For `rampart serve`: replaces this process with one that has the tuned environment and flags (no return), if any is missing. */
export function applyServeTuning(): void {
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve;
  if (process.platform !== 'linux' || typeof execve !== 'function') return;
  const tunedEnv = tunedEnvironment(process.env, process.platform);
  const flags = tunedNodeFlags(process.env, process.execArgv);
  if (!tunedEnv && flags.length === 0) return;
  const env = tunedEnv ?? definedEntries(process.env);
  execve.call(process, process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], env);
}
