/**
 * The embedded database's thread as a background thread: on Linux it is moved to the idle
 * scheduling class (SCHED_IDLE), so that the request path, and whatever else serves requests on
 * the machine, gets the CPU first, and back to the normal class as soon as it is starved. RocksDB
 * lowers its compaction threads the same way; the difference here is the way back, which an audit
 * log needs: an idle-class thread gets almost no CPU while normal threads keep every core busy,
 * and audit events must not pile up until the queue drops them.
 *
 * The watch runs on another thread of the process (the request thread, which stays in the normal
 * class): a starved thread cannot notice its own starvation, since noticing needs the CPU it does
 * not get. It reads the kernel's count of the time the thread spent runnable but waiting for a CPU;
 * an idle thread is not runnable and a thread busy with a long statement is running, so neither
 * counts. Leaving the idle class needs CAP_SYS_NICE or an RLIMIT_NICE that allows nice 0
 * (sched(7)), so the thread is lowered only where it can be raised again; elsewhere it stays as
 * it is. Node has no binding for sched_setscheduler, hence util-linux's `chrt` on the thread's id;
 * it runs only when the class changes (at start, when the thread is starved, after it kept up).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

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
  /** The span over which its waiting is added up, ms. */
  windowMs?: number;
  /**
   * Waiting for a CPU this share of the window means it is starved. A background thread that
   * keeps up waits too, by design (a third of the time under the gateway benchmark's load), but
   * it finishes its work and sleeps; a starved one is runnable and waiting nearly all the time.
   */
  starvedShare?: number;
  /**
   * Work that has waited this long (`pendingMs`) while the thread waited for a CPU at least
   * `backlogShare` of the window means it is falling behind: raised too. (A long statement keeps
   * work waiting while the thread runs: that does not count.)
   */
  backlogAfterMs?: number;
  backlogShare?: number;
  /** How long the oldest unanswered request to the thread has waited, ms (0: none). */
  pendingMs?: () => number;
  /**
   * Lower it again after this long without being starved; each time it has to be raised again
   * within that time, the time doubles (up to `maxCalmForMs`), so that on a machine whose cores
   * stay busy it settles at normal priority instead of stalling again and again.
   */
  calmForMs?: number;
  maxCalmForMs?: number;
  /** How often the watching thread looks at the wait count; 0: no timer (tests call `check()`). */
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
 * Keeps thread `tid` in the idle class while it gets the CPU it needs, watched from the calling
 * thread: every `checkEveryMs` it reads how long `tid` waited for a CPU within the last
 * `windowMs`, and raises it at once when it is starved or its work piles up.
 */
export class BackgroundPriority {
  readonly #tid: number;
  readonly #windowMs: number;
  readonly #starvedShare: number;
  readonly #backlogAfterMs: number;
  readonly #backlogShare: number;
  readonly #pendingMs: () => number;
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
  /** Wait counts of the looks within the window, oldest first: [time ms, wait ns]. */
  #samples: [number, number][] = [];
  #timer: NodeJS.Timeout | null = null;

  /**
   * Lowers thread `tid` of this process and starts watching it. Null where it cannot be done
   * safely: not Linux, no way back, no wait count, or `chrt` failed.
   */
  static start(tid: number, opts: BackgroundPriorityOptions = {}): BackgroundPriority | null {
    if (!(opts.mayRaise ?? mayRaisePriority)()) return null;
    const p = new BackgroundPriority(tid, opts);
    const waited = p.#waitedNs(tid);
    if (waited === null) return null;
    p.#samples.push([p.#now(), waited]);
    if (!p.#change('idle', 'started as a background thread')) return null;
    const every = opts.checkEveryMs ?? 100;
    if (every > 0) {
      p.#timer = setInterval(() => p.check(), every);
      p.#timer.unref();
    }
    return p;
  }

  private constructor(tid: number, opts: BackgroundPriorityOptions) {
    this.#tid = tid;
    this.#windowMs = opts.windowMs ?? 2_000;
    this.#starvedShare = opts.starvedShare ?? 0.75;
    this.#backlogAfterMs = opts.backlogAfterMs ?? 1_000;
    this.#backlogShare = opts.backlogShare ?? 0.25;
    this.#pendingMs = opts.pendingMs ?? (() => 0);
    // Short at first, so that a burst (several servers starting at once) costs seconds at normal
    // priority, not minutes; doubling makes a machine that stays busy settle at normal priority.
    this.#baseCalmForMs = opts.calmForMs ?? 10_000;
    this.#maxCalmForMs = opts.maxCalmForMs ?? 600_000;
    this.#calmForMs = this.#baseCalmForMs;
    this.#now = opts.now ?? Date.now;
    this.#setPolicy = opts.setPolicy ?? runChrt;
    this.#waitedNs = opts.waitedNs ?? runQueueWaitNs;
    this.#onChange = opts.onChange ?? (() => undefined);
  }

  get lowered(): boolean {
    return this.#lowered;
  }

  /** How long it must go unstarved before it is lowered again. */
  get calmForMs(): number {
    return this.#calmForMs;
  }

  /** One look at the wait count (the timer's; exposed for tests). */
  check(): void {
    const waited = this.#waitedNs(this.#tid);
    if (waited === null) return; // the thread has exited
    const now = this.#now();
    const samples = this.#samples;
    samples.push([now, waited]);
    // Keep the newest look at or before the window's start, so the window is always covered.
    while (samples.length > 2 && samples[1]![0] <= now - this.#windowMs) samples.shift();
    const spanMs = now - samples[0]![0];
    const waitedMs = (waited - samples[0]![1]) / 1e6;
    const share = spanMs > 0 ? waitedMs / spanMs : 0;
    const pendingMs = this.#pendingMs();
    const starved = spanMs >= this.#windowMs / 2 && share >= this.#starvedShare;
    const backlog = pendingMs >= this.#backlogAfterMs && share >= this.#backlogShare;
    if (starved || backlog) {
      const waits = `waited ${Math.round(waitedMs)} ms for a CPU in ${Math.round(spanMs)} ms`;
      this.#trouble(now, backlog ? `work waited ${Math.round(pendingMs)} ms; ${waits}` : waits);
      // Counted once: the next window starts here.
      this.#samples = [[now, waited]];
    } else if (!this.#lowered && now - this.#lastTrouble >= this.#calmForMs) {
      this.#change('idle', `kept up for ${Math.round(this.#calmForMs / 1000)} s`);
    }
  }

  #trouble(now: number, reason: string): void {
    this.#lastTrouble = now;
    if (!this.#lowered || now - this.#raiseFailedAt < RETRY_RAISE_MS) return;
    // Starved again soon after being lowered: wait longer before the next try.
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
