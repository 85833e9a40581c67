/**
 * How CLI commands reach Rampart's data: a running server's admin API, or the store directly.
 */
import { hostname, userInfo } from 'node:os';
import { newId } from '../core/ids.ts';
import { AuditLog } from '../monitor/audit-log.ts';
import { RampartError, toRampartError } from '../core/errors.ts';
import { isLoopbackHost } from '../config/loopback.ts';
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
  let base: URL;
  try {
    // A trailing slash keeps a path prefix of --server (https://gw.example.com/rampart/).
    base = new URL(server.endsWith('/') ? server : `${server}/`);
  } catch {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: '--server: not a URL' });
  }
  if (base.protocol === 'http:' && !isLoopbackHost(base.hostname)) {
    process.stderr.write(`rampart: warning: sending RAMPART_TOKEN to ${base.origin} over plain http; use https beyond this machine\n`);
  }
  let res: Response;
  try {
    res = await fetch(new URL(path.replace(/^\//, ''), base), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new RampartError('RAMPART_NOT_READY', { detail: `Cannot reach ${base.origin}${(e as { cause?: { message?: string } }).cause?.message?.includes('redirect') ? ' (it answered with a redirect, which is not followed)' : ''}.`, cause: e });
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
   * Runs an admin action directly on the store and records it in the hash-chained audit log (its
   * own chain, `cli:<host>`) as the admin API records it for a server (admin-api.ts): `allow` and
   * status 200 when it succeeds; when it throws, the error's code (also as the reason, there being
   * no policy decision), its HTTP status and `deny` for 401/403 or `error` otherwise, and the error
   * is thrown on. `note` adds safe details (resource ids), kept on failure too.
   * @example
   * await s.audited('keys.revoke', async (note) => {
   *   note({ keyId: id });
   *   if (!(await s.identity.keys.revoke(id))) throw new RampartError('RAMPART_NOT_FOUND');
   * });
   */
  audited<T>(action: string, run: (note: (details: Record<string, unknown>) => void) => Promise<T>): Promise<T>;
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
  const record = (action: string, status: number, code: string | null, notes: Record<string, unknown>): void => {
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
      // As admin-api.ts decides it for a failed admin call.
      decision: code ? (status === 401 || status === 403 ? 'deny' : 'error') : 'allow',
      reason: code ?? 'cli: direct store access',
      code,
      status,
      promptTokens: null,
      completionTokens: null,
      latencyMs: 0,
      upstream: null,
      sourceIp: null,
      details: Object.keys(notes).length > 0 ? notes : null,
    });
  };
  const audited: DirectServices['audited'] = async (action, run) => {
    const notes: Record<string, unknown> = {};
    try {
      const result = await run((d) => Object.assign(notes, d));
      record(action, 200, null, notes);
      return result;
    } catch (e) {
      const err = toRampartError(e);
      record(action, err.status, err.code, notes);
      throw e;
    }
  };
  try {
    return await fn({ config, store, identity, now: () => systemClock.now(), audited });
  } finally {
    await log.close(); // writes what the command recorded (the chain head is read on the first write)
    await identity.close();
    await store.close();
  }
}
