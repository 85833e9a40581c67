/**
 * Assembles Rampart from a validated config: store, counters, audit log, authenticators, policy,
 * quotas, provider targets and routers, the data plane and the admin API; then serves them and
 * shuts them down in order (stop accepting, let in-flight requests finish, flush the audit log,
 * close connections).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.ts';
import type { RampartConfig } from '../config/schema.ts';
import type { DetectorDescriptor } from '../guard/types.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { BatchWriter } from '../monitor/batch-writer.ts';
import { detectionRoutes } from '../admin/detections-routes.ts';
import { toolPinRoutes } from '../admin/tool-pins-routes.ts';
import { AuditLog } from '../monitor/audit-log.ts';
import { exportHeads, verifyAudit } from '../monitor/audit-verify.ts';
import { Metrics } from '../monitor/metrics.ts';
import { ElevationService } from '../identity/elevations.ts';
import { elevationRoutes } from '../admin/elevations-routes.ts';
import { accessReviewRoutes } from '../admin/access-review-routes.ts';
import { openCounters } from '../store/counters/open-counters.ts';
import { openStore } from '../store/open-store.ts';
import type { Counters, Store } from '../store/types.ts';
import { keyRoutes } from '../admin/keys-routes.ts';
import { agentRoutes } from '../admin/agents-routes.ts';
import { deploymentRoutes } from '../admin/deployments-routes.ts';
import { modelRoutes } from '../admin/models-routes.ts';
import { ModelRegistry } from '../models/registry.ts';
import { RegisterJobs } from '../models/register-jobs.ts';
import { modelTools } from '../models/tools.ts';
import { buildSandbox } from './sandbox.ts';
import { auditRoutes } from '../admin/audit-routes.ts';
import type { AdminDeps, AdminRoute } from '../admin/admin-api.ts';
import type { Identity } from './identity.ts';
import { closeGracefully, createHttpServer } from './http-server.ts';
import { threadId } from 'node:worker_threads';
import { SharedBuckets, SWEEP_EVERY } from '../store/counters/buckets.ts';
import { MemoryCounters } from '../store/counters/memory-counters.ts';
import { buildChecks, buildDataPlane } from './data-plane-services.ts';
import { DataPlaneThreads, threadCount } from './threads.ts';
import { ConnectionShares } from './connection-shares.ts';
import { ensureBootstrapKey } from './bootstrap-key.ts';

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  /** Collect Node's default process metrics (off in tests that start many apps). */
  defaultMetrics?: boolean;
  /** Detectors added to the shipped ones (plugins; tests add failing ones). */
  detectors?: readonly DetectorDescriptor<never>[];
  /** Write a bootstrap admin key file when the key store is empty (default true). */
  bootstrapKey?: boolean;
}

export interface RunningApp {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly store: Store;
  readonly counters: Counters;
  readonly audit: AuditLog;
  readonly identity: Identity;
  readonly metrics: Metrics;
  readonly detections: BatchWriter<DetectionRecord>;
  /** The extra data-plane threads (server.threads > 1), else null. */
  readonly threads: DataPlaneThreads | null;
  close(): Promise<void>;
}

