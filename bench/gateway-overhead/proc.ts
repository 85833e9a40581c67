/**
 * Outside views of a process, read from Linux /proc so that measuring does not run code in the
 * measured process: resident memory and CPU time. Null where /proc is unavailable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (the unit of CPU times in /proc). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Resident set size in bytes. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds in a /proc `stat` line (of a process or of one of its threads). */
function statCpuSeconds(stat: string): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** User + system CPU seconds the process has used so far. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** User + system CPU seconds of each thread of the process so far, by thread id, with its name. */
export function threadCpuOf(pid: number): Map<number, { name: string; seconds: number }> | null {
  try {
    const out = new Map<number, { name: string; seconds: number }>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        out.set(Number(tid), { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), seconds: statCpuSeconds(stat) });
      } catch {
        // the thread ended meanwhile
      }
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * The thread that used the most CPU between two `threadCpuOf` readings, in cores. For a Node
 * server this is its event-loop thread: near 1.0 means that thread, not the machine, is the limit.
 */
export function busiestThread(
  before: Map<number, { name: string; seconds: number }> | null,
  after: Map<number, { name: string; seconds: number }> | null,
  elapsedS: number,
): { name: string; cores: number } | null {
  if (!before || !after || elapsedS <= 0) return null;
  let best: { name: string; cores: number } | null = null;
  for (const [tid, t] of after) {
    const cores = (t.seconds - (before.get(tid)?.seconds ?? 0)) / elapsedS;
    if (!best || cores > best.cores) best = { name: t.name, cores };
  }
  return best;
}

/** CPU seconds the whole machine spent in user and kernel mode (interrupt time left out). */
export function machineCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal ...
    return (Number(fields[1]) + Number(fields[2]) + Number(fields[3])) / clockTicks();
  } catch {
    return null;
  }
}

/** The benchmark's own processes (this one and the servers it started). */
const ownPids = new Set<number>([process.pid]);

export function registerOwnProcess(pid: number): void {
  ownPids.add(pid);
}

/**
 * CPU time used on the machine by processes that are not the benchmark's (other jobs on a shared
 * machine), as a reading to subtract later: `const stop = foreignCpu(); ...; stop(elapsedS)`
 * gives cores. Null where /proc is unavailable.
 */
export function foreignCpu(): (elapsedS: number) => number | null {
  const own = () => [...ownPids].reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  const m0 = machineCpuSeconds();
  const o0 = own();
  return (elapsedS) => {
    const m1 = machineCpuSeconds();
    if (m0 === null || m1 === null) return null;
    return Math.max(0, m1 - m0 - (own() - o0)) / elapsedS;
  };
}
