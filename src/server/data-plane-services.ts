/**
 * What serves the data plane, built the same way on the main thread and on each data-plane thread
 * (server/threads.ts): checks (policy, access rules, client address), identity, limits, guard,
 * model gate, audit and detections over a store and counters the caller opened. Each thread is to
 * the others what one instance is to another behind a load balancer: its own caches and its own
 * audit chain, the same store and counters.
 */
import { createAccessLog } from '../monitor/access-log.ts';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { RampartConfig } from '../config/schema.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { newId } from '../core/ids.ts';
import { DataPlane, type DeploymentEntry } from '../gateway/data-plane.ts';
import { DeploymentRouter } from '../gateway/deployment-router.ts';
import { GuardStage } from '../gateway/guard-stage.ts';
import { providerRegistry } from '../gateway/providers/registry.ts';
import type { ProviderTarget } from '../gateway/providers/provider.ts';
import { CachedPinStore, compileToolPolicies } from '../guard/tool-control.ts';
import type { DetectorDescriptor } from '../guard/types.ts';
import { scopeToAgents } from '../identity/agent-scope.ts';
import { ModelGate } from '../models/deploy-gate.ts';
import { AuditLog } from '../monitor/audit-log.ts';
import { BatchWriter } from '../monitor/batch-writer.ts';
import type { Metrics } from '../monitor/metrics.ts';
import { buildPolicyEngine } from '../policy/build-engine.ts';
import { openCountryDatabase } from '../policy/geoip.ts';
import { Eligibility } from '../policy/jit-eligibility.ts';
import { JitPolicyEngine } from '../policy/jit-engine.ts';
import type { PolicyEngine } from '../policy/policy.ts';
import { QuotaService } from '../policy/quotas.ts';
import { RiskTracker } from '../policy/risk-tracker.ts';
import type { Counters, Store } from '../store/types.ts';
import { buildAccessCheck } from './access-gate.ts';
import { clientIpResolver } from './client-ip.ts';
import { buildGuardProfiles } from './guard.ts';
import { buildIdentity, type Identity } from './identity.ts';

/** The checks built from the config alone, before anything is opened: a bad policy stops start-up early. */
export interface Checks {
  readonly basePolicy: PolicyEngine;
  readonly risk: RiskTracker;
  readonly access: ReturnType<typeof buildAccessCheck>;
  readonly sourceIp: (req: IncomingMessage) => string | null;
  close(): Promise<void>;
}

export async function buildChecks(config: RampartConfig, clock: Clock, logger: Logger): Promise<Checks> {
  const sourceIp = clientIpResolver(config.server.trustedProxies);
  // policy.engine: the role tables, or Cedar policies validated here (a bad policy stops start-up
  // with its file and position). access.rules: compiled, their names checked.
  const basePolicy = buildPolicyEngine(config);
  const risk = new RiskTracker({ windowMs: config.access.risk.windowMinutes * 60_000, medium: config.access.risk.medium, high: config.access.risk.high, categories: config.access.risk.categories });
  // access.countryDatabase: opened and checked (a MaxMind Country or City database).
  const countries = config.access.countryDatabase ? await openCountryDatabase(config.access.countryDatabase, { logger }) : null;
  const access = buildAccessCheck(config, { clock, risk, sourceIp, countries });
  return { basePolicy, risk, access, sourceIp, close: async () => countries?.close() };
}

export interface DataPlaneDeps {
  store: Store;
  counters: Counters;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** This writer's audit chain (one per instance and thread). */
  chainId: string;
  detectors?: readonly DetectorDescriptor<never>[] | undefined;
  /** Close steps, run in reverse order by the caller (also when start-up fails half way). */
  closers: (() => Promise<void>)[];
}

