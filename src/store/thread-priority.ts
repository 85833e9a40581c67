/**
 * The embedded database's thread as a background thread: on Linux it moves itself to the idle
 * scheduling class (SCHED_IDLE), so that the request path, and whatever else serves requests on
 * the machine, gets the CPU first, and returns to the normal class by itself when its own work
 * falls behind. RocksDB lowers its compaction threads the same way; the difference here is the
 * way back, which an audit log needs: an idle-class thread gets almost no CPU while normal threads
 * keep every core busy, and audit events must not pile up until the queue drops them.
 *
 * Leaving the idle class needs CAP_SYS_NICE or an RLIMIT_NICE that allows nice 0 (sched(7)), so
 * the thread is lowered only where it can be raised again; elsewhere it stays as it is. Node has
 * no binding for sched_setscheduler, hence util-linux's `chrt` on the thread's own id; it runs
 * only when the class changes (at start, when the thread is starved, and after it has kept up).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

/** SCHED_OTHER and SCHED_IDLE as /proc/<tid>/stat reports them (field 41). */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;
/** CAP_SYS_NICE's bit in /proc/self/status's CapEff. */
const CAP_SYS_NICE = 23n;

/** The calling thread's kernel thread id (Linux), or null where there is no /proc/thread-self. */
export function currentThreadId(): number | null {
  try {
    // The link is resolved by the calling thread, so a worker gets its own id, not the process's.
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The scheduling policy of thread `tid` of this process, from /proc. */
export function threadPolicy(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[41 - 3]);
  } catch {
    return null;
  }
}

