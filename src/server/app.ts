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
import { DataPlane, type DeploymentEntry } from '../gateway/data-plane.ts';
import { DeploymentRouter } from '../gateway/deployment-router.ts';
import { GuardStage } from '../gateway/guard-stage.ts';
import { CachedPinStore, compileToolPolicies } from '../guard/tool-control.ts';
import { buildGuardProfiles } from './guard.ts';
import type { DetectorDescriptor } from '../guard/types.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { newId } from '../core/ids.ts';
import { BatchWriter } from '../monitor/batch-writer.ts';
import { detectionRoutes } from '../admin/detections-routes.ts';
import { toolPinRoutes } from '../admin/tool-pins-routes.ts';
import { providerRegistry } from '../gateway/providers/registry.ts';
import type { ProviderTarget } from '../gateway/providers/provider.ts';
import { AuditLog } from '../monitor/audit-log.ts';
import { exportHeads, verifyAudit } from '../monitor/audit-verify.ts';
import { Metrics } from '../monitor/metrics.ts';
import { buildPolicyEngine } from '../policy/build-engine.ts';
import { Eligibility } from '../policy/jit-eligibility.ts';
import { JitPolicyEngine } from '../policy/jit-engine.ts';
import { ElevationService } from '../identity/elevations.ts';
import { elevationRoutes } from '../admin/elevations-routes.ts';
import { accessReviewRoutes } from '../admin/access-review-routes.ts';
import { QuotaService } from '../policy/quotas.ts';
import { RiskTracker } from '../policy/risk-tracker.ts';
import { buildAccessCheck } from './access-gate.ts';
import { openCountryDatabase } from '../policy/geoip.ts';
import { openCounters } from '../store/counters/open-counters.ts';
import { openStore } from '../store/open-store.ts';
import type { Counters, Store } from '../store/types.ts';
import { keyRoutes } from '../admin/keys-routes.ts';
import { agentRoutes } from '../admin/agents-routes.ts';
import { scopeToAgents } from '../identity/agent-scope.ts';
import { deploymentRoutes } from '../admin/deployments-routes.ts';
import { modelRoutes } from '../admin/models-routes.ts';
import { ModelGate } from '../models/deploy-gate.ts';
import { ModelRegistry } from '../models/registry.ts';
import { RegisterJobs } from '../models/register-jobs.ts';
import { modelTools } from '../models/tools.ts';
import { buildSandbox } from './sandbox.ts';
import { auditRoutes } from '../admin/audit-routes.ts';
import type { AdminDeps, AdminRoute } from '../admin/admin-api.ts';
import { buildIdentity, type Identity } from './identity.ts';
import { clientIpResolver } from './client-ip.ts';
import { createHttpServer } from './http-server.ts';
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
  close(): Promise<void>;
}