export interface DataPlaneServices {
  readonly dataPlane: DataPlane;
  readonly identity: Identity;
  readonly audit: AuditLog;
  readonly detections: BatchWriter<DetectionRecord>;
  readonly recordDetection: (d: DetectionRecord, from?: { request: object; analyze?: boolean }) => void;
  readonly record: AuditLog['record'];
  readonly policy: JitPolicyEngine;
  readonly eligibility: Eligibility;
  readonly access: Checks['access'];
  readonly modelGate: ModelGate;
  readonly pins: CachedPinStore;
  /** Drops what this thread cached of what another thread changed (keys, agents, pins, models, elevations). */
  forgetCaches(): void;
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

export async function buildDataPlane(config: RampartConfig, checks: Checks, deps: DataPlaneDeps): Promise<DataPlaneServices> {
  const { store, counters, clock, logger, metrics, closers } = deps;
  const { risk, sourceIp } = checks;
  // Behind a load balancer, or across threads, blocks seen anywhere raise the principal's risk everywhere.
  if (counters.shared) risk.share({ counters, clock, onError: (err) => logger.warn({ err }, 'risk: shared counter unavailable; local counts only') });
  let droppedSeen = 0;
  const audit = new AuditLog(store.audit, {
    chainId: deps.chainId,
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
  closers.push(() => audit.close());
  metrics.auditQueueDepth = () => audit.stats().queued;
  const identity = buildIdentity(config, store, clock, logger, sourceIp, counters);
  closers.push(() => identity.close());
  // Fetch every issuer's discovery document and keys now, so the first caller does not pay for
  // it; in the background, because an IdP that is down must not stop the gateway from starting
  // (API keys and other issuers keep working, and the key source retries on demand).
  void identity.oidc?.warm().then((failures) => {
    for (const f of failures) logger.warn({ issuer: f.issuer, code: f.error.code, detail: f.error.detail }, 'identity provider not reachable at start-up; will retry on the first token');
  });

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

  const { entries, targets } = buildDeployments(config, logger);
  closers.push(async () => {
    await Promise.allSettled(targets.map((t) => t.close()));
  });
  const profiles = buildGuardProfiles(config, {
    invoke: judgeInvoker(entries),
    // The cause stays in the log; callers and audit records get guard.error and the failure kind.
    onError: (detector, err) => logger.warn({ err, detector }, 'guard: detector failed'),
    ...(deps.detectors ? { detectors: deps.detectors } : {}),
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
  const record = (e: Parameters<AuditLog['record']>[0]) => audit.record(e);
  // Just-in-time roles (jit.eligible) and the break-glass watch wrap whichever engine the config chose.
  const eligibility = new Eligibility(config.jit.eligible);
  const policy = new JitPolicyEngine({ inner: checks.basePolicy, repo: store.elevations, eligibility, breakGlass: config.jit.breakGlass, clock, refreshMs: config.jit.refreshSeconds * 1000, logger, record });
  await policy.start();
  closers.push(async () => policy.close());
  // Access rules see the roles elevations grant, as the policy does.
  const access = checks.access;
  const accessCheck: typeof access = access && ((principal, action, req) => access(policy.elevated(principal), action, req));
  const modelGate = new ModelGate({ repo: store.models, deployments: config.deployments, models: config.models, clock });

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
    // The access line carries only ids, names, status and timing (never headers or bodies): no
    // redaction to apply, and a fixed shape written without pino's general path.
    accessLog: config.log.requests ? createAccessLog(logger) : null,
    sourceIp,
    analyze: (name, segments, principal, requestId) => guard.analyze(name ?? config.guard.defaultProfile, segments, principal, requestId),
  });
  return {
    dataPlane,
    identity,
    audit,
    detections,
    recordDetection,
    record,
    policy,
    eligibility,
    access: accessCheck,
    modelGate,
    pins,
    forgetCaches: () => {
      identity.forgetCaches();
      pins.forget('');
      modelGate.invalidate();
      policy.refresh().catch((err: unknown) => logger.warn({ err }, 'reloading active elevations failed'));
    },
  };
}
