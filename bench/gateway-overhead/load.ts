/**
 * Closed-loop load: `connections` clients each send the next request as soon as the previous
 * answer completed. Two load generators: wrk (wrk.ts; C, a small share of the CPU) and autocannon's
 * programmatic API (JavaScript; needed for a fixed request rate, and where wrk is not installed).
 * With autocannon, latencies are taken from its per-response event as floats (its own histogram
 * rounds to whole milliseconds, too coarse for a 1 ms target). requests/s counts 2xx answers over
 * the measured time.
 */
import autocannon from 'autocannon';
import type { GcPauses, PauseSum } from './child-ipc.ts';
import { busiestThread, clockTicks, cpuSecondsOf, foreignCpu, threadCpuOf } from './proc.ts';
import { Samples, type Summary } from './stats.ts';
import type { Target } from './targets.ts';
import { runWrk } from './wrk.ts';

export type LoadClient = 'wrk' | 'autocannon';

export interface LoadOptions {
  connections: number;
  durationS: number;
  body: string;
  /** Requests per second over all connections; 0 = as fast as answers come. */
  rate?: number;
  /** Read this response header as a number of ms (Rampart's x-rampart-overhead-ms). */
  sampleHeader?: string;
  /** The load generator; a fixed `rate` always uses autocannon (wrk has no rate). Default autocannon. */
  client?: LoadClient;
}

export interface LoadResult {
  target: string;
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  latency: Summary;
  non2xx: number;
  errors: number;
  /** CPU the serving process used, in cores (1.0 = one core busy all the time). */
  serverCpu: number | null;
  /** CPU of the server's busiest thread (its event loop), in cores. */
  busiestThreadCpu: number | null;
  /** CPU the load generator used, in cores (autocannon: this process; wrk: its process). */
  clientCpu: number;
  /** CPU used meanwhile by processes outside the benchmark (a shared machine), in cores. */
  otherCpu: number | null;
  /** Summary of the sampled header, when asked for. */
  header: Summary | null;
  /** 2xx answers completed in each second of the run. */
  perSecond: number[];
  /** The serving process's event-loop delay during the run, ms (forked servers only). */
  loopDelay: { p50: number; p99: number; max: number } | null;
  /** The serving process's main-thread GC pauses during the run (forked servers only). */
  gc: GcPauses | null;
}

