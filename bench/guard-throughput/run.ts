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

async function measure(name: string, fn: (text: string) => unknown): Promise<{ name: string; mbps: number; cpuMbps: number; p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await fn(prompts[i % prompts.length]!); // warm-up (JIT, caches)
  const lat: number[] = [];
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let i = 0;
  while (performance.now() < end) {
    const text = prompts[i++ % prompts.length]!;
    const s = performance.now();
    await fn(text);
    lat.push(performance.now() - s);
    bytes += Buffer.byteLength(text);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  // Per core: the bytes over the CPU time the process used meanwhile (the loop, and V8's collector
  // and compiler threads working for it). Wall time also counts moments the VM did not run.
  return { name, mbps: bytes / 1e6 / elapsed, cpuMbps: bytes / ((cpu.user + cpu.system) / 1e6) / 1e6, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

const config = parseConfig('');
const profile = buildGuardProfiles(config, {}).get(values.profile!);
if (!profile) throw new Error(`profile ${values.profile} is off`);

const base = await measure('baseline (NFKC + one regex pass)', baseline);
const guard = await measure(`guard profile '${profile.name}' (${profile.detectors.map((d) => d.id).join(', ')})`, (text) =>
  scan(profile, [{ path: 'messages[0].content', channel: 'user', text }], new Vault()),
);

const row = (r: typeof base) => `| ${r.name} | ${r.cpuMbps.toFixed(1)} | ${r.mbps.toFixed(1)} | ${(r.p50 * 1000).toFixed(0)} | ${(r.p99 * 1000).toFixed(0)} |`;
process.stdout.write(
  [
    `guard throughput on ${size}-byte prompts, one core, ${seconds} s each (node ${process.version})`,
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
