// SCRATCH: per-thread CPU of Rampart under 1-connection load
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkServer } from '../gateway-overhead/processes.ts';
import { runLoad } from '../gateway-overhead/load.ts';
import { chatBody, CHAT_PATH } from '../gateway-overhead/targets.ts';
const conns = Number(process.argv[2] ?? 1);
const up = await forkServer('upstream', 'upstream-server.ts', { apiKey: 'sk-up', chunks: 10, chunkDelayMs: 2 });
const d = mkdtempSync(join(tmpdir(), 'thr-'));
const s = await forkServer('rampart', 'rampart-server.ts', { upstreamUrl: up.url, upstreamKey: 'sk-up', model: 'gpt-4o-mini', dataDir: join(d, 'data'), logFile: join(d, 'log') });
const t = { name: 'rampart' as const, origin: s.url, path: CHAT_PATH, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.apiKey}` }, server: s };
const threads = () => Object.fromEntries(readdirSync(`/proc/${s.pid}/task`).map((tid) => { const st = readFileSync(`/proc/${s.pid}/task/${tid}/stat`, 'utf8'); const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); return [`${tid} ${name}`, (Number(f[11]) + Number(f[12])) / 100]; }));
await runLoad(t, { connections: conns, durationS: 2, body: chatBody('gpt-4o-mini', false) });
const a = threads();
const r = await runLoad(t, { connections: conns, durationS: 10, body: chatBody('gpt-4o-mini', false) });
const b = threads();
console.log(`${Math.round(r.rps)} req/s`);
for (const k of Object.keys(b)) { const v = (b[k]! - (a[k] ?? 0)) / r.durationS; if (v > 0.005) console.log(k.padEnd(30), v.toFixed(3), 'cores'); }
await s.stop(); await up.stop();
