/**
 * A session cgroup on cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one directory. No swap,
 * and an OOM kill takes the whole group (memory.oom.group), so a program never runs on with some
 * of its processes gone. The tree is killed with cgroup.kill (Linux 5.14), which the kernel does
 * atomically, forks included; on older kernels under cgroup.freeze, as on v1.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readKeyed, readPids, readText, removeCgroupDir, sleep, waitEmpty, writeValue } from './cgroup-files.ts';
import type { CgroupCounters, CgroupLimits, PeakTracker, SessionCgroup } from './cgroup-types.ts';

const CPU_PERIOD_US = 100_000;

export class V2SessionCgroup implements SessionCgroup {
  readonly procsFiles: readonly string[];
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.procsFiles = [join(dir, 'cgroup.procs')];
  }

  async setLimits(l: CgroupLimits): Promise<void> {
    const d = this.#dir;
    await writeValue(d, 'memory.max', l.memoryBytes);
    if ((await readText(d, 'memory.swap.max')) !== null) await writeValue(d, 'memory.swap.max', 0);
    if ((await readText(d, 'memory.oom.group')) !== null) await writeValue(d, 'memory.oom.group', 1);
    await writeValue(d, 'cpu.max', `${Math.max(1000, Math.round(l.cpus * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
    await writeValue(d, 'pids.max', l.pids);
  }

  async counters(): Promise<CgroupCounters> {
    const [usec, oomKills, pidsMax] = await Promise.all([
      readKeyed(this.#dir, 'cpu.stat', 'usage_usec'),
      readKeyed(this.#dir, 'memory.events', 'oom_kill'),
      readKeyed(this.#dir, 'pids.events', 'max'),
    ]);
    return { cpuNs: usec === null ? null : usec * 1000, oomKills: oomKills ?? 0, pidsMax: pidsMax ?? 0 };
  }

  async trackPeak(): Promise<PeakTracker> {
    // Since Linux 6.12 a write to memory.peak resets it for reads through the same open file.
    const fh = await open(join(this.#dir, 'memory.peak'), 'r+').catch(() => null);
    if (fh === null) return { read: async () => null, close: async () => {} };
    const reset = await fh.write('reset\n').then(
      () => true,
      () => false,
    );
    return {
      read: async () => {
        if (!reset) return null;
        const buf = Buffer.alloc(64);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        const n = Number(buf.subarray(0, bytesRead).toString('utf8').trim());
        return Number.isFinite(n) ? n : null;
      },
      close: () => fh.close(),
    };
  }

  pids(): Promise<number[]> {
    return readPids(this.#dir);
  }

  async killAll(timeoutMs: number): Promise<boolean> {
    const d = this.#dir;
    if ((await readPids(d)).length === 0) return true;
    if (existsSync(join(d, 'cgroup.kill'))) {
      await writeValue(d, 'cgroup.kill', 1);
    } else {
      await writeValue(d, 'cgroup.freeze', 1);
      try {
        const deadline = Date.now() + Math.min(timeoutMs, 1000);
        for (let delay = 1; (await readKeyed(d, 'cgroup.events', 'frozen')) !== 1 && Date.now() < deadline; delay = Math.min(delay * 2, 20)) await sleep(delay);
        for (const pid of await readPids(d)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      } finally {
        await writeValue(d, 'cgroup.freeze', 0);
      }
    }
    return waitEmpty(d, timeoutMs);
  }

  async remove(): Promise<void> {
    await removeCgroupDir(this.#dir);
  }
}
