/**
 * Starts a real Rampart (embedded store in a temp dir, ephemeral port) in front of a mock upstream,
 * for integration tests. One per test file: PGlite takes ~2 s to create a database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load.ts';
import type { RampartConfig } from '../../src/config/schema.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { startApp, type RunningApp } from '../../src/server/app.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { DetectorDescriptor } from '../../src/guard/types.ts';
import { startMockUpstream, type MockUpstream } from './mock-upstream.ts';

export interface TestGateway {
  app: RunningApp;
  upstream: MockUpstream;
  config: RampartConfig;
  dataDir: string;
  /** Creates an API key with these roles and returns its plaintext. */
  key(roles: string[], extra?: { limits?: Record<string, number>; principalId?: string; expiresAt?: number }): Promise<string>;
  close(): Promise<void>;
}

export type ConfigFor = (upstreamUrl: string, dataDir: string) => Record<string, unknown>;

/** What every test gateway needs around its own guard and deployments: a data dir, quiet logs, fast audit, no sandbox pool, a `user` role for every deployment. */
export function baseTestConfig(dataDir: string): Record<string, unknown> {
  return {
    storage: { kind: 'embedded', dataDir },
    server: { port: 0 },
    log: { level: 'silent' },
    audit: { flushIntervalMs: 20 },
    sandbox: { sessions: { pool: 0 } },
    roles: { user: { deployments: ['*'] } },
  };
}

/** A config with one OpenAI-compatible deployment `chat` against the mock, and a `user` role. */
export const defaultConfig: ConfigFor = (upstreamUrl, dataDir) => ({
  storage: { kind: 'embedded', dataDir },
  server: { port: 0 },
  log: { level: 'silent' },
  audit: { flushIntervalMs: 20 },
  // No pre-started sandbox environments in every test gateway (the sandbox tests turn it on).
  sandbox: { sessions: { pool: 0 } },
  roles: { user: { deployments: ['chat', 'embed'] }, other: { deployments: ['other'] } },
  deployments: [
    { name: 'chat', targets: [{ provider: 'openai', baseUrl: `${upstreamUrl}/v1`, apiKey: 'sk-upstream-secret-123456', model: 'gpt-4o-mini' }], retry: { attempts: 1, backoffMs: 1 } },
    { name: 'embed', targets: [{ provider: 'openai', baseUrl: `${upstreamUrl}/v1`, apiKey: 'sk-upstream-secret-123456', model: 'text-embedding-3-small' }] },
    { name: 'other', targets: [{ provider: 'echo' }] },
  ],
});

export async function startTestGateway(configFor: ConfigFor = defaultConfig, opts: { clock?: Clock; upstreamKey?: string; detectors?: readonly DetectorDescriptor<never>[] } = {}): Promise<TestGateway> {
  const upstream = await startMockUpstream(opts.upstreamKey ? { apiKey: opts.upstreamKey } : {});
  const dataDir = await mkdtemp(join(tmpdir(), 'rampart-test-'));
  let config: RampartConfig;
  let app: RunningApp;
  try {
    // Inside the try: a refused config must not leave the mock upstream running (the test would hang).
    config = validateConfig(rampartConfigSchema(), configFor(upstream.url, dataDir));
    // RAMPART_TEST_LOG=info shows the gateway's log while debugging a test.
    app = await startApp(config, { logger: pino({ level: process.env.RAMPART_TEST_LOG ?? 'silent' }), defaultMetrics: false, bootstrapKey: false, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.detectors ? { detectors: opts.detectors } : {}) });
  } catch (e) {
    await upstream.close();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    app,
    upstream,
    config,
    dataDir,
    key: async (roles, extra = {}) => {
      const { plaintext } = await app.identity.keys.create({
        name: `test-${roles.join('-')}`,
        principalKind: 'app',
        roles,
        limits: (extra.limits as never) ?? null,
        ...(extra.principalId ? { principalId: extra.principalId } : {}),
        ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
        createdBy: 'test',
      });
      return plaintext.reveal();
    },
    close: async () => {
      await app.close();
      await upstream.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the audit log has written everything queued so far. */
export async function flushAudit(gw: TestGateway): Promise<void> {
  await gw.app.audit.flush();
}
