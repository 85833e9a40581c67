/**
 * The execution plane assembled from `sandbox` config: backend, pool, sessions, approvals, caller
 * policies, executions and files. The server adds the HTTP routes (server/sandbox.ts); a domain
 * folder does not import the admin layer.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { RampartError } from '../core/errors.ts';
import type { SandboxConfig } from '../config/sandbox.ts';
import type { Metrics } from '../monitor/metrics.ts';
import type { Store } from '../store/types.ts';
import { ApprovalRegistry } from './approvals.ts';
import { availability, type Availability } from './availability.ts';
import type { BackendStatus, SandboxBackend } from './backend.ts';
import { compileCallerPolicies, type CallerPolicyResolver } from './caller-policy.ts';
import { ExecutionService } from './executions.ts';
import { SessionFiles } from './files.ts';
import { SandboxMetrics } from './metrics.ts';
import { EnvironmentPool, profileKey } from './pool.ts';
import { SessionManager } from './sessions.ts';
import { loadBackend } from './load-backend.ts';

export interface SandboxDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  recordDetection(d: DetectionRecord): void;
  /** A backend to use instead of the one `sandbox.backend` names (tests); the caller closes it. */
  backend?: SandboxBackend;
  /** How often idle sessions are swept (default from the idle timeout); 0: never (tests call sweep()). */
  sweepIntervalMs?: number;
}

export interface SandboxService {
  readonly config: SandboxConfig;
  readonly executions: ExecutionService;
  readonly files: SessionFiles;
  readonly sessions: SessionManager;
  readonly approvals: ApprovalRegistry;
  readonly pool: EnvironmentPool;
  readonly availability: Availability;
  readonly policyOf: CallerPolicyResolver;
  /** Throws RAMPART_SANDBOX_UNAVAILABLE when enabled but code cannot run here; resolves when disabled. */
  readiness(): Promise<void>;
  status(): Promise<BackendStatus>;
  /** Ends every session, empties the pool, closes the backend it opened. */
  close(): Promise<void>;
}

/**
 * @example
 *   const sandbox = await createSandboxService(config.sandbox, { store, clock, logger, metrics, recordDetection });
 *   await sandbox.executions.execute(principal, 'job-42', { language: 'python', code: 'print(1)' }, { requestId, note });
 */
export async function createSandboxService(config: SandboxConfig, deps: SandboxDeps): Promise<SandboxService> {
  const logger = deps.logger.child({ component: 'sandbox' });
  let backend: SandboxBackend | null = deps.backend ?? null;
  let why = 'no sandbox backend';
  const owned = deps.backend === undefined;
  if (backend === null && config.enabled) {
    const loaded = await loadBackend(config, logger);
    backend = loaded.backend;
    why = loaded.reason ?? why;
  }
  const avail = availability(config.enabled, backend, why);
  const policyOf = compileCallerPolicies(config);

  let sandboxMetrics: SandboxMetrics | null = null;
  const pool = new EnvironmentPool({
    // A pool over no backend stays empty; take() is never reached (availability refuses first).
    backend: backend ?? unavailableBackend(why),
    size: config.sessions.pool,
    logger,
    onAllocate: (source, seconds) => sandboxMetrics?.allocation.observe({ source }, seconds),
  });
  const sessions = new SessionManager({
    pool,
    clock: deps.clock,
    logger,
    idleTimeoutMs: config.sessions.idleTimeoutSeconds * 1000,
    maxPerTenant: config.sessions.maxPerTenant,
    maxTotal: config.sessions.maxTotal,
    ...(deps.sweepIntervalMs !== undefined ? { sweepIntervalMs: deps.sweepIntervalMs } : {}),
  });
  sandboxMetrics = new SandboxMetrics(deps.metrics, { sessions: () => sessions.size, poolIdle: () => pool.stats().idle });
  const approvals = new ApprovalRegistry({ repo: deps.store.sandboxApprovals, clock: deps.clock, selfApproval: config.approvals.selfApproval });
  const executions = new ExecutionService({
    config,
    sessions,
    approvals,
    policyOf,
    availability: avail,
    metrics: sandboxMetrics,
    baseMetrics: deps.metrics,
    recordDetection: deps.recordDetection,
    clock: deps.clock,
    logger,
  });
  const files = new SessionFiles({ sessions, availability: avail, policyOf, maxUploadBytes: config.files.maxUploadBytes, maxDownloadBytes: config.files.maxDownloadBytes });

  // Probe in the background: a backend's first status() may take a trial run, and the gateway's
  // start-up does not wait for the execution plane.
  let closed = false;
  const started = avail.status().then((status) => {
    if (config.enabled && !status.available) {
      logger.warn({ backend: backend?.id ?? config.backend, reason: status.reason }, 'sandbox backend unavailable: /sandbox/v1 answers RAMPART_SANDBOX_UNAVAILABLE');
    } else if (status.available && !closed) {
      // Pre-start the default profile and every caller policy's (distinct limits, bounded by the pool).
      const profiles = new Map([config.limits, ...config.callers.map((c) => ({ ...config.limits, ...c.limits }))].map((l) => [profileKey(l), l]));
      for (const l of profiles.values()) pool.warm(l);
    }
  });

  let closing: Promise<void> | undefined;
  return {
    config,
    executions,
    files,
    sessions,
    approvals,
    pool,
    availability: avail,
    policyOf,
    readiness: async () => {
      if (config.enabled) await avail.assert();
    },
    status: () => avail.status(),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        await started;
        await sessions.close();
        await pool.close();
        if (owned && backend !== null) await backend.close().catch((err: unknown) => logger.warn({ err }, 'sandbox: closing the backend failed'));
      })()),
  };
}

function unavailableBackend(reason: string): SandboxBackend {
  return {
    id: 'none',
    status: async () => ({ available: false, reason, features: {} }),
    create: async () => {
      throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: `Reason: ${reason}.` });
    },
    close: async () => {},
  };
}
