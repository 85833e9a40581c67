/**
 * How CLI commands reach Rampart's data: a running server's admin API, or the store directly.
 */
import { hostname, userInfo } from 'node:os';
import { newId } from '../core/ids.ts';
import { AuditLog } from '../monitor/audit-log.ts';
import { RampartError } from '../core/errors.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../monitor/logger.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';
import { buildIdentity, type Identity } from '../server/identity.ts';
import { loadConfig } from '../server/config.ts';
import type { RampartConfig } from '../config/schema.ts';

export async function adminRequest(server: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const token = process.env.RAMPART_TOKEN;
  if (!token) throw new RampartError('RAMPART_AUTH_MISSING', { detail: 'Set RAMPART_TOKEN to an admin credential to use --server.' });
  let res: Response;
  try {
    res = await fetch(new URL(path, server), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new RampartError('RAMPART_NOT_READY', { detail: `Cannot reach ${server}.`, cause: e });
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const problem = json as { code?: string; detail?: string } | null;
    throw new Error(`${problem?.code ?? `HTTP ${res.status}`}: ${problem?.detail ?? text.slice(0, 200)}`);
  }
  return json;
}

export interface DirectServices {
  config: RampartConfig;
  store: Store;
  identity: Identity;
  now: () => number;
  /**
   * Records an admin action taken directly on the store into the hash-chained audit log (its own
   * chain, `cli:<host>`), as the admin API records it for a server.
   */
  audit(action: string, outcome: { ok: boolean; code?: string; details?: Record<string, unknown> }): void;
}

/** Who a CLI change made directly on the store is attributed to: the operating-system user. */
export const cliPrincipal = (): string => `cli:${userInfo().username}`;

/** Opens the configured store (fails with RAMPART_STORE_LOCKED while a server owns it). */
export async function withDirectServices<T>(configFile: string, fn: (s: DirectServices) => Promise<T>): Promise<T> {
  const config = loadConfig(configFile);
  let store: Store;
  try {
    store = await openStore(config.storage, { logger: silentLogger });
  } catch (e) {
    if (e instanceof RampartError && e.code === 'RAMPART_STORE_LOCKED') {
      throw new RampartError('RAMPART_STORE_LOCKED', { detail: 'A running server owns the data directory: add --server <url> and set RAMPART_TOKEN.', cause: e });
    }
    throw e;
  }
  const identity = buildIdentity(config, store, systemClock, silentLogger);
  const log = new AuditLog(store.audit, { chainId: `cli:${hostname()}`.slice(0, 128).replace(/[^A-Za-z0-9._:-]/g, '-'), batchSize: 50, flushIntervalMs: 50, maxQueue: 1000, logger: silentLogger });
  const audit: DirectServices['audit'] = (action, outcome) => {
    log.record({
      id: newId('aud'),
      time: systemClock.now(),
      requestId: newId('cli'),
      plane: 'admin',
      action,
      principalId: cliPrincipal(),
      principalKind: 'user',
      apiKeyId: null,
      deployment: null,
      decision: outcome.ok ? 'allow' : 'deny',
      reason: outcome.ok ? 'cli: direct store access' : (outcome.code ?? null),
      code: outcome.ok ? null : (outcome.code ?? null),
      status: outcome.ok ? 200 : 403,
      promptTokens: null,
      completionTokens: null,
      latencyMs: 0,
      upstream: null,
      sourceIp: null,
      details: outcome.details ?? null,
    });
  };
  try {
    return await fn({ config, store, identity, now: () => systemClock.now(), audit });
  } finally {
    await log.close(); // writes what the command recorded (the chain head is read on the first write)
    await identity.close();
    await store.close();
  }
}
