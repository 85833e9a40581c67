/**
 * The streaming output guard against a direct stream (issue 4): the same streamed chat completion
 * straight from the mock upstream, through Rampart with the guard off, and through Rampart with the
 * built-in `default` profile (output DLP and exfiltration-link checks on every released window,
 * 256 characters held back per stream). Streams are sequential over one keep-alive connection per
 * target, targets taking turns, each in its own process (see bench/gateway-overhead).
 *
 * Reported per target (medians): time to first content, the time at which the upstream had sent
 * the hold-back window's worth of text (the earliest the guard can release anything), the time to
 * the last content, and content characters per second over the stream. The targets of issue 4:
 * added TTFT ≤ 5 ms beyond the hold-back window, and ≥ 90 % of direct characters (tokens) per second.
 *
 *   node bench/stream-guard/run.ts [--streams 30] [--chunks 120] [--delay 5] [--json file]
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { forkServer, type Server } from '../gateway-overhead/processes.ts';
import type { RampartChildOptions } from '../gateway-overhead/rampart-server.ts';
import type { UpstreamChildOptions } from '../gateway-overhead/upstream-server.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '30' },
    chunks: { type: 'string', default: '120' },
    delay: { type: 'string', default: '5' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('Usage: node bench/stream-guard/run.ts [--streams 30] [--chunks 120] [--delay 5] [--json file]\n');
  process.exit(0);
}
const STREAMS = Number(values.streams);
const CHUNKS = Number(values.chunks);
const DELAY = Number(values.delay);
const HOLD_BACK = 256; // the built-in profile's stream.holdBackChars
const MODEL = 'gpt-4o-mini';
const KEY = 'sk-bench-upstream-0123456789abcdef';
// An ordinary answer with a few values the output DLP looks at but that are harmless (versions, a date).
const ANSWER = (
  'To upgrade the service, first read the release notes for version 4.2.1 and check that your cluster runs at least ' +
  'Kubernetes 1.29. Then drain one node at a time, apply the new manifests, and watch the rollout status until every ' +
  'replica reports ready. The migration on 2024-03-18 showed that the cache warms up within ten minutes, so schedule ' +
  'the switch outside business hours and keep the previous image tagged for a quick rollback. '
).repeat(3);

interface Probe {
  ttft: number;
  window: number;
  last: number;
  chars: number;
  ok: boolean;
}

async function one(pool: Pool, path: string, headers: Record<string, string>): Promise<Probe> {
  const body = JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'How do I upgrade?' }] });
  const t0 = performance.now();
  const res = await pool.request({ method: 'POST', path, headers, body });
  let buffer = '';
  let chars = 0;
  let ttft = Number.NaN;
  let window = Number.NaN;
  let last = Number.NaN;
  let done = false;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 2);
      if (frame === 'data: [DONE]') {
        done = true;
        continue;
      }
      if (!frame.startsWith('data: ')) continue;
      const c = (JSON.parse(frame.slice(6)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
      if (!c) continue;
      const now = performance.now() - t0;
      if (chars === 0) ttft = now;
      chars += c.length;
      if (Number.isNaN(window) && chars > HOLD_BACK) window = now;
      last = now;
    }
  }
  return { ttft, window, last, chars, ok: res.statusCode === 200 && done && chars === ANSWER.length };
}

const median = (xs: number[]) => {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return v.length === 0 ? Number.NaN : v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

const dataDir = await mkdtemp(join(tmpdir(), 'rampart-stream-bench-'));
const servers: Server[] = [];
try {
  const upstream = await forkServer('upstream', 'upstream-server.ts', { apiKey: KEY, chunks: CHUNKS, chunkDelayMs: DELAY, text: ANSWER } satisfies UpstreamChildOptions);
  servers.push(upstream);
  const rampart = (name: string, guard: 'off' | 'default') =>
    forkServer(name, 'rampart-server.ts', { upstreamUrl: upstream.url, upstreamKey: KEY, model: MODEL, dataDir: join(dataDir, name), logFile: join(dataDir, `${name}.log`), guard, threads: 1 } satisfies RampartChildOptions);
  const [plain, guarded] = await Promise.all([rampart('rampart', 'off'), rampart('rampart-guard', 'default')]);
  servers.push(plain, guarded);
  const json = { 'content-type': 'application/json' };
  const targets = [
    { name: 'direct', server: upstream, headers: { ...json, authorization: `Bearer ${KEY}` } },
    { name: 'rampart', server: plain, headers: { ...json, authorization: `Bearer ${plain.apiKey}` } },
    { name: 'rampart-guard', server: guarded, headers: { ...json, authorization: `Bearer ${guarded.apiKey}` } },
  ].map((t) => ({ ...t, pool: new Pool(t.server.url, { connections: 1 }), probes: [] as Probe[], bad: 0 }));
  process.stderr.write(`${STREAMS} streams per target (+3 warm-up), ${CHUNKS} chunks ${DELAY} ms apart, ${ANSWER.length} characters each\n`);
  for (let i = 0; i < STREAMS + 3; i++) {
    for (const t of targets) {
      const p = await one(t.pool, '/v1/chat/completions', t.headers);
      if (!p.ok) t.bad++;
      else if (i >= 3) t.probes.push(p);
    }
  }
  await Promise.all(targets.map((t) => t.pool.close()));
  const rows = targets.map((t) => {
    const last = median(t.probes.map((p) => p.last));
    const ttft = median(t.probes.map((p) => p.ttft));
    return { target: t.name, streams: t.probes.length, bad: t.bad, ttftMs: ttft, windowMs: median(t.probes.map((p) => p.window)), lastMs: last, charsPerS: median(t.probes.map((p) => p.chars / (p.last / 1000))) };
  });
  const direct = rows[0]!;
  process.stdout.write('\n| target | streams | bad | TTFT ms | upstream sent 256 chars at ms | last content ms | chars/s | chars/s vs direct | TTFT beyond the window ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows) {
    const beyond = r.target === 'rampart-guard' ? (r.ttftMs - direct.windowMs).toFixed(2) : '–';
    process.stdout.write(`| ${r.target} | ${r.streams} | ${r.bad} | ${r.ttftMs.toFixed(2)} | ${r.windowMs.toFixed(2)} | ${r.lastMs.toFixed(2)} | ${r.charsPerS.toFixed(0)} | ${(r.charsPerS / direct.charsPerS).toFixed(3)} | ${beyond} |\n`);
  }
  const g = rows[2]!;
  process.stdout.write(
    `\nTargets: added TTFT beyond the hold-back window ≤ 5 ms: ${(g.ttftMs - direct.windowMs).toFixed(2)} ms (${g.ttftMs - direct.windowMs <= 5 ? 'met' : 'NOT met'}); ` +
      `≥ 90 % of direct throughput: ${((g.charsPerS / direct.charsPerS) * 100).toFixed(1)} % (${g.charsPerS / direct.charsPerS >= 0.9 ? 'met' : 'NOT met'}).\n`,
  );
  if (values.json) writeFileSync(values.json, JSON.stringify({ streams: STREAMS, chunks: CHUNKS, delayMs: DELAY, holdBack: HOLD_BACK, rows }, null, 2));
} finally {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await rm(dataDir, { recursive: true, force: true });
}
