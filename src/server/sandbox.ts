/**
 * Wires the execution plane into the server: the service from `sandbox` config (sandbox/index.ts)
 * and its routes, /sandbox/v1 (sessions) and /admin/v1/sandbox (approvals, status). It lives here,
 * not in sandbox/, because a domain folder does not import the admin layer (DESIGN.md).
 */
import type { RampartConfig } from '../config/schema.ts';
import type { AdminRoute } from '../admin/admin-api.ts';
import { sandboxAdminRoutes, sandboxRoutes } from '../admin/sandbox-routes.ts';
import type { BackendStatus } from '../sandbox/backend.ts';
import { createSandboxService, type SandboxDeps, type SandboxService } from '../sandbox/index.ts';

export interface BuiltSandbox {
  /** /sandbox/v1: mount with the admin pipeline (adminHandler), like adminRoutes. */
  readonly routes: AdminRoute[];
  /** /admin/v1/sandbox. */
  readonly adminRoutes: AdminRoute[];
  /** For /readyz: throws when the sandbox is enabled but cannot isolate code on this machine. */
  readiness(): Promise<void>;
  status(): Promise<BackendStatus>;
  close(): Promise<void>;
  readonly service: SandboxService;
}

/**
 * @example
 *   const sandbox = await buildSandbox(config, { store, clock, logger, metrics, recordDetection: (d) => detections.push(d) });
 *   closers.push(() => sandbox.close());
 */
export async function buildSandbox(config: Pick<RampartConfig, 'sandbox'>, deps: SandboxDeps): Promise<BuiltSandbox> {
  const service = await createSandboxService(config.sandbox, deps);
  return {
    routes: sandboxRoutes(service),
    adminRoutes: sandboxAdminRoutes(service),
    readiness: () => service.readiness(),
    status: () => service.status(),
    close: () => service.close(),
    service,
  };
}
