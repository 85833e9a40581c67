/**
 * The small protocol between the benchmark and its child processes (the mock upstream and
 * Rampart): a child announces itself once it listens, answers memory probes, and stops on request
 * or when its parent goes away (so a crashed run never leaves servers behind).
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface ReadyMessage {
  type: 'ready';
  url: string;
  /** Rampart only: the API key the load generator sends. */
  apiKey?: string;
}

export interface MemoryMessage {
  type: 'memory';
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Event-loop delay since the previous probe, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Garbage-collection pauses of the main thread since the previous probe (scavenges apart from the rest). */
  gc: GcPauses;
  /** Rampart only: the audit log's counters. */
  audit?: { queued: number; written: number; dropped: number; rejected: number };
}

export type MemoryProbe = Omit<MemoryMessage, 'loopDelay' | 'gc'>;

/** Pauses in ms: how many, their sum, the longest. */
export interface PauseSum {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface GcPauses {
  /** Young-generation collections (scavenges). */
  minor: PauseSum;
  /** Everything else: mark-compact steps and finalization, incremental marking, weak callbacks. */
  major: PauseSum;
}

const emptyPauses = (): GcPauses => ({ minor: { count: 0, totalMs: 0, maxMs: 0 }, major: { count: 0, totalMs: 0, maxMs: 0 } });

export type ChildMessage = ReadyMessage | MemoryMessage | { type: 'stopped' } | { type: 'error'; message: string };
export type ParentMessage = { type: 'memory' } | { type: 'stop' };

export function send(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * Answers the parent's probes (memory, plus the event-loop delay since the last probe) and calls
 * `stop` on 'stop' or when the IPC channel closes.
 */
export function serveParent(handlers: { memory(): MemoryProbe; stop(): Promise<void> }): void {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gc = emptyPauses();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const sum = kind === constants.NODE_PERFORMANCE_GC_MINOR ? gc.minor : gc.major;
      sum.count++;
      sum.totalMs += e.duration;
      sum.maxMs = Math.max(sum.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await handlers.stop();
    } finally {
      send({ type: 'stopped' });
      process.disconnect?.();
      process.exitCode = 0;
    }
  };
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'memory') {
      const loopDelay = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
      loop.reset();
      send({ ...handlers.memory(), loopDelay, gc });
      gc = emptyPauses();
    }
    else if (m.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
}
