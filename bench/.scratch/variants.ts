// SCRATCH driver: measure Rampart variants at 32 connections.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkServer } from '../gateway-overhead/processes.ts';
import { runLoad } from '../gateway-overhead/load.ts';
import { chatBody, CHAT_PATH } from '../gateway-overhead/targets.ts';
import { cpuSecondsOf } from '../gateway-overhead/proc.ts';
import { execFileSync } from 'node:child_process';

const variants = (process.argv[2] ?? 'base').split(',');
const conns = Number(process.argv[3] ?? 32);
const up = await forkServer('upstream', 'upstream-server.ts', { apiKey: 'sk-up', chunks: 10, chunkDelayMs: 2 });
for (const v of variants) {
  const env: Record<string, string> = {};
  if (v.includes('noaudit')) env.NO_AUDIT = '1';
  if (v.includes('nolimits')) env.NO_LIMITS = '1';
  const m = /w(\d)/.exec(v); if (m) env.WORKERS = m[1]!;
  const b = /b(\d+)/.exec(v); if (b) env.AUDIT_BATCH = b[1]!;
  Object.assign(process.env, { NO_AUDIT: '', NO_LIMITS: '', WORKERS: '', AUDIT_BATCH: '' }, env);
  const d = mkdtempSync(join(tmpdir(), 'var-'));
  const s = await forkServer('rampart', '../.scratch/variant-server.ts', { upstreamUrl: up.url, upstreamKey: 'sk-up', model: 'gpt-4o-mini', dataDir: d });
  const t = { name: 'rampart' as const, origin: s.url, path: CHAT_PATH, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.apiKey}` }, server: s };
  const pids = () => { try { return execFileSync('pgrep', ['-P', String(s.pid)], { encoding: 'utf8' }); } catch { return ''; } }; const pids0 = () => pids().trim().split('\n').filter(Boolean).map(Number).concat([s.pid]);
  if (process.env.PIN) {
    execFileSync('taskset', ['-a', '-cp', '1', String(s.pid)]);
    for (const c of pids0()) execFileSync('taskset', ['-a', '-cp', '1', c]);
    execFileSync('taskset', ['-a', '-cp', '0', String(up.pid)]);
    execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)]);
  }
  await runLoad(t, { connections: conns, durationS: 2, body: chatBody('gpt-4o-mini', false) });
  const ps = pids0(); const c0 = ps.map((p) => cpuSecondsOf(p) ?? 0);
  const r = await runLoad(t, { connections: conns, durationS: 10, body: chatBody('gpt-4o-mini', false) });
  const cpu = ps.map((p, i) => (cpuSecondsOf(p) ?? 0) - c0[i]!).reduce((a, b) => a + b, 0) / r.durationS;
  console.log(`${v.padEnd(16)} ${Math.round(r.rps)} req/s p50 ${r.latency.p50.toFixed(2)} p99 ${r.latency.p99.toFixed(2)} ms  rampart CPU ${cpu.toFixed(2)} cores  client ${r.clientCpu.toFixed(2)}  upstream ${(r.serverCpu ?? 0).toFixed(2)} errors ${r.non2xx + r.errors}`);
  await s.stop();
}
await up.stop();
