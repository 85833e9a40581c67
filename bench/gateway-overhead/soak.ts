/**
 * Memory over a steady load: Rampart's resident set size read from /proc every second (its heap
 * and audit-log counters asked over IPC every few seconds) while autocannon keeps it busy.
 */
import type { MemoryMessage } from './child-ipc.ts';
import { runLoad, type LoadResult } from './load.ts';
import { rssOf } from './proc.ts';
import { slope } from './stats.ts';
import type { Target } from './targets.ts';

export interface SoakOptions {
  durationS: number;
  connections: number;
  rate: number;
  body: string;
}

export interface MemorySample {
  /** Seconds since the soak started. */
  t: number;
  rss: number;
  heapUsed: number | null;
  /** The request thread's V8 heap as reserved from the system (used, free and fragmented). */
  heapTotal: number | null;
  /** Memory outside the V8 heap that the request thread's objects hold: Buffers, ArrayBuffers. */
  external: number | null;
}

export interface SoakResult {
  durationS: number;
  load: LoadResult;
  samples: MemorySample[];
  startRss: number;
  endRss: number;
  maxRss: number;
  /** Least-squares RSS slope over the whole run and over its second half, MiB per minute. */
  slopeMiBPerMin: number;
  slopeSecondHalfMiBPerMin: number;
  heapSlopeSecondHalfMiBPerMin: number;
  externalSlopeSecondHalfMiBPerMin: number;
  /** Requests/s over the first and the last tenth of the run (at least 5 s each). */
  rpsFirst: number;
  rpsLast: number;
  /** The audit log's counters before the soak and once its queue drained after it. */
  auditBefore: MemoryMessage['audit'] | null;
  auditAfter: MemoryMessage['audit'] | null;
  /** Time from the end of the load until the audit queue was empty (or the 15 s limit). */
  auditDrainMs: number;
}

const MiB = 1024 * 1024;
const DRAIN_LIMIT_MS = 15_000;

export async function soak(target: Target, opts: SoakOptions): Promise<SoakResult> {
  const samples: MemorySample[] = [];
  const t0 = performance.now();
  let last: MemoryMessage | null = null;
  let tick = 0;
  const auditBefore = (await target.server.memory().catch(() => null))?.audit ?? null;
  const sample = async () => {
    const t = (performance.now() - t0) / 1000;
    const rss = rssOf(target.server.pid);
    // Ask the process for its heap every 5 s only: the answer costs it a little work.
    if (tick++ % 5 === 0) last = (await target.server.memory().catch(() => null)) ?? last;
    if (rss !== null) samples.push({ t, rss, heapUsed: last?.heapUsed ?? null, heapTotal: last?.heapTotal ?? null, external: last?.external ?? null });
  };
  await sample();
  const timer = setInterval(() => void sample(), 1000);
  let load: LoadResult;
  try {
    load = await runLoad(target, { connections: opts.connections, durationS: opts.durationS, body: opts.body, rate: opts.rate });
  } finally {
    clearInterval(timer);
  }
  await sample();
  // How long the audit log takes to write what was still queued when the load stopped.
  const drainStart = performance.now();
  let auditAfter = (await target.server.memory().catch(() => null))?.audit ?? null;
  while (auditAfter && auditAfter.queued > 0 && performance.now() - drainStart < DRAIN_LIMIT_MS) {
    await new Promise((r) => setTimeout(r, 100));
    auditAfter = (await target.server.memory().catch(() => null))?.audit ?? null;
  }
  const auditDrainMs = performance.now() - drainStart;

  const rss = samples.map((s) => s.rss);
  const half = samples.filter((s) => s.t >= opts.durationS / 2);
  const perMin = (bytesPerS: number) => (bytesPerS * 60) / MiB;
  const seconds = load.perSecond.slice(0, Math.floor(load.durationS)); // drop the partial last second
  const span = Math.max(5, Math.floor(seconds.length / 10));
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
  return {
    durationS: opts.durationS,
    load,
    samples,
    startRss: rss[0] ?? Number.NaN,
    endRss: rss[rss.length - 1] ?? Number.NaN,
    maxRss: Math.max(...rss),
    slopeMiBPerMin: perMin(slope(samples.map((s) => ({ x: s.t, y: s.rss })))),
    slopeSecondHalfMiBPerMin: perMin(slope(half.map((s) => ({ x: s.t, y: s.rss })))),
    heapSlopeSecondHalfMiBPerMin: perMin(slope(half.filter((s) => s.heapUsed !== null).map((s) => ({ x: s.t, y: s.heapUsed! })))),
    externalSlopeSecondHalfMiBPerMin: perMin(slope(half.filter((s) => s.external !== null).map((s) => ({ x: s.t, y: s.external! })))),
    rpsFirst: mean(seconds.slice(0, span)),
    rpsLast: mean(seconds.slice(-span)),
    auditBefore,
    auditAfter,
    auditDrainMs,
  };
}
