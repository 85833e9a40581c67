/**
 * Child process: Rampart as `rampart serve` runs it (JSON access log at info, default process
 * metrics, Prometheus on), with what issue 2 measures switched on: API-key authentication,
 * request and token limits per principal, per key and per deployment (high enough never to
 * trigger, but every request is counted against all six counters), and the audit log on the
 * embedded store in a temporary data directory. The guard engine (a later issue) runs with
 * `guard: 'default'` (the built-in profile, as a config that says nothing gets) and is off with
 * `guard: 'off'`. argv[2]: JSON `RampartChildOptions`.
 */
import { validateConfig } from '../../src/config/load.ts';
import { createLogger, logDestination } from '../../src/monitor/logger.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { startApp } from '../../src/server/app.ts';
import { send, serveParent } from './child-ipc.ts';

export interface RampartChildOptions {
  upstreamUrl: string;
  upstreamKey: string;
  /** The deployment name clients send as `model`, also the upstream model name. */
  model: string;
  dataDir: string;
  logFile: string;
  /** Guard profile of every deployment: the built-in default, or off. */
  guard: 'default' | 'off';
  /** server.threads. */
  threads: number;
}

/** Never reached in a run (a few million per minute) but checked and counted on every request. */
const HIGH = { requestsPerMinute: 100_000_000, tokensPerMinute: 10_000_000_000 };

const opts = JSON.parse(process.argv[2] ?? '{}') as RampartChildOptions;
const config = validateConfig(rampartConfigSchema(), {
  storage: { kind: 'embedded', dataDir: opts.dataDir },
  server: { host: '127.0.0.1', port: 0, threads: opts.threads },
  log: { level: 'info' },
  guard: { defaultProfile: opts.guard },
  roles: { bench: { deployments: [opts.model] } },
  limits: { principal: HIGH, apiKey: HIGH },
  deployments: [
    {
      name: opts.model,
      targets: [{ provider: 'openai', baseUrl: `${opts.upstreamUrl}/v1`, apiKey: opts.upstreamKey, model: opts.model }],
      limits: HIGH,
    },
  ],
});
const logger = createLogger(config.log.level, logDestination(opts.logFile));
const app = await startApp(config, { logger, bootstrapKey: false });
const { plaintext } = await app.identity.keys.create({ name: 'bench', principalKind: 'app', roles: ['bench'], limits: null, createdBy: 'bench' });

serveParent({
  memory: () => {
    const s = app.audit.stats();
    return { type: 'memory', ...process.memoryUsage(), audit: { queued: s.queued, written: s.written, dropped: s.dropped, rejected: s.rejected } };
  },
  stop: () => app.close(),
});
send({ type: 'ready', url: app.url, apiKey: plaintext.reveal() });
