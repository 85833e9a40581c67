/**
 * The figures as Markdown tables (what docs/benchmarks.md quotes) and the verdict against the
 * targets of issue 2: added p50 <= 1 ms at 1 connection; at 32 connections >= 3x Portkey's
 * throughput and <= 1/3 of its p99; memory flat over the soak.
 */
import { arch, cpus, release, totalmem } from 'node:os';
import type { LoadSeries } from './load.ts';
import type { SoakResult } from './soak.ts';
import type { StreamResult } from './stream-probe.ts';
import { RAMPART_TARGETS } from './targets.ts';

export interface BenchResults {
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string };
  /** Load generator of the closed-loop runs. */
  client: string;
  load: LoadSeries[];
  streaming: StreamResult[];
  soak: SoakResult | null;
}

/** Second-half RSS slope below this counts as flat. */
export const FLAT_MIB_PER_MIN = 1;
/** Shorter soaks mostly show the heap and the embedded database warming up. */
const MIN_SOAK_TO_JUDGE_S = 120;

export function machineInfo(): BenchResults['machine'] {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `${process.platform} ${release()} ${arch()}`,
    node: process.version,
  };
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');
const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const mib = (v: number) => (Number.isFinite(v) ? (v / 1024 ** 2).toFixed(1) : '–');
const cores = (v: number | null) => (v === null ? '–' : v.toFixed(2));

function find(load: LoadSeries[], target: string, connections: number): LoadSeries | undefined {
  return load.find((r) => r.target === target && r.connections === connections);
}