export async function startApp(config: RampartConfig, opts: AppOptions): Promise<RunningApp> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? true });
  const threadsWanted = threadCount(config);
  if (threadsWanted > 1 && opts.detectors) throw new Error('detector plugins passed in code run on one thread only: set server.threads to 1');
  // Policy, access rules and the country database are checked before anything is opened.
  const checks = await buildChecks(config, clock, logger);
  const { basePolicy, sourceIp } = checks;
  const store = await openStore(config.storage, { logger });
  let counters: Counters | undefined;
  const closers: (() => Promise<void>)[] = [() => checks.close()];
  try {
    // With data-plane threads, memory counters live in shared memory so one limit holds across them.
    const sharedCounters = threadsWanted > 1 && config.counters.kind === 'memory' ? SharedBuckets.create({ maxKeys: config.counters.maxKeys, sweepEvery: SWEEP_EVERY }, threadId) : null;
    // With data-plane threads, each counts its connections so that their shares stay even.
    const sharesMemory = threadsWanted > 1 ? ConnectionShares.memory(threadsWanted) : null;
    counters = sharedCounters ? new MemoryCounters({ table: sharedCounters }) : await openCounters(config.counters, { logger });
    const chainId = config.audit.chainId ?? hostname();
    const svc = await buildDataPlane(config, checks, { store, counters, clock, logger, metrics, chainId, detectors: opts.detectors, closers });
    const { identity, audit: auditLog, detections, record, policy, eligibility, modelGate, pins, dataPlane } = svc;
    const accessCheck = svc.access;
    if (opts.bootstrapKey ?? true) await ensureBootstrapKey(config, identity, logger);

    // The execution plane (/sandbox/v1): refuses to run code, and says why, where it cannot isolate it.
    const sandbox = await buildSandbox(config, { store, clock, logger, metrics, recordDetection: svc.recordDetection });
    closers.push(() => sandbox.close());
    let threads: DataPlaneThreads | null = null;
    const elevations = new ElevationService({ repo: store.elevations, eligibility, clock, changed: () => policy.refresh() });

    // Model integrity: the registry (hash, verify, scan, approve) and the deploy gate over it.
    const registry = new ModelRegistry({ repo: store.models, config: config.models, tools: modelTools, clock, changed: () => {
      modelGate.invalidate();
      threads?.changed();
    } });
    const registerJobs = new RegisterJobs(registry, { clock });
    closers.push(() => registerJobs.idle());
    for (const name of modelGate.deployments) {
      const s = await modelGate.status(name);
      if (s && !s.allowed) logger.warn({ deployment: name, model: s.model.name, missing: s.missing }, 'deployment refused until its model passes verification');
    }

    const adminDeps: AdminDeps = {
      authenticate: (req) => identity.authenticate(req),
      policy,
      access: accessCheck,
      record,
      metrics,
      logger,
      clock,
      bodyLimit: Math.min(config.server.bodyLimitBytes, 1024 * 1024),
      sourceIp,
      // Other threads drop what they cached of keys, agents, pins, models and elevations.
      changed: () => threads?.changed(),
    };
    const adminRoutes: AdminRoute[] = [
      ...keyRoutes(identity.keys, () => clock.now()),
      ...agentRoutes(identity.agents),
      ...deploymentRoutes(config.deployments, modelGate),
      ...modelRoutes(registry, registerJobs),
      ...sandbox.routes,
      ...sandbox.adminRoutes,
      ...auditRoutes(store.audit, { verify: (anchors) => verifyAudit(store.audit, { anchors }), heads: () => exportHeads(store.audit) }),
      ...detectionRoutes(store.detections),
      ...toolPinRoutes(store.pins, (prefix, exact) => pins.forget(prefix, exact)),
      ...elevationRoutes(elevations, () => clock.now()),
      // Standing roles only (basePolicy): the review asks what a principal holds without elevation.
      ...accessReviewRoutes({ policy: basePolicy, deployments: config.deployments.map((d) => d.name), eligibility, breakGlass: config.jit.breakGlass, keys: identity.keysEnabled ? identity.keys : null, audit: (f) => store.audit.list(f), adminRoutes: () => adminRoutes, now: () => clock.now() }),
    ];

    let shuttingDown = false;
    const server = createHttpServer({
      dataPlane,
      admin: adminDeps,
      adminRoutes,
      metrics,
      metricsPath: config.metrics.enabled ? config.metrics.path : null,
      metricsToken: config.metrics.token,
      readiness: [
        { name: 'store', check: () => store.ping() },
        { name: 'counters', check: () => counters!.ping() },
        { name: 'sandbox', check: () => sandbox.readiness(), optional: true },
      ],
      logger,
      isShuttingDown: () => shuttingDown,
      requestTimeoutMs: config.server.requestTimeoutMs,
      shares: sharesMemory ? new ConnectionShares(sharesMemory, 0) : undefined,
      metricsText: () => (threads ? threads.metricsText() : metrics.registry.metrics()),
    });

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // With data-plane threads they listen on the same port: the kernel spreads connections.
      server.listen({ port: config.server.port, host: config.server.host, reusePort: threadsWanted > 1 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    if (threadsWanted > 1) {
      try {
        threads = await DataPlaneThreads.start({ config, count: threadsWanted, port, chainId, store, sharedCounters, shares: sharesMemory!, logger, metrics, server });
      } catch (e) {
        server.close();
        throw e;
      }
      const running = threads;
      closers.push(() => running.close());
    }
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    logger.info({ url, deployments: config.deployments.length, storage: config.storage.kind, counters: config.counters.kind, threads: threadsWanted }, 'rampart listening');

    // audit.headsLogMinutes: chain heads in the log stream, kept by the log pipeline where the
    // database's writers cannot change them: anchors for `rampart audit verify --anchors`.
    const logHeads = () =>
      exportHeads(store.audit).then(
        (heads) => logger.info({ heads }, 'audit chain heads'),
        (err: unknown) => logger.warn({ err }, 'audit: could not read the chain heads'),
      );
    const headsTimer = config.audit.headsLogMinutes > 0 ? setInterval(() => void logHeads(), config.audit.headsLogMinutes * 60_000).unref() : undefined;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        shuttingDown = true;
        await closeGracefully(server, config.server.shutdownGraceMs);
        // Data-plane threads first (they drain and flush), the audit log last among the steps.
        for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'close step failed'));
        clearInterval(headsTimer);
        if (headsTimer) await logHeads(); // the last anchor, after the final batch
        await counters!.close();
        await store.close();
        logger.info('rampart stopped');
      })());
    const liveCounters = counters;
    return { url, port, server, store, counters: liveCounters, audit: auditLog, identity, metrics, detections, threads, close };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await counters?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}
