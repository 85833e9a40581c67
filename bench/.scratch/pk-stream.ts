import { forkServer, startPortkey } from '../gateway-overhead/processes.ts';
const up = await forkServer('upstream', 'upstream-server.ts', { apiKey: 'sk-up', chunks: 10, chunkDelayMs: Number(process.argv[2] ?? 50) });
const pk = await startPortkey();
for (let rep = 0; rep < 3; rep++) for (const [name, url, headers] of [['direct', up.url, {}], ['portkey', pk.url, { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${up.url}/v1` }]] as const) {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-up', ...headers }, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
  const times: string[] = [`headers ${(performance.now() - t0).toFixed(0)}`];
  for await (const c of res.body!) times.push(`${(performance.now() - t0).toFixed(0)}ms:${c.length}B`);
  console.log(name, res.headers.get('content-type'), res.headers.get('transfer-encoding'), times.join(' '));
}
await pk.stop(); await up.stop();
