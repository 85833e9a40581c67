/**
 * Closed-loop load with wrk (Debian's `wrk`, written in C): the same measurement as load.ts's
 * autocannon runs, with a load generator that takes a fraction of the CPU. On a 2-core machine the
 * load generator shares the cores with the servers it measures, and autocannon (JavaScript) spends
 * about 0.1 ms of CPU per request: at 5 000 req/s that is half a core taken from the faster
 * gateway and much less from the slower one, which compresses every throughput ratio.
 *
 * wrk's own report is text; a Lua script (written per run) adds a `done` hook that prints one JSON
 * line with the latency percentiles (µs, from wrk's own histogram), the error counts, the CPU wrk
 * used (read from /proc/self/stat, since the process is gone when we could look) and, when asked,
 * every value of one response header.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from './stats.ts';
import type { Target } from './targets.ts';

let available: boolean | undefined;

/** Whether `wrk` is on PATH (`apt-get install wrk`). */
export function wrkAvailable(): boolean {
  available ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return available;
}

export interface WrkOptions {
  connections: number;
  durationS: number;
  body: string;
  /** Collect this response header's values (numbers). */
  sampleHeader?: string;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  latency: Summary;
  non2xx: number;
  errors: number;
  /** CPU seconds wrk used (user + system). */
  cpuS: number;
  header: number[] | null;
}

/** A Lua string literal (wrk's scripts are Lua 5.1 / LuaJIT). */
function luaString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

function script(target: Target, opts: WrkOptions): string {
  const headers = Object.entries(target.headers)
    .map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`)
    .join('\n');
  const sample = opts.sampleHeader?.toLowerCase();
  return `
wrk.method = "POST"
wrk.body = ${luaString(opts.body)}
${headers}
local threads = {}
function setup(thread) table.insert(threads, thread) end
${
  sample
    ? `samples = {}
function response(status, headers, body)
  for k, v in pairs(headers) do
    if string.lower(k) == ${luaString(sample)} then samples[#samples + 1] = tonumber(v) break end
  end
end`
    : ''
}
local function cpu()
  local f = io.open("/proc/self/stat", "r")
  if not f then return -1 end
  local s = f:read("*a") f:close()
  local rest = string.sub(s, string.find(s, ")", 1, true) + 2)
  local fields = {}
  for w in string.gmatch(rest, "%S+") do fields[#fields + 1] = w end
  return tonumber(fields[12]) + tonumber(fields[13])
end
function done(summary, latency, requests)
  local e = summary.errors
  local parts = {
    '"requests":' .. summary.requests, '"durationUs":' .. summary.duration,
    '"status":' .. e.status, '"errors":' .. (e.connect + e.read + e.write + e.timeout),
    '"mean":' .. latency.mean, '"p50":' .. latency:percentile(50), '"p90":' .. latency:percentile(90),
    '"p99":' .. latency:percentile(99), '"max":' .. latency.max, '"cpuTicks":' .. cpu(),
  }
  ${
    sample
      ? `local all = {}
  for _, t in ipairs(threads) do
    local s = t:get("samples")
    for i = 1, #s do all[#all + 1] = s[i] end
  end
  parts[#parts + 1] = '"header":[' .. table.concat(all, ",") .. ']'`
      : ''
  }
  io.write("\\nWRK-JSON {" .. table.concat(parts, ",") .. "}\\n")
end
`;
}

/** One wrk run (one thread: enough for tens of thousands of requests per second). */
export async function runWrk(target: Target, opts: WrkOptions, clockTicks: number): Promise<WrkResult> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-wrk-'));
  try {
    const file = join(dir, 'bench.lua');
    await writeFile(file, script(target, opts));
    const args = ['-t1', `-c${opts.connections}`, `-d${opts.durationS}s`, '--timeout', '30s', '-s', file, target.origin + target.path];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const line = out.split('\n').find((l) => l.startsWith('WRK-JSON '));
    if (code !== 0 || !line) throw new Error(`wrk exited with ${code}: ${(err || out).slice(0, 500)}`);
    const j = JSON.parse(line.slice('WRK-JSON '.length)) as {
      requests: number;
      durationUs: number;
      status: number;
      errors: number;
      mean: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
      cpuTicks: number;
      header?: number[];
    };
    const ms = (us: number) => us / 1000;
    return {
      requests: j.requests,
      durationS: j.durationUs / 1e6,
      latency: { count: j.requests, mean: ms(j.mean), p50: ms(j.p50), p90: ms(j.p90), p99: ms(j.p99), max: ms(j.max) },
      non2xx: j.status,
      errors: j.errors,
      cpuS: j.cpuTicks >= 0 ? j.cpuTicks / clockTicks : Number.NaN,
      header: j.header ?? null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
