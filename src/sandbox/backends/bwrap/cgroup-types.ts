/**
 * What the rest of the backend needs from a session cgroup, whichever cgroup version is under it
 * (cgroup-v1.ts, cgroup-v2.ts); cgroup.ts finds the hierarchies and creates them.
 */

export interface CgroupLimits {
  /** memory.max / memory.limit_in_bytes (the caller adds the file space: tmpfs pages are memory). */
  readonly memoryBytes: number;
  readonly cpus: number;
  /** pids.max, including bwrap's two processes. */
  readonly pids: number;
}

/** Counters of a session cgroup, read before and after an execution. */
export interface CgroupCounters {
  /** CPU time (ns), or null when not accounted (v1 without cpuacct). */
  readonly cpuNs: number | null;
  /** Processes the OOM killer killed. */
  readonly oomKills: number;
  /** Forks refused at pids.max. */
  readonly pidsMax: number;
}

export interface PeakTracker {
  /** Peak memory since the tracker started, bytes, or null when the kernel cannot tell. */
  read(): Promise<number | null>;
  close(): Promise<void>;
}

/** One session's cgroup (in each v1 hierarchy, or the one v2 directory). */
export interface SessionCgroup {
  /** The cgroup.procs files a process writes its pid to, to join. */
  readonly procsFiles: readonly string[];
  setLimits(limits: CgroupLimits): Promise<void>;
  counters(): Promise<CgroupCounters>;
  trackPeak(): Promise<PeakTracker>;
  pids(): Promise<number[]>;
  /** SIGKILLs every process in the cgroup and waits until it is empty; false when it is not. */
  killAll(timeoutMs: number): Promise<boolean>;
  remove(): Promise<void>;
}

/** A session cgroup's directory in each cgroup v1 hierarchy (cpuacct and freezer when mounted). */
export interface V1Dirs {
  readonly memory: string;
  readonly pids: string;
  readonly cpu: string;
  readonly cpuacct: string | null;
  readonly freezer: string | null;
}
