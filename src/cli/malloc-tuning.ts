/**
 * glibc malloc tuning for the long-running server, applied before anything else runs.
 *
 * glibc serves blocks above its mmap threshold (128 KiB at first) with mmap and gives them back
 * when they are freed, but each time such a block is freed it raises the threshold to that
 * block's size (up to 32 MiB). After the first few, the server's large, short-lived blocks (the
 * 100–200 KB audit batches handed to the embedded store's thread, the store's copy buffers) come
 * from the per-thread arenas instead, which fragment and keep what they grew to. Setting the
 * threshold fixes it (and turns the adjustment off): under a steady load of 5 000 requests/s the
 * server's RSS levelled at 457 MiB instead of 626 MiB (docs/benchmarks.md, session 11).
 *
 * glibc reads the setting from the environment when the process starts, so `rampart serve`
 * replaces itself once with the variable set: `process.execve`, the same process id (what a
 * service manager or container runtime watches), before any thread or socket exists. Skipped off
 * Linux, where the runtime lacks `process.execve`, where an operator has set the variable or a
 * glibc malloc tunable already, and with `RAMPART_MALLOC_TUNING=off`. Other C libraries ignore
 * the variable.
 */

/** The mmap threshold the server runs with, in bytes (glibc's own starting value, kept fixed). */
export const MMAP_THRESHOLD = '131072';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment to start the server again with, or null to leave the process as it is.
 * @example tunedEnvironment({ PATH: '/bin' }, 'linux') // { PATH: '/bin', MALLOC_MMAP_THRESHOLD_: '131072' }
 */
export function tunedEnvironment(env: Env, platform: string): Record<string, string> | null {
  if (platform !== 'linux' || env['RAMPART_MALLOC_TUNING'] === 'off') return null;
  if (env['MALLOC_MMAP_THRESHOLD_'] !== undefined || env['GLIBC_TUNABLES']?.includes('glibc.malloc.')) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out['MALLOC_MMAP_THRESHOLD_'] = MMAP_THRESHOLD;
  return out;
}

/** For `rampart serve`: replaces this process with one that has the tuned environment (no return). */
export function applyMallocTuning(): void {
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve;
  const env = tunedEnvironment(process.env, process.platform);
  if (!env || typeof execve !== 'function') return;
  execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
}
