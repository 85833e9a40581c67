/**
 * Rampart's request path in instructions, not seconds: one process runs the mock upstream,
 * Rampart (as the `rampart` bench target: API key, six counters, audit, access log, metrics; the
 * store on PostgreSQL so that no WebAssembly database runs under the instrumentation) and a client
 * that sends `--requests` chat completions, 8 at a time. Run it twice under callgrind with two
 * request counts; the difference over the difference of requests is the instructions one request
 * costs, start-up cancelled out:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/a node --single-threaded bench/gateway-overhead/instructions.ts --requests 100
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/b node --single-threaded bench/gateway-overhead/instructions.ts --requests 600
 *   # (Ir of b − Ir of a) / 500
 *
 * `--single-threaded` keeps V8's compiler and collector on the main thread, which makes the count
 * repeatable (to about 0.1 % here). The count includes the client's and the upstream's
 * instructions, which do not change with Rampart's code: compare two versions, not absolute
 * figures. On this machine's speed drift (±20 % within minutes, see docs/benchmarks.md) this is the
 * way to see a change of a few per cent. Needs PostgreSQL (RAMPART_TEST_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test).
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { validateConfig } from '../../src/config/load.ts';
import { createLogger, logDestination } from '../../src/monitor/logger.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { startApp } from '../../src/server/app.ts';
import { startMockUpstream } from '../../test/support/mock-upstream.ts';
import { chatBody } from './targets.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100' }, log: { type: 'string', default: '/dev/null' } } });
const requests = Number(values.requests);
const MODEL = 'gpt-4o-mini';
const HIGH = { requestsPerMinute: 100_000_000, tokensPerMinute: 10_000_000_000 };

const upstream = await startMockUpstream({ record: false, apiKey: 'sk-upstream' });
const config = validateConfig(rampartConfigSchema(), {
  storage: { kind: 'postgres', url: process.env.RAMPART_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  server: { host: '127.0.0.1', port: 0 },
  log: { level: 'info' },
  guard: { defaultProfile: 'off' },
  // Whole batches only: a flush timer would make the number of batches depend on the speed of
  // the run, and the instrumented run is a hundred times slower.
  audit: { chainId: `instructions-${process.pid}`, batchSize: 100, flushIntervalMs: 60_000 },
  roles: { bench: { deployments: [MODEL] } },
  limits: { principal: HIGH, apiKey: HIGH },
  deployments: [{ name: MODEL, targets: [{ provider: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-upstream', model: MODEL }], limits: HIGH }],
});
const app = await startApp(config, { logger: createLogger(config.log.level, logDestination(values.log!)), bootstrapKey: false, defaultMetrics: false });
const { plaintext } = await app.identity.keys.create({ name: 'instructions', principalKind: 'app', roles: ['bench'], limits: null, createdBy: 'bench' });
const key = plaintext.reveal();
const client = new Pool(app.url, { connections: 8 });
const body = chatBody(MODEL, false);
let sent = 0;
let failed = 0;
async function worker(): Promise<void> {
  while (sent < requests) {
    sent++;
    const res = await client.request({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    await res.body.text();
    if (res.statusCode !== 200) failed++;
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
await client.close();
await app.close();
await upstream.close();
process.stdout.write(`${requests} requests, ${failed} failed\n`);
if (failed > 0) process.exitCode = 1;
