/**
 * A data-plane thread (server/threads.ts): serves /v1 on the main thread's port, with its own
 * caches and audit chain over the shared store and counters; forwards every other route to the
 * main thread. Started and stopped only by the main thread.
 */
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../monitor/logger.ts';
import { Metrics } from '../monitor/metrics.ts';
import { SharedBuckets } from '../store/counters/buckets.ts';
import { MemoryCounters } from '../store/counters/memory-counters.ts';
import { openCounters } from '../store/counters/open-counters.ts';
import { storeOn } from '../store/open-store.ts';
import { attachedPgliteClient } from '../store/pglite-client.ts';
import { createPostgresClient } from '../store/postgres-client.ts';
import type { Counters, Store } from '../store/types.ts';
import { ConnectionShares } from './connection-shares.ts';
import { buildChecks, buildDataPlane } from './data-plane-services.ts';
import { closeGracefully, createDataPlaneServer } from './http-server.ts';
import { forwarder, threadLogDestination, type FromThread, type ThreadData, type ToThread } from './threads.ts';

if (!parentPort) throw new Error('data-plane-thread.ts runs only as a worker thread');
const main = parentPort;
const data = workerData as ThreadData;
const { config } = data;
const post = (m: FromThread) => main.postMessage(m);
const logDest = threadLogDestination((text) => post({ type: 'log', text }));
const logger = createLogger(data.logLevel, logDest).child({ thread: data.index });
const closers: (() => Promise<void>)[] = [];
let shuttingDown = false;

async function start(): Promise<() => Promise<void>> {
  const clock = systemClock;
  const checks = await buildChecks(config, clock, logger);
  closers.push(() => checks.close());
  let store: Store;
  if (data.storePort) store = storeOn(attachedPgliteClient(data.storePort, logger));
  else if (config.storage.kind === 'postgres') store = storeOn(createPostgresClient({ ...config.storage, logger }));
  else throw new Error('no store for this thread');
  closers.push(() => store.close());
  const counters: Counters = data.counters ? new MemoryCounters({ table: new SharedBuckets(data.counters, threadId) }) : await openCounters(config.counters, { logger });
  closers.push(() => counters.close());
  const metrics = new Metrics({ defaultMetrics: false });
  const svc = await buildDataPlane(config, checks, { store, counters, clock, logger, metrics, chainId: data.chainId, closers });
  const forward = forwarder(data.forwardSocket, logger);
  closers.push(async () => forward.close());
  const shares = new ConnectionShares(data.shares, data.index);
  const server = createDataPlaneServer({ dataPlane: svc.dataPlane, forward: forward.forward, logger, isShuttingDown: () => shuttingDown, requestTimeoutMs: config.server.requestTimeoutMs, shares });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: data.port, host: config.server.host, reusePort: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const changes = new BroadcastChannel(data.channel);
  changes.onmessage = () => svc.forgetCaches();
  changes.unref();
  main.on('message', (m: ToThread) => {
    if (m.type === 'metrics') void metrics.registry.getMetricsAsJSON().then((json) => post({ type: 'metrics', id: m.id, json }));
  });
  return async () => {
    shuttingDown = true;
    changes.close();
    await closeGracefully(server, config.server.shutdownGraceMs);
  };
}

async function runClosers(): Promise<void> {
  for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'close step failed'));
}

try {
  const stop = await start();
  main.on('message', (m: ToThread) => {
    if (m.type !== 'close') return;
    void (async () => {
      await stop();
      await runClosers();
      logDest.flush();
      post({ type: 'closed' });
      // The main thread stops this thread when it reads 'closed'.
    })();
  });
  post({ type: 'ready' });
} catch (e) {
  await runClosers();
  logDest.flush();
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  main.close();
}