export function formatReport(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`, '');

  const rounds = r.load[0]?.rounds.length ?? 0;
  out.push(`### Non-streamed chat completions (closed loop, ${r.client}; medians of ${rounds} rounds)`, '');
  out.push('| connections | target | req/s | req/s range | p50 ms | p99 ms | added p50 ms | added p99 ms | server CPU (cores) | busiest thread (cores) | server CPU µs / request | event-loop delay p99 / max ms | load-generator CPU (cores) | other jobs’ CPU (cores) |');
  out.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const conns = [...new Set(r.load.map((l) => l.connections))];
  for (const c of conns) {
    const direct = find(r.load, 'direct', c);
    for (const l of r.load.filter((x) => x.connections === c)) {
      const addedP50 = direct && l.target !== 'direct' ? l.latency.p50 - direct.latency.p50 : Number.NaN;
      const addedP99 = direct && l.target !== 'direct' ? l.latency.p99 - direct.latency.p99 : Number.NaN;
      out.push(
        `| ${c} | ${l.target} | ${Math.round(l.rps)} | ${Math.round(l.rpsMin)}–${Math.round(l.rpsMax)} | ${ms(l.latency.p50)} | ${ms(l.latency.p99)} | ${signed(addedP50)} | ${signed(addedP99)} | ${cores(l.serverCpu)} | ${cores(l.busiestThreadCpu)} | ${l.serverCpu === null || l.rps <= 0 ? '–' : Math.round((l.serverCpu / l.rps) * 1e6)} | ${l.loopDelay ? `${ms(l.loopDelay.p99)} / ${ms(l.loopDelay.max)}` : '–'} | ${cores(l.clientCpu)} | ${cores(l.otherCpu)} |`,
      );
    }
  }
  out.push('');

  const withGc = r.load.filter((l) => l.gc !== null && l.rounds.length > 0);
  if (withGc.length > 0) {
    out.push("Main-thread garbage collection during the runs (medians over the rounds, per second of load; the longest pause of a round):", '');
    out.push('| connections | target | scavenges / s | scavenge ms / s | longest scavenge ms | other GC pauses / s | other GC ms / s | longest other ms |');
    out.push('|---:|---|---:|---:|---:|---:|---:|---:|');
    for (const l of withGc) {
      const g = l.gc!;
      const perS = (x: number) => (x / (l.durationS / l.rounds.length)).toFixed(1);
      out.push(`| ${l.connections} | ${l.target} | ${perS(g.minor.count)} | ${perS(g.minor.totalMs)} | ${ms(g.minor.maxMs)} | ${perS(g.major.count)} | ${perS(g.major.totalMs)} | ${ms(g.major.maxMs)} |`);
    }
    out.push('');
  }

  const rampartHeader = r.load.filter((l) => l.target.startsWith('rampart') && l.header);
  if (rampartHeader.length > 0) {
    out.push("Rampart's own time per request (x-rampart-overhead-ms, measured inside the process: its stages, not the HTTP hops):", '');
    out.push('| connections | target | p50 ms | p99 ms |', '|---:|---|---:|---:|');
    for (const l of rampartHeader) out.push(`| ${l.connections} | ${l.target} | ${ms(l.header!.p50)} | ${ms(l.header!.p99)} |`);
    out.push('');
  }

  const ratios = conns.flatMap((c) =>
    RAMPART_TARGETS.map((name) => ({ c, name, rampart: find(r.load, name, c), portkey: find(r.load, 'portkey', c) })),
  ).filter((x) => x.rampart && x.portkey);
  if (ratios.length > 0) {
    out.push('### Rampart vs Portkey', '');
    out.push('| connections | Rampart | throughput (Rampart / Portkey) | p50 (Rampart / Portkey) | p99 (Rampart / Portkey) |', '|---:|---|---:|---:|---:|');
    for (const { c, name, rampart, portkey } of ratios) {
      out.push(
        `| ${c} | ${name} | ${times(rampart!.rps / portkey!.rps)} | ${ms(rampart!.latency.p50 / portkey!.latency.p50)} | ${ms(rampart!.latency.p99 / portkey!.latency.p99)} |`,
      );
    }
    out.push('');
  }

  if (r.streaming.length > 0) {
    const direct = r.streaming.find((s) => s.target === 'direct');
    out.push('### Streaming: time to first token (sequential streamed requests, one connection per target, targets taking turns)', '');
    out.push('| target | streams | TTFT p50 ms | TTFT p99 ms | added TTFT p50 | added TTFT p99 | whole stream p50 ms | bad streams |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of r.streaming) {
      const a50 = direct && s.target !== 'direct' ? s.ttft.p50 - direct.ttft.p50 : Number.NaN;
      const a99 = direct && s.target !== 'direct' ? s.ttft.p99 - direct.ttft.p99 : Number.NaN;
      out.push(`| ${s.target} | ${s.ttft.count} | ${ms(s.ttft.p50)} | ${ms(s.ttft.p99)} | ${signed(a50)} | ${signed(a99)} | ${ms(s.total.p50)} | ${s.bad} |`);
    }
    out.push('');
  }

  if (r.soak) {
    const s = r.soak;
    const other = s.load.otherCpu === null ? '' : `; other jobs used ${cores(s.load.otherCpu)} cores meanwhile`;
    out.push(`### ${s.load.target} memory over ${s.durationS} s of steady load (${s.load.connections} connections, ${Math.round(s.load.rps)} req/s${other})`, '');
    out.push('| start RSS MiB | end RSS MiB | max RSS MiB | slope, whole run MiB/min | slope, 2nd half MiB/min | heap slope, 2nd half MiB/min | external (Buffers) slope, 2nd half MiB/min | req/s first → last tenth | audit events written | audit dropped | audit queue drained after |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const written = s.auditAfter && s.auditBefore ? s.auditAfter.written - s.auditBefore.written : Number.NaN;
    const dropped = s.auditAfter ? s.auditAfter.dropped + s.auditAfter.rejected : Number.NaN;
    out.push(
      `| ${mib(s.startRss)} | ${mib(s.endRss)} | ${mib(s.maxRss)} | ${signed(s.slopeMiBPerMin)} | ${signed(s.slopeSecondHalfMiBPerMin)} | ${signed(s.heapSlopeSecondHalfMiBPerMin)} | ${signed(s.externalSlopeSecondHalfMiBPerMin)} | ${Math.round(s.rpsFirst)} → ${Math.round(s.rpsLast)} | ${written} for ${s.load.requests} requests | ${dropped} | ${s.auditAfter?.queued ? `not within 15 s (${s.auditAfter.queued} left)` : `${(s.auditDrainMs / 1000).toFixed(1)} s`} |`,
    );
    out.push('');
  }

  out.push('### Targets (issue 2)', '');
  out.push(...verdicts(r).map((v) => `- ${v.met ? 'MET' : v.met === false ? 'NOT MET' : 'n/a'}: ${v.text}`));
  return out.join('\n');
}

export interface Verdict {
  text: string;
  met: boolean | null;
}

export function verdicts(r: BenchResults): Verdict[] {
  const v: Verdict[] = [];
  for (const name of RAMPART_TARGETS) {
    const d1 = find(r.load, 'direct', 1);
    const r1 = find(r.load, name, 1);
    if (d1 && r1) {
      const added = r1.latency.p50 - d1.latency.p50;
      v.push({ text: `${name}: added p50 at 1 connection ≤ 1 ms: ${added.toFixed(2)} ms`, met: added <= 1 });
    }
    const r32 = find(r.load, name, 32);
    const p32 = find(r.load, 'portkey', 32);
    if (r32 && p32) {
      const x = r32.rps / p32.rps;
      const p = r32.latency.p99 / p32.latency.p99;
      v.push({ text: `${name}: throughput at 32 connections ≥ 3× Portkey: ${x.toFixed(2)}×`, met: x >= 3 });
      v.push({ text: `${name}: p99 at 32 connections ≤ 1/3 of Portkey's: ${p.toFixed(2)} of it`, met: p <= 1 / 3 });
    }
  }
  if (r.soak) {
    const s = r.soak.slopeSecondHalfMiBPerMin;
    const judged = r.soak.durationS >= MIN_SOAK_TO_JUDGE_S;
    v.push({
      text: `${r.soak.load.target}: memory flat (RSS slope over the second half < ${FLAT_MIB_PER_MIN} MiB/min) over ${r.soak.durationS} s: ${signed(s)} MiB/min${judged ? '' : ` (too short to judge: warm-up growth dominates; the target is 300 s, run with --soak 300)`}`,
      met: judged ? s < FLAT_MIB_PER_MIN : null,
    });
  }
  return v;
}