/** How judge detectors call a deployment: straight through its router (no auth, no limits). */
function judgeInvoker(entries: ReadonlyMap<string, DeploymentEntry>) {
  return async (deployment: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> => {
    const entry = entries.get(deployment);
    if (!entry) throw new Error(`judge deployment '${deployment}' does not exist`);
    const routed = await entry.router.call('chat.completions', body, { stream: false, signal: signal ?? AbortSignal.timeout(30_000), requestId: newId('judge') });
    return routed.result.json;
  };
}

function buildDeployments(config: RampartConfig, logger: Logger): { entries: Map<string, DeploymentEntry>; targets: ProviderTarget[] } {
  const entries = new Map<string, DeploymentEntry>();
  const all: ProviderTarget[] = [];
  for (const d of config.deployments) {
    const targets = d.targets.map((t, index) => providerRegistry.get(t.provider).create(t as never, { logger, deployment: d.name, index }));
    all.push(...targets);
    entries.set(d.name, { name: d.name, limits: d.limits, router: new DeploymentRouter(d.name, targets, d.retry) });
  }
  return { entries, targets: all };
}

export async function startApp(config: RampartConfig, opts: AppOptions): Promise<RunningApp> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? true });
  const sourceIp = clientIpResolver(config.server.trustedProxies);
  // policy.engine: the role tables, or Cedar policies validated here, before anything is opened
  // (a bad policy stops start-up with its file and position).
  const basePolicy = buildPolicyEngine(config);
  // access.rules: compiled (and their deployment and permission names checked) before anything is opened.
  const risk = new RiskTracker({ windowMs: config.access.risk.windowMinutes * 60_000, medium: config.access.risk.medium, high: config.access.risk.high, categories: config.access.risk.categories });
  // access.countryDatabase: opened and checked (a MaxMind Country or City database) before anything else.
  const countries = config.access.countryDatabase ? await openCountryDatabase(config.access.countryDatabase, { logger }) : null;
  const access = buildAccessCheck(config, { clock, risk, sourceIp, countries });
  const store = await openStore(config.storage, { logger });
  let counters: Counters | undefined;
  let audit: AuditLog | undefined;
  const closers: (() => Promise<void>)[] = [async () => countries?.close()];
  let droppedSeen = 0;
  try {
    counters = await openCounters(config.counters, { logger });
    // Behind a load balancer, blocks seen by any instance raise the principal's risk everywhere.
    if (counters.shared) risk.share({ counters, clock, onError: (err) => logger.warn({ err }, 'risk: shared counter unavailable; local counts only') });
    audit = new AuditLog(store.audit, {
      chainId: config.audit.chainId ?? hostname(),
      batchSize: config.audit.batchSize,
      flushIntervalMs: config.audit.flushIntervalMs,
      maxQueue: config.audit.maxQueue,
      logger,
      onFlush: (stats) => {
        const lost = stats.dropped + stats.rejected - droppedSeen;
        if (lost > 0) metrics.auditDropped.inc(lost);
        droppedSeen += lost;
      },
    });
    await audit.start();
    const auditLog = audit;
    metrics.auditQueueDepth = () => auditLog.stats().queued;
    const identity = buildIdentity(config, store, clock, logger, sourceIp, counters);
    closers.push(() => identity.close());
    // Fetch every issuer's discovery document and keys now, so the first caller does not pay for
    // it; in the background, because an IdP that is down must not stop the gateway from starting
    // (API keys and other issuers keep working, and the key source retries on demand).
    void identity.oidc?.warm().then((failures) => {
      for (const f of failures) logger.warn({ issuer: f.issuer, code: f.error.code, detail: f.error.detail }, 'identity provider not reachable at start-up; will retry on the first token');
    });
    if (opts.bootstrapKey ?? true) await ensureBootstrapKey(config, identity, logger);

    const detections = new BatchWriter<DetectionRecord>({
      name: 'detections',
      logger,
      write: (batch) => store.detections.insertMany(batch),
      batchSize: config.audit.batchSize,
      flushIntervalMs: config.audit.flushIntervalMs,
      maxQueue: config.audit.maxQueue,
    });
    closers.push(() => detections.close());
    // Every detection is stored, and raises its principal's risk (access.risk).
    const recordDetection = (d: DetectionRecord, from?: { request: object; analyze?: boolean }): void => {
      detections.push(d);
      if (from?.analyze !== true) risk.observe(d, from?.request);
    };

    // The execution plane (/sandbox/v1): refuses to run code, and says why, where it cannot isolate it.
    const sandbox = await buildSandbox(config, {
      store,
      clock,
      logger,
      metrics,
      recordDetection,
    });
    closers.push(() => sandbox.close());

    const { entries, targets } = buildDeployments(config, logger);
    closers.push(async () => {
      await Promise.allSettled(targets.map((t) => t.close()));
    });
    const profiles = buildGuardProfiles(config, {
      invoke: judgeInvoker(entries),
      // The cause stays in the log; callers and audit records get guard.error and the failure kind.
      onError: (detector, err) => logger.warn({ err, detector }, 'guard: detector failed'),
      ...(opts.detectors ? { detectors: opts.detectors } : {}),
    });
    await profiles.ready(); // models of ONNX detectors are loaded before the first request

    const pins = new CachedPinStore(store.pins);
    const guard = new GuardStage({
      profiles,
      toolPolicies: compileToolPolicies(config.toolPolicies),
      // First-seen tool-definition pins: in the store (shared by instances, kept over restarts), cached here.
      pins,
      metrics,
      recordDetection,
      now: () => clock.now(),
    });
    const quotas = new QuotaService(counters, config.limits);
    const record = (e: Parameters<AuditLog['record']>[0]) => auditLog.record(e);
    // Just-in-time roles (jit.eligible) and the break-glass watch wrap whichever engine the config chose.
    const eligibility = new Eligibility(config.jit.eligible);
    const policy = new JitPolicyEngine({ inner: basePolicy, repo: store.elevations, eligibility, breakGlass: config.jit.breakGlass, clock, refreshMs: config.jit.refreshSeconds * 1000, logger, record });
    await policy.start();
    closers.push(async () => policy.close());
    // Access rules see the roles elevations grant, as the policy does.
    const accessCheck: typeof access = access && ((principal, action, req) => access(policy.elevated(principal), action, req));
    const elevations = new ElevationService({ repo: store.elevations, eligibility, clock, changed: () => policy.refresh() });

    // Model integrity: the registry (hash, verify, scan, approve) and the deploy gate over it.
    const modelGate = new ModelGate({ repo: store.models, deployments: config.deployments, models: config.models, clock });
    const registry = new ModelRegistry({ repo: store.models, config: config.models, tools: modelTools, clock, changed: () => modelGate.invalidate() });
    const registerJobs = new RegisterJobs(registry, { clock });
    closers.push(() => registerJobs.idle());
    for (const name of modelGate.deployments) {
      const s = await modelGate.status(name);
      if (s && !s.allowed) logger.warn({ deployment: name, model: s.model.name, missing: s.missing }, 'deployment refused until its model passes verification');
    }

    const dataPlane = new DataPlane({
      authenticate: (req) => identity.authenticate(req),
      // Registered agents are narrowed to their inventory's allowedDeployments (identity/agent-scope.ts).
      policy: scopeToAgents(policy),
      access: accessCheck,
      quotas,
      modelGate,
      deployments: entries,
      inputGuard: guard,
      outputGuard: guard,
      record,
      metrics,
      logger,
      clock,
      bodyLimit: config.server.bodyLimitBytes,
      requestTimeoutMs: config.server.requestTimeoutMs,
      capturePayloads: config.audit.capturePayloads,
      exposeOverhead: config.server.exposeOverheadHeader,
      // The access line carries only ids, names, status and timing (never headers or bodies), so it
      // skips the path redaction every other log line pays for.
      accessLog: config.log.requests && logger.isLevelEnabled('info') ? logger.child({}, { redact: [] }) : null,
      sourceIp,
      analyze: (name, segments, principal, requestId) => guard.analyze(name ?? config.guard.defaultProfile, segments, principal, requestId),
    });
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
    });

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    logger.info({ url, deployments: entries.size, storage: config.storage.kind, counters: config.counters.kind }, 'rampart listening');

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
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, config.server.shutdownGraceMs);
          server.close(() => {
            clearTimeout(timer);
            resolve();
          });
          server.closeIdleConnections();
        });
        for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'close step failed'));
        await auditLog.close();
        clearInterval(headsTimer);
        if (headsTimer) await logHeads(); // the last anchor, after the final batch
        await counters!.close();
        await store.close();
        logger.info('rampart stopped');
      })());
    return { url, port, server, store, counters, audit: auditLog, identity, metrics, detections, close };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await audit?.close().catch(() => undefined);
    await counters?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}
