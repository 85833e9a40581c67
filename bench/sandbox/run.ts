/**
 * bench/sandbox: the execution plane's latency (issue 7; targets: session allocation p50 ≤ 20 ms
 * from the pool, trivial Python execution p50 ≤ 100 ms end to end).
 *
 *   node bench/sandbox/run.ts [--alloc 30] [--runs 40] [--seconds 10] [--json]
 *
 * 1. Allocation: a new environment from the pool (refilled between takes, the steady state)
 *    against creating one while the caller waits (the baseline, no pool), side by side.
 * 2. A trivial program per language: on the backend alone (env.exec, the baseline), end to end
 *    through the sandbox service (policy, approval lookup on the embedded store, session, backend,
 *    files diff, record) and through HTTP (the admin pipeline with a fixed principal), p50/p99.
 * 3. Executions per second with 2 concurrent callers (one session each), trivial Python.
 *
 * Needs the bubblewrap backend to be available on this machine; says why not otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { adminHandler } from '../../src/admin/admin-api.ts';
import { sandboxRoutes } from '../../src/admin/sandbox-routes.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { Principal } from '../../src/core/principal.ts';
import { sandboxConfigSchema } from '../../src/config/sandbox.ts';
import { Metrics } from '../../src/monitor/metrics.ts';
import { RoleEngine } from '../../src/policy/role-engine.ts';
import type { SandboxLanguage } from '../../src/sandbox/backend.ts';
import { createSandboxService } from '../../src/sandbox/index.ts';
import { loadBackend } from '../../src/sandbox/load-backend.ts';
import { EnvironmentPool } from '../../src/sandbox/pool.ts';
import { openStore } from '../../src/store/open-store.ts';

const { values } = parseArgs({ options: { alloc: { type: 'string', default: '30' }, runs: { type: 'string', default: '40' }, seconds: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } } });
const ALLOC = Number(values.alloc);
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const logger = pino({ level: 'silent' });
const out = (s: string) => {
  if (!values.json) process.stdout.write(`${s}\n`);
};

function stats(ms: number[]): { p50: number; p99: number; mean: number; n: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { p50: round(q(0.5)), p99: round(q(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), n: s.length };
}
const round = (x: number) => Math.round(x * 100) / 100;

const { backend, reason } = await loadBackend(sandboxConfigSchema.parse({}), logger);
const status = backend ? await backend.status() : null;
if (!backend || !status?.available) {
  process.stderr.write(`bench/sandbox: the bubblewrap backend is not available here: ${reason ?? status?.reason}\n`);
  process.exit(2);
}
out(`bench/sandbox on ${availableParallelism()} cores, backend ${backend.id} ${JSON.stringify(status.features)}`);

const config = sandboxConfigSchema.parse({ sessions: { pool: 2, maxPerTenant: 1000, maxTotal: 1000 } });
const limits = config.limits;
const report: Record<string, unknown> = { cores: availableParallelism(), features: status.features };

// --- 1. allocation: pool against create
const pool = new EnvironmentPool({ backend, size: 2, logger });
pool.warm(limits);
await pool.settled();
const fromPool: number[] = [];
const created: number[] = [];
for (let i = 0; i < ALLOC; i++) {
  let t = performance.now();
  const a = await pool.take(limits);
  fromPool.push(performance.now() - t);
  await a.env.destroy();
  await pool.settled();
  t = performance.now();
  const b = await backend.create({ sessionId: `bench-${i}`, limits });
  created.push(performance.now() - t);
  await b.destroy();
}
await pool.close();
const alloc = { pool: stats(fromPool), create: stats(created) };
report.allocation = alloc;
out('\nallocation (ms)           p50      p99     mean');
out(`  from the pool       ${String(alloc.pool.p50).padStart(8)} ${String(alloc.pool.p99).padStart(8)} ${String(alloc.pool.mean).padStart(8)}`);
out(`  created (no pool)   ${String(alloc.create.p50).padStart(8)} ${String(alloc.create.p99).padStart(8)} ${String(alloc.create.mean).padStart(8)}`);
out(`  pool is ${round(alloc.create.p50 / Math.max(alloc.pool.p50, 0.001))}x faster at p50   target: p50 ≤ 20 ms from the pool → ${alloc.pool.p50 <= 20 ? 'met' : 'MISSED'}`);

// --- 2. trivial programs, through the service and through HTTP
const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-sandbox-'));
const store = await openStore({ kind: 'embedded', dataDir: dir }, { logger });
const metrics = new Metrics({ defaultMetrics: false });
const sandbox = await createSandboxService(config, { store, clock: systemClock, logger, metrics, recordDetection: () => {}, backend });
const principal: Principal = { id: 'bench:caller', kind: 'app', roles: ['runner'], groups: [], authMethod: 'api-key' };
const TRIVIAL: Record<SandboxLanguage, string> = { python: 'print(1)', javascript: 'console.log(1)', shell: 'echo 1' };
const noop = { requestId: 'bench', note: () => {} };

const server = createServer();
const routes = sandboxRoutes(sandbox);
const execRoute = routes.find((r) => r.path === '/sandbox/v1/code/execute')!;
const handle = adminHandler(
  { authenticate: async () => ({ principal }), policy: new RoleEngine({ runner: { deployments: [], admin: ['sandbox:execute'] } }), record: () => {}, metrics, logger, clock: systemClock, bodyLimit: 1 << 20, sourceIp: () => null },
  execRoute,
);
server.on('request', (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  void handle(req, res, {}, url.searchParams);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const perLanguage: Record<string, unknown> = {};
out('\ntrivial program, end to end (ms)   p50      p99     mean');
for (const language of Object.keys(TRIVIAL) as SandboxLanguage[]) {
  const code = TRIVIAL[language];
  const direct: number[] = [];
  const service: number[] = [];
  const http: number[] = [];
  for (let i = 0; i < 3; i++) await sandbox.executions.execute(principal, `warm-${language}`, { language, code }, noop);
  const env = await backend.create({ sessionId: `bench-direct-${language}`, limits });
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await env.exec({ language, code, limits, network: { mode: 'none' } });
    direct.push(performance.now() - t);
    t = performance.now();
    const r = await sandbox.executions.execute(principal, `svc-${language}`, { language, code }, noop);
    service.push(performance.now() - t);
    if (r.result.exitCode !== 0) throw new Error(`${language}: exit ${r.result.exitCode}: ${r.result.stderr}`);
    t = performance.now();
    const res = await fetch(`${base}/sandbox/v1/code/execute?identifier=http-${language}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language, code }) });
    await res.arrayBuffer();
    http.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${language} over HTTP: ${res.status}`);
  }
  await env.destroy();
  const row = { backend: stats(direct), service: stats(service), http: stats(http) };
  perLanguage[language] = row;
  out(`  ${language.padEnd(11)} backend    ${String(row.backend.p50).padStart(8)} ${String(row.backend.p99).padStart(8)} ${String(row.backend.mean).padStart(8)}   (env.exec alone, the baseline)`);
  out(`  ${''.padEnd(11)} service    ${String(row.service.p50).padStart(8)} ${String(row.service.p99).padStart(8)} ${String(row.service.mean).padStart(8)}`);
  out(`  ${''.padEnd(11)} HTTP       ${String(row.http.p50).padStart(8)} ${String(row.http.p99).padStart(8)} ${String(row.http.mean).padStart(8)}`);
}
report.trivial = perLanguage;
const py = (perLanguage.python as { http: { p50: number } }).http.p50;
out(`  target: trivial Python p50 ≤ 100 ms end to end → ${py <= 100 ? 'met' : 'MISSED'} (${py} ms over HTTP)`);

// --- 3. throughput: 2 concurrent callers
let done = 0;
const until = performance.now() + SECONDS * 1000;
const caller = async (n: number) => {
  while (performance.now() < until) {
    await sandbox.executions.execute({ ...principal, id: `bench:caller-${n}` }, 'throughput', { language: 'python', code: TRIVIAL.python }, noop);
    done++;
  }
};
const t0 = performance.now();
await Promise.all([caller(1), caller(2)]);
const perSecond = round(done / ((performance.now() - t0) / 1000));
report.throughput = { callers: 2, executions: done, perSecond };
out(`\nthroughput: ${perSecond} trivial Python executions/s with 2 concurrent callers (${done} in ${SECONDS} s, ${availableParallelism()} cores)`);

await new Promise<void>((r) => server.close(() => r()));
await sandbox.close();
await backend.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
