/**
 * Where the sandbox API tests send their requests. Once src/server/app.ts wires buildSandbox, that
 * is the running gateway itself. Until then, a small server on an ephemeral port mounts the
 * sandbox routes with the real admin pipeline (adminHandler: the gateway's authentication, policy
 * from the same config, the gateway's audit log, metrics and detection writer).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { pino } from 'pino';
import { adminHandler, type AdminDeps } from '../../src/admin/admin-api.ts';
import { systemClock } from '../../src/core/clock.ts';
import { buildPolicyEngine } from '../../src/policy/build-engine.ts';
import type { SandboxBackend } from '../../src/sandbox/backend.ts';
import { buildSandbox, type BuiltSandbox } from '../../src/server/sandbox.ts';
import type { TestGateway } from '../support/gateway.ts';

export const appWiresSandbox = (): boolean => readFileSync(new URL('../../src/server/app.ts', import.meta.url), 'utf8').includes('buildSandbox');

export interface SandboxApi {
  readonly url: string;
  /** 'gateway' when the app serves /sandbox/v1 itself. */
  readonly mode: 'gateway' | 'side-server';
  close(): Promise<void>;
}

export async function startSandboxApi(gw: TestGateway, backend?: SandboxBackend): Promise<SandboxApi & { sandbox?: BuiltSandbox }> {
  if (appWiresSandbox()) return { url: gw.app.url, mode: 'gateway', close: async () => {} };
  const sandbox = await buildSandbox(gw.config, {
    store: gw.app.store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics: gw.app.metrics,
    recordDetection: (d) => gw.app.detections.push(d),
    ...(backend ? { backend } : {}),
  });
  const deps: AdminDeps = {
    authenticate: (req) => gw.app.identity.authenticate(req),
    policy: buildPolicyEngine(gw.config),
    record: (e) => gw.app.audit.record(e),
    metrics: gw.app.metrics,
    logger: pino({ level: 'silent' }),
    clock: systemClock,
    bodyLimit: 1024 * 1024,
    sourceIp: () => '127.0.0.1',
  };
  const router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 256 });
  for (const route of [...sandbox.routes, ...sandbox.adminRoutes]) {
    const handle = adminHandler(deps, route);
    router.on(route.method as HTTPMethod, route.path, (req, res, params, _store, search) => void handle(req, res, params, new URLSearchParams(search as Record<string, string>)));
  }
  const server: Server = createServer((req, res) => router.lookup(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'side-server',
    sandbox,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox.close();
    },
  };
}
