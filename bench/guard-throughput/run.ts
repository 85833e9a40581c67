/**
 * Guard engine throughput and latency on 2 KB prompts, one core: the built-in `default` profile
 * (normalization + prompt-injection classifier + DLP) against a baseline that only does the work
 * every scanner must do at least (NFKC normalization and one linear regex pass over the text),
 * side by side in one run. Prints MB/s, p50/p99 per prompt and the ratio.
 *
 *   node bench/guard-throughput/run.ts [--seconds 5] [--size 2048] [--profile default]
 */
import { parseArgs } from 'node:util';
import { scan } from '../../src/guard/engine.ts';
import { benchPrompts } from './prompts.ts';
import { Vault } from '../../src/guard/rewrite.ts';
import { parseConfig } from '../../src/server/config.ts';
import { buildGuardProfiles } from '../../src/server/guard.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    size: { type: 'string', default: '2048' },
    profile: { type: 'string', default: 'default' },
  },
});
const seconds = Number(values.seconds);
const size = Number(values.size);

const prompts = benchPrompts(size, 200);

const BASELINE_RE = /[\p{L}\p{N}]+@[\p{L}\p{N}.-]+|\d{4,}/gu;
function baseline(text: string): number {
  const t = text.normalize('NFKC');
  let n = 0;
  for (const _ of t.matchAll(BASELINE_RE)) n++;
  return n;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Side {
  readonly name: string;
  readonly fn: (text: string) => unknown;
  bytes: number;
  cpuUs: number;
  wallMs: number;
  readonly lat: number[];
}

/** Runs `side` for `ms`, adding what it did to its totals. */
async function slice(side: Side, ms: number, from: number): Promise<number> {
  let i = from;
  const t0 = performance.now();
  const end = t0 + ms;
  const cpu0 = process.cpuUsage();
  while (performance.now() < end) {
    const text = prompts[i++ % prompts.length]!;
    const s = performance.now();
    await side.fn(text);
    side.lat.push(performance.now() - s);
    side.bytes += Buffer.byteLength(text);
  }
  const cpu = process.cpuUsage(cpu0);
  // Per core: the bytes over the CPU time the process used meanwhile (the loop, and V8's collector
  // and compiler threads working for it). Wall time also counts moments the VM did not run.
  side.cpuUs += cpu.user + cpu.system;
  side.wallMs += performance.now() - t0;
  return i;
}

/**
 * The baseline and the guard take turns in slices of 250 ms until each has run `seconds`: the
 * VM's speed drifts by tens of per cent within minutes, and both sides then see the same drift,
 * so their ratio is steadier than two runs one after the other.
 */
async function measure(sides: Side[]): Promise<{ name: string; mbps: number; cpuMbps: number; p50: number; p99: number }[]> {
  for (const side of sides) for (let i = 0; i < 200; i++) await side.fn(prompts[i % prompts.length]!); // warm-up (JIT, caches)
  let next = 0;
  for (let done = 0; done < seconds * 1000; done += 250) for (const side of sides) next = await slice(side, 250, next);
  return sides.map((side) => {
    side.lat.sort((a, b) => a - b);
    return { name: side.name, mbps: side.bytes / 1e3 / side.wallMs, cpuMbps: side.bytes / side.cpuUs, p50: percentile(side.lat, 50), p99: percentile(side.lat, 99) };
  });
}

const config = parseConfig('');
const profile = buildGuardProfiles(config, {}).get(values.profile!);
if (!profile) throw new Error(`profile ${values.profile} is off`);

const [base, guard] = (await measure([
  { name: 'baseline (NFKC + one regex pass)', fn: baseline, bytes: 0, cpuUs: 0, wallMs: 0, lat: [] },
  {
    name: `guard profile '${profile.name}' (${profile.detectors.map((d) => d.id).join(', ')})`,
    fn: (text) => scan(profile, [{ path: 'messages[0].content', channel: 'user', text }], new Vault()),
    bytes: 0,
    cpuUs: 0,
    wallMs: 0,
    lat: [],
  },
])) as [Awaited<ReturnType<typeof measure>>[number], Awaited<ReturnType<typeof measure>>[number]];

const row = (r: typeof base) => `| ${r.name} | ${r.cpuMbps.toFixed(1)} | ${r.mbps.toFixed(1)} | ${(r.p50 * 1000).toFixed(0)} | ${(r.p99 * 1000).toFixed(0)} |`;
process.stdout.write(
  [
    `guard throughput on ${size}-byte prompts, one core, ${seconds} s each in alternating slices of 250 ms (node ${process.version})`,
    '',
    '| what | MB/s per core (CPU time) | MB/s (wall) | p50 µs | p99 µs |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(base),
    row(guard),
    '',
    `guard / baseline: throughput ${(guard.cpuMbps / base.cpuMbps).toFixed(3)}× (CPU time), p99 ${(guard.p99 / base.p99).toFixed(1)}×`,
    `targets: ≥ 20 MB/s per core (${guard.cpuMbps >= 20 ? 'met' : 'NOT met'}: ${guard.cpuMbps.toFixed(1)} MB/s per CPU second), p99 ≤ 1 ms per prompt (${guard.p99 <= 1 ? 'met' : 'NOT met'})`,
    '',
  ].join('\n'),
);
