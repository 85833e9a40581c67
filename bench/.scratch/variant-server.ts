// SCRATCH experiment (not part of the bench): Rampart variants. env: NO_AUDIT=1, NO_LIMITS=1, WORKERS=n
import cluster from 'node:cluster';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/monitor/logger.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { startApp } from '../../src/server/app.ts';
import { generateApiKey } from '../../src/identity/api-key-format.ts';
import { send, serveParent } from '../gateway-overhead/child-ipc.ts';
import { freePort } from '../gateway-overhead/processes.ts';

const HIGH = { requestsPerMinute: 100_000_000, tokensPerMinute: 10_000_000_000 };
const opts = JSON.parse(process.argv[2] ?? '{}');
const workers = Number(process.env.WORKERS || 1);

async function runApp(port: number, dataDir: string, chain: string, key: { id: string; secretHash: string } | null) {
  const config = validateConfig(rampartConfigSchema(), {
    storage: { kind: 'embedded', dataDir },
    server: { host: '127.0.0.1', port },
    log: { level: 'info' },
    audit: { chainId: chain, ...(process.env.AUDIT_BATCH ? { batchSize: Number(process.env.AUDIT_BATCH) } : {}) },
    roles: { bench: { deployments: [opts.model] } },
    limits: process.env.NO_LIMITS ? {} : { principal: HIGH, apiKey: HIGH },
    deployments: [{ name: opts.model, targets: [{ provider: 'openai', baseUrl: `${opts.upstreamUrl}/v1`, apiKey: opts.upstreamKey, model: opts.model }], ...(process.env.NO_LIMITS ? {} : { limits: HIGH }) }],
  });
  const logger = createLogger('info', pino.destination({ dest: `${dataDir}.log`, sync: false }));
  const app = await startApp(config, { logger, bootstrapKey: false });
  if (process.env.NO_AUDIT) (app.audit as unknown as { record: () => void }).record = () => {};
  let plaintext: string | undefined;
  if (key) {
    const now = Date.now();
    await app.store.keys.insert({ id: key.id, name: 'bench', secretHash: key.secretHash, principalId: `key:${key.id}`, principalKind: 'app', roles: ['bench'], limits: null, createdAt: now, createdBy: 'bench', expiresAt: null, revokedAt: null, lastUsedAt: null, rotatedFrom: null });
  } else {
    plaintext = (await app.identity.keys.create({ name: 'bench', principalKind: 'app', roles: ['bench'], limits: null, createdBy: 'bench' })).plaintext.reveal();
  }
  return { app, plaintext };
}

if (workers === 1) {
  const { app, plaintext } = await runApp(0, `${opts.dataDir}/w0`, 'w0', null);
  serveParent({ memory: () => ({ type: 'memory', ...process.memoryUsage() }), stop: () => app.close() });
  send({ type: 'ready', url: app.url, apiKey: plaintext! });
} else if (cluster.isPrimary) {
  const port = await freePort();
  const k = generateApiKey();
  let ready = 0;
  const ws = Array.from({ length: workers }, (_, i) => cluster.fork({ W_INDEX: String(i), W_PORT: String(port), W_KEY: JSON.stringify({ id: k.id, secretHash: k.secretHash }) }));
  for (const w of ws) w.on('message', () => { if (++ready === workers) send({ type: 'ready', url: `http://127.0.0.1:${port}`, apiKey: k.plaintext.reveal() }); });
  serveParent({ memory: () => ({ type: 'memory', ...process.memoryUsage() }), stop: async () => { for (const w of ws) w.kill(); } });
} else {
  const i = process.env.W_INDEX!;
  await runApp(Number(process.env.W_PORT), `${opts.dataDir}/w${i}`, `w${i}`, JSON.parse(process.env.W_KEY!));
  process.send!('up');
}
