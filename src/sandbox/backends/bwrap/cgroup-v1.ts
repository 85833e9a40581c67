/**
 * A session cgroup on cgroup v1 (Documentation/admin-guide/cgroup-v1/): one directory per
 * hierarchy. The memory limit also covers swap (memsw) when swap accounting is on; the whole tree
 * is killed under the freezer (freeze, SIGKILL every pid, thaw), so that no pid read from
 * cgroup.procs can exit and be reused by an unrelated process before the signal lands. Without a
 * freezer hierarchy no pid is signalled from here: the pid namespace teardown (bwrap's init dies
 * with its parent) kills the tree, and this only waits until the cgroup is empty.
 */
import { join } from 'node:path';
import { readKeyed, readNumber, readPids, readText, removeCgroupDir, sleep, waitEmpty, writeValue } from './cgroup-files.ts';
import type { CgroupCounters, CgroupLimits, PeakTracker, SessionCgroup, V1Dirs } from './cgroup-types.ts';

const CFS_PERIOD_US = 100_000;

export class V1SessionCgroup implements SessionCgroup {
  readonly procsFiles: readonly string[];
  readonly #d: V1Dirs;
  readonly #all: readonly string[];

  constructor(dirs: V1Dirs, distinctDirs: readonly string[]) {
    this.#d = dirs;
    this.#all = distinctDirs;
    this.procsFiles = distinctDirs.map((d) => join(d, 'cgroup.procs'));
  }

  async setLimits(l: CgroupLimits): Promise<void> {
    const mem = this.#d.memory;
    const memsw = (await readText(mem, 'memory.memsw.limit_in_bytes')) !== null;
    const current = (await readNumber(mem, 'memory.limit_in_bytes')) ?? 0;
    // memsw must stay >= limit: raise memsw first, lower it last.
    if (memsw && l.memoryBytes > current) await writeValue(mem, 'memory.memsw.limit_in_bytes', l.memoryBytes);
    await writeValue(mem, 'memory.limit_in_bytes', l.memoryBytes);
    if (memsw && l.memoryBytes <= current) await writeValue(mem, 'memory.memsw.limit_in_bytes', l.memoryBytes);
    // v1 charges TCP buffers to the cgroup only once a TCP limit is set (cgroup-v1/memory.rst §2.7.1).
    if ((await readText(mem, 'memory.kmem.tcp.limit_in_bytes')) !== null) await writeValue(mem, 'memory.kmem.tcp.limit_in_bytes', l.memoryBytes);
    await writeValue(this.#d.cpu, 'cpu.cfs_period_us', CFS_PERIOD_US);
    await writeValue(this.#d.cpu, 'cpu.cfs_quota_us', Math.max(1000, Math.round(l.cpus * CFS_PERIOD_US)));
    await writeValue(this.#d.pids, 'pids.max', l.pids);
  }

  async counters(): Promise<CgroupCounters> {
    const [cpuNs, oomKills, pidsMax] = await Promise.all([
      this.#d.cpuacct === null ? null : readNumber(this.#d.cpuacct, 'cpuacct.usage'),
      readKeyed(this.#d.memory, 'memory.oom_control', 'oom_kill'),
      readKeyed(this.#d.pids, 'pids.events', 'max'),
    ]);
    return { cpuNs, oomKills: oomKills ?? 0, pidsMax: pidsMax ?? 0 };
  }

  async trackPeak(): Promise<PeakTracker> {
    // Writing 0 resets the high-water mark (cgroup-v1/memory.rst §5.4).
    let ok = true;
    await writeValue(this.#d.memory, 'memory.max_usage_in_bytes', 0).catch(() => {
      ok = false;
    });
    return {
      read: async () => (ok ? readNumber(this.#d.memory, 'memory.max_usage_in_bytes') : null),
      close: async () => {},
    };
  }

  pids(): Promise<number[]> {
    return readPids(this.#d.pids);
  }

  async killAll(timeoutMs: number): Promise<boolean> {
    const freezer = this.#d.freezer;
    if (freezer !== null && (await readPids(freezer)).length > 0) {
      const deadline = Date.now() + Math.min(timeoutMs, 1000);
      await writeValue(freezer, 'freezer.state', 'FROZEN');
      try {
        // FREEZING until every task is frozen; a fork bomb cannot outrun it, a task in D state can.
        for (let delay = 1; (await readText(freezer, 'freezer.state'))?.trim() !== 'FROZEN' && Date.now() < deadline; delay = Math.min(delay * 2, 20)) {
          await sleep(delay);
        }
        for (const pid of await readPids(freezer)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      } finally {
        await writeValue(freezer, 'freezer.state', 'THAWED');
      }
    }
    return waitEmpty(this.#d.pids, timeoutMs);
  }

  async remove(): Promise<void> {
    for (const d of this.#all) await removeCgroupDir(d);
  }
}