/** Runs of one target at one connection count, in several rounds, and their medians. */
export interface LoadSeries extends LoadResult {
  /** Every round's result; the top-level figures are the medians over them. */
  rounds: LoadResult[];
  rpsMin: number;
  rpsMax: number;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Medians over rounds: each figure independently (so p50 and p99 may come from different rounds). */
export function aggregate(rounds: LoadResult[]): LoadSeries {
  const m = (f: (r: LoadResult) => number) => median(rounds.map(f));
  const mOpt = (f: (r: LoadResult) => number | null | undefined) => {
    const v = rounds.map(f).filter((x): x is number => x !== null && x !== undefined);
    return v.length ? median(v) : null;
  };
  const summary = (all: Summary[]): Summary => ({
    count: median(all.map((x) => x.count)),
    mean: median(all.map((x) => x.mean)),
    p50: median(all.map((x) => x.p50)),
    p90: median(all.map((x) => x.p90)),
    p99: median(all.map((x) => x.p99)),
    max: median(all.map((x) => x.max)),
  });
  const first = rounds[0]!;
  const headers = rounds.map((r) => r.header).filter((h): h is Summary => h !== null);
  const loops = rounds.map((r) => r.loopDelay).filter((l): l is NonNullable<LoadResult['loopDelay']> => l !== null);
  return {
    target: first.target,
    connections: first.connections,
    durationS: rounds.reduce((a, r) => a + r.durationS, 0),
    requests: rounds.reduce((a, r) => a + r.requests, 0),
    rps: m((r) => r.rps),
    latency: summary(rounds.map((r) => r.latency)),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    serverCpu: mOpt((r) => r.serverCpu),
    busiestThreadCpu: mOpt((r) => r.busiestThreadCpu),
    clientCpu: m((r) => r.clientCpu),
    otherCpu: mOpt((r) => r.otherCpu),
    header: headers.length === rounds.length ? summary(headers) : null,
    perSecond: [],
    loopDelay:
      loops.length === rounds.length
        ? { p50: median(loops.map((l) => l.p50)), p99: median(loops.map((l) => l.p99)), max: median(loops.map((l) => l.max)) }
        : null,
    gc: gcMedian(rounds.map((r) => r.gc)),
    rounds,
    rpsMin: Math.min(...rounds.map((r) => r.rps)),
    rpsMax: Math.max(...rounds.map((r) => r.rps)),
  };
}

/** Per-round GC pauses, normalised to a round's length by the caller: medians of each figure. */
function gcMedian(all: (GcPauses | null)[]): GcPauses | null {
  if (all.some((g) => g === null)) return null;
  const g = all as GcPauses[];
  const sum = (pick: (x: GcPauses) => PauseSum): PauseSum => ({
    count: median(g.map((x) => pick(x).count)),
    totalMs: median(g.map((x) => pick(x).totalMs)),
    maxMs: median(g.map((x) => pick(x).maxMs)),
  });
  return { minor: sum((x) => x.minor), major: sum((x) => x.major) };
}

/** What a load generator reports of one run; runLoad adds the server's readings around it. */
interface ClientRun {
  durationS: number;
  requests: number;
  latency: Summary;
  non2xx: number;
  errors: number;
  /** CPU seconds the load generator used. */
  clientCpuS: number;
  /** Whether that CPU ran in a process the machine count sees as another job's (wrk, exited by now). */
  clientOutside: boolean;
  header: Summary | null;
  perSecond: number[];
}

export async function runLoad(target: Target, opts: LoadOptions): Promise<LoadResult> {
  await target.server.memory().catch(() => null); // resets the child's event-loop histogram
  const cpu0 = cpuSecondsOf(target.server.pid);
  const threads0 = threadCpuOf(target.server.pid);
  const foreign = foreignCpu();
  const t0 = performance.now();
  const r = opts.client === 'wrk' && !opts.rate ? await wrkRun(target, opts) : await autocannonRun(target, opts, t0);
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu1 = cpuSecondsOf(target.server.pid);
  const busiest = busiestThread(threads0, threadCpuOf(target.server.pid), elapsedS);
  const other = foreign(elapsedS);
  const probe = await target.server.memory().catch(() => null);
  return {
    target: target.name,
    connections: opts.connections,
    durationS: r.durationS,
    requests: r.requests,
    rps: r.requests / r.durationS,
    latency: r.latency,
    non2xx: r.non2xx,
    errors: r.errors,
    serverCpu: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / elapsedS : null,
    busiestThreadCpu: busiest?.cores ?? null,
    clientCpu: r.clientCpuS / r.durationS,
    otherCpu: other !== null && r.clientOutside && !Number.isNaN(r.clientCpuS) ? Math.max(0, other - r.clientCpuS / elapsedS) : other,
    header: r.header,
    perSecond: r.perSecond,
    loopDelay: probe?.loopDelay ?? null,
    gc: probe?.gc ?? null,
  };
}

async function autocannonRun(target: Target, opts: LoadOptions, t0: number): Promise<ClientRun> {
  const latencies = new Samples();
  const header = opts.sampleHeader ? new Samples() : null;
  const wanted = opts.sampleHeader?.toLowerCase();
  const self0 = process.cpuUsage();
  const instance = autocannon({
    url: target.origin + target.path,
    method: 'POST',
    headers: target.headers,
    body: opts.body,
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 30,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    ...(header
      ? {
          setupClient: (client) => {
            client.on('headers', (info) => {
              const h = info.headers;
              for (let i = 0; i < h.length; i += 2) {
                if (h[i]!.toLowerCase() === wanted) {
                  header.push(Number(h[i + 1]));
                  break;
                }
              }
            });
          },
        }
      : {}),
  });
  const perSecond: number[] = [];
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode >= 300) return;
    latencies.push(responseTime);
    const sec = Math.floor((performance.now() - t0) / 1000);
    perSecond[sec] = (perSecond[sec] ?? 0) + 1;
  });
  const result = await instance;
  const self = process.cpuUsage(self0);
  return {
    durationS: (performance.now() - t0) / 1000,
    requests: latencies.length,
    latency: latencies.summary(),
    non2xx: result.non2xx,
    errors: result.errors,
    clientCpuS: (self.user + self.system) / 1e6,
    clientOutside: false,
    header: header ? header.summary() : null,
    perSecond: Array.from(perSecond, (n) => n ?? 0),
  };
}

async function wrkRun(target: Target, opts: LoadOptions): Promise<ClientRun> {
  const r = await runWrk(target, opts, clockTicks());
  let header: Summary | null = null;
  if (r.header) {
    const samples = new Samples();
    for (const v of r.header) samples.push(v);
    header = samples.summary();
  }
  return {
    durationS: r.durationS,
    requests: r.requests - r.non2xx,
    latency: r.latency,
    non2xx: r.non2xx,
    errors: r.errors,
    clientCpuS: r.cpuS,
    clientOutside: true,
    header,
    perSecond: [],
  };
}