/** Whether this process may move a thread back from the idle class to the normal one. */
export function mayRaisePriority(status = readProc('/proc/self/status'), limits = readProc('/proc/self/limits')): boolean {
  const cap = /^CapEff:\s*([0-9a-f]+)$/im.exec(status ?? '');
  if (cap && (BigInt(`0x${cap[1]}`) >> CAP_SYS_NICE) & 1n) return true;
  // RLIMIT_NICE's soft limit n allows nice values down to 20 - n: nice 0 needs at least 20.
  const nice = /^Max nice priority\s+(\d+|unlimited)\s/im.exec(limits ?? '');
  return nice !== null && (nice[1] === 'unlimited' || Number(nice[1]) >= 20);
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Nanoseconds thread `tid` of this process has spent runnable but waiting for a CPU (the second
 * field of /proc/<tid>/schedstat), or null where the kernel keeps no such count.
 */
export function runQueueWaitNs(tid: number): number | null {
  const text = readProc(`/proc/self/task/${tid}/schedstat`);
  const wait = text === null ? NaN : Number(text.split(' ')[1]);
  return Number.isFinite(wait) ? wait : null;
}

export interface BackgroundPriorityOptions {
  /** Waiting this many ms for a CPU within one check means the thread is starved: raise it. */
  starvedAfterMs?: number;
  /** Work that reaches the thread this many ms after it was due (`lagging()`) raises it too. */
  behindAfterMs?: number;
  /**
   * Lower it again after this long without being starved; each time it has to be raised again
   * within that time, the time doubles (up to `maxCalmForMs`), so that on a machine whose cores
   * stay busy it settles at normal priority instead of stalling again and again.
   */
  calmForMs?: number;
  maxCalmForMs?: number;
  /** How often the thread looks at how long it waited for a CPU. */
  checkEveryMs?: number;
  now?: () => number;
  /** Runs `chrt`; tests replace it. Throws when the class could not be changed. */
  setPolicy?: (tid: number, policy: 'idle' | 'other') => void;
  /** Whether the class can be changed back; tests replace it. */
  mayRaise?: () => boolean;
  /** The thread's run-queue wait so far, ns (runQueueWaitNs); tests replace it. */
  waitedNs?: (tid: number) => number | null;
  onChange?: (change: PriorityChange) => void;
}

export interface PriorityChange {
  policy: 'idle' | 'other';
  reason: string;
  /** Set when `chrt` failed to move it there (the thread stays where it was). */
  failed?: string;
}

/** After a failed attempt to raise the thread, the next one waits this long (no chrt storm). */
const RETRY_RAISE_MS = 1_000;

function runChrt(tid: number, policy: 'idle' | 'other'): void {
  execFileSync('chrt', [policy === 'idle' ? '--idle' : '--other', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5_000 });
}

/**
 * Keeps the calling thread in the idle class while it gets the CPU it needs. While there is work
 * (`busy()`), a timer reads how long the thread waited for a CPU since the last look (the kernel's
 * count, so a long statement is not mistaken for starvation); beyond `starvedAfterMs` it is raised
 * at once. A thread with nothing to do that waited only to run this timer is not starved: a wait
 * counts when work came in during that look or the next one (after a wait, the timer may run
 * before the message that was waiting). An idle server's thread sets no timer at all.
 */
export class BackgroundPriority {
  readonly #tid: number;
  readonly #starvedAfterMs: number;
  readonly #behindAfterMs: number;
  readonly #baseCalmForMs: number;
  readonly #maxCalmForMs: number;
  readonly #now: () => number;
  readonly #setPolicy: (tid: number, policy: 'idle' | 'other') => void;
  readonly #waitedNs: (tid: number) => number | null;
  readonly #onChange: (change: PriorityChange) => void;
  #calmForMs: number;
  #lowered = false;
  #loweredAt = -Infinity;
  #lastTrouble = -Infinity;
  #raiseFailedAt = -Infinity;
  #lastWaitNs = 0;
  /** The wait beyond `starvedAfterMs` the previous look saw, ms (0: none). */
  #previousOverMs = 0;
  #worked = false;
  readonly #checkEveryMs: number;
  /** Runs while there is work (and one look after it), so an idle server does not wake up for it. */
  #timer: NodeJS.Timeout | null = null;

  /** Null where the thread cannot be lowered safely: not Linux, no way back, no chrt, no wait count. */
  static start(opts: BackgroundPriorityOptions = {}): BackgroundPriority | null {
    const tid = currentThreadId();
    if (tid === null || !(opts.mayRaise ?? mayRaisePriority)()) return null;
    const p = new BackgroundPriority(tid, opts);
    const waited = p.#waitedNs(tid);
    if (waited === null) return null;
    p.#lastWaitNs = waited;
    if (!p.#change('idle', 'started as a background thread')) return null;
    return p;
  }

  private constructor(tid: number, opts: BackgroundPriorityOptions) {
    this.#tid = tid;
    this.#starvedAfterMs = opts.starvedAfterMs ?? 250;
    this.#behindAfterMs = opts.behindAfterMs ?? 1_000;
    // Short at first, so that a burst (several servers starting at once) costs seconds at normal
    // priority, not minutes; doubling makes a machine that stays busy settle at normal priority.
    this.#baseCalmForMs = opts.calmForMs ?? 10_000;
    this.#maxCalmForMs = opts.maxCalmForMs ?? 600_000;
    this.#calmForMs = this.#baseCalmForMs;
    this.#now = opts.now ?? Date.now;
    this.#setPolicy = opts.setPolicy ?? runChrt;
    this.#waitedNs = opts.waitedNs ?? runQueueWaitNs;
    this.#onChange = opts.onChange ?? (() => undefined);
    this.#checkEveryMs = opts.checkEveryMs ?? 50;
  }

  get lowered(): boolean {
    return this.#lowered;
  }

  /** Whether its timer runs (only while there is work). */
  get watching(): boolean {
    return this.#timer !== null;
  }

  /** How long it must go unstarved before it is lowered again. */
  get calmForMs(): number {
    return this.#calmForMs;
  }

  /** The thread got work (a message, a statement). */
  busy(): void {
    this.#worked = true;
    if (this.#timer === null) {
      // While it looked at nothing, the thread was runnable only for work: a wait since the last
      // look is this work's, and the first look counts it.
      this.#timer = setInterval(() => this.check(), this.#checkEveryMs);
      this.#timer.unref();
    }
  }

  /** One look at the wait count (the timer's; exposed for tests). */
  check(): void {
    const waited = this.#waitedNs(this.#tid);
    if (waited === null) return;
    const waitedMs = (waited - this.#lastWaitNs) / 1e6;
    this.#lastWaitNs = waited;
    const overMs = waitedMs > this.#starvedAfterMs ? waitedMs : 0;
    const starvedMs = Math.max(overMs, this.#previousOverMs);
    const worked = this.#worked;
    this.#previousOverMs = worked ? 0 : overMs;
    this.#worked = false;
    if (starvedMs > 0 && worked) this.#trouble(`waited ${Math.round(starvedMs)} ms for a CPU`);
    else if (!this.#lowered && this.#now() - this.#lastTrouble >= this.#calmForMs) {
      this.#change('idle', `kept up for ${Math.round(this.#calmForMs / 1000)} s`);
    }
    if (!worked && this.#previousOverMs === 0) this.stop();
  }

  /**
   * Work reached the thread `lagMs` after it was due (an audit batch's oldest event): a thread that
   * gets CPU in short slices may never wait long at once and still fall behind; beyond
   * `behindAfterMs` it is raised as if starved.
   */
  lagging(lagMs: number): void {
    if (lagMs > this.#behindAfterMs) this.#trouble(`work ${Math.round(lagMs)} ms behind`);
  }

  #trouble(reason: string): void {
    const now = this.#now();
    this.#lastTrouble = now;
    if (!this.#lowered) return;
    // Starved again soon after being lowered: wait longer before the next try.
    if (now - this.#raiseFailedAt < RETRY_RAISE_MS) return;
    this.#calmForMs = now - this.#loweredAt < this.#calmForMs ? Math.min(this.#calmForMs * 2, this.#maxCalmForMs) : this.#baseCalmForMs;
    if (!this.#change('other', reason)) this.#raiseFailedAt = now;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #change(policy: 'idle' | 'other', reason: string): boolean {
    try {
      this.#setPolicy(this.#tid, policy);
    } catch (e) {
      // Could not lower: stay normal. Could not raise: said loudly, and tried again a second later.
      if (policy === 'other') this.#onChange({ policy, reason, failed: e instanceof Error ? e.message : String(e) });
      return false;
    }
    this.#lowered = policy === 'idle';
    if (this.#lowered) this.#loweredAt = this.#now();
    this.#onChange({ policy, reason });
    return true;
  }
}
