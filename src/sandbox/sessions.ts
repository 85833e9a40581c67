/**
 * Sandbox sessions: a caller-chosen identifier maps to one isolated environment. The key is the
 * caller's tenant (its principal id) and the identifier together, so one caller can never reach
 * another's session by naming its identifier. A session unused for `idleTimeoutMs` is destroyed
 * with everything in it (by the sweeper, or at once when next named); so is one ended on request,
 * and every session when the manager closes. Work in one session runs one call at a time.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { SandboxEnvironment, SandboxLimits } from './backend.ts';
import type { EnvironmentPool } from './pool.ts';

/** What a caller may name a session (Azure Container Apps dynamic sessions allow the same). */
export const SESSION_IDENTIFIER = /^[A-Za-z0-9._-]{1,128}$/;

/** Throws RAMPART_INVALID_REQUEST, naming `param`, unless `id` is a session identifier. */
export function assertSessionIdentifier(id: string, param: string): void {
  if (!SESSION_IDENTIFIER.test(id)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${param}: 1-128 letters, digits, . _ -`, param });
}

export interface Session {
  readonly tenant: string;
  readonly identifier: string;
  readonly env: SandboxEnvironment;
  /** The limits the environment was created with (its file space, its cgroup). */
  readonly limits: SandboxLimits;
  readonly createdAt: number;
  /** Aborted when the session ends: running executions are killed. */
  readonly signal: AbortSignal;
  readonly pooled: boolean;
}

export interface SessionInfo {
  readonly identifier: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  readonly executions: number;
  readonly busy: boolean;
}

interface Entry {
  readonly tenant: string;
  readonly identifier: string;
  readonly ready: Promise<Session>;
  session: Session | null;
  readonly abort: AbortController;
  lastUsedAt: number;
  executions: number;
  /** Calls running or queued. */
  busy: number;
  /** The tail of the queue of calls. */
  lock: Promise<unknown>;
  ended: boolean;
}

export interface SessionManagerOptions {
  pool: EnvironmentPool;
  clock: Clock;
  logger: Logger;
  idleTimeoutMs: number;
  maxPerTenant: number;
  maxTotal: number;
  /** How often idle sessions are swept (default: a quarter of the idle timeout, at most 15 s); 0: never (tests call sweep()). */
  sweepIntervalMs?: number;
  /** Called after a session's environment was destroyed. */
  onEnd?(info: { tenant: string; identifier: string; reason: 'idle' | 'request' | 'close' }): void;
}

export class SessionManager {
  readonly #o: SessionManagerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #perTenant = new Map<string, number>();
  readonly #timer: NodeJS.Timeout | null;
  #closed = false;

  constructor(opts: SessionManagerOptions) {
    for (const k of ['idleTimeoutMs', 'maxPerTenant', 'maxTotal'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new RangeError(`${k} must be a positive integer`);
    }
    this.#o = opts;
    const every = opts.sweepIntervalMs ?? Math.min(15_000, Math.max(1_000, Math.floor(opts.idleTimeoutMs / 4)));
    this.#timer = every > 0 ? setInterval(() => void this.sweep(), every) : null;
    this.#timer?.unref();
  }

  /** Sessions open now, of every tenant. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `fn` on the caller's session, after the calls queued before it. With `create`, a
   * session that does not exist is started (from the pool); otherwise RAMPART_NOT_FOUND.
   *
   * @example
   *   await sessions.run(principal.id, 'job-42', { create: true, limits }, (s) => s.env.exec(req));
   */
  async run<T>(tenant: string, identifier: string, opts: { create: boolean; limits: SandboxLimits }, fn: (s: Session) => Promise<T>): Promise<T> {
    if (this.#closed) throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: 'The sandbox is shutting down.' });
    const key = keyOf(tenant, identifier);
    let entry = this.#entries.get(key);
    if (entry && this.#expired(entry)) {
      await this.#end(entry, 'idle');
      entry = undefined;
    }
    if (!entry) {
      if (!opts.create) throw new RampartError('RAMPART_NOT_FOUND', { detail: `No sandbox session '${identifier}'.` });
      // At a cap, sessions that timed out but were not swept yet make room first.
      if (this.#full(tenant)) await this.sweep();
      entry = this.#entries.get(key) ?? this.#start(tenant, identifier, opts.limits);
    }
    const e = entry;
    e.busy++;
    const turn = e.lock.then(async () => {
      const session = await e.ready;
      if (e.ended) throw new RampartError('RAMPART_NOT_FOUND', { detail: `The sandbox session '${identifier}' has ended.` });
      return fn(session);
    });
    e.lock = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      e.busy--;
      e.lastUsedAt = this.#o.clock.now();
    }
  }

  /** Counts an execution in the session's listing. */
  countExecution(tenant: string, identifier: string): void {
    const e = this.#entries.get(keyOf(tenant, identifier));
    if (e) e.executions++;
  }

  list(tenant: string): SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const e of this.#entries.values()) {
      if (e.tenant !== tenant || e.session === null || this.#expired(e)) continue;
      out.push({
        identifier: e.identifier,
        createdAt: e.session.createdAt,
        lastUsedAt: e.lastUsedAt,
        expiresAt: e.lastUsedAt + this.#o.idleTimeoutMs,
        executions: e.executions,
        busy: e.busy > 0,
      });
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.identifier.localeCompare(b.identifier));
  }

  /** Ends a session now: running executions are killed and its environment destroyed. False when there is none. */
  async end(tenant: string, identifier: string): Promise<boolean> {
    const e = this.#entries.get(keyOf(tenant, identifier));
    if (!e) return false;
    const live = !this.#expired(e);
    await this.#end(e, live ? 'request' : 'idle');
    return live;
  }

  /** Destroys the sessions idle for the idle timeout; returns how many. */
  async sweep(): Promise<number> {
    const idle = [...this.#entries.values()].filter((e) => this.#expired(e));
    await Promise.allSettled(idle.map((e) => this.#end(e, 'idle')));
    return idle.length;
  }

  /** Ends every session; later calls fail with RAMPART_SANDBOX_UNAVAILABLE. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.allSettled([...this.#entries.values()].map((e) => this.#end(e, 'close')));
  }

  #start(tenant: string, identifier: string, limits: SandboxLimits): Entry {
    // run() may have waited (an expired session's end, a sweep) while close() began.
    if (this.#closed) throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: 'The sandbox is shutting down.' });
    const { maxPerTenant, maxTotal, idleTimeoutMs } = this.#o;
    const mine = this.#perTenant.get(tenant) ?? 0;
    if (this.#full(tenant)) {
      const scope = mine >= maxPerTenant ? `You have ${mine} sessions open (sandbox.sessions.maxPerTenant ${maxPerTenant})` : `The sandbox has ${this.#entries.size} sessions open (sandbox.sessions.maxTotal ${maxTotal})`;
      const retry = this.#retryAfterSeconds(mine >= maxPerTenant ? tenant : null, idleTimeoutMs);
      throw new RampartError('RAMPART_SANDBOX_SESSION_LIMIT', { detail: `${scope}: end one (DELETE /sandbox/v1/sessions/<identifier>) or wait for one to idle out.`, headers: { 'retry-after': String(retry) } });
    }
    const now = this.#o.clock.now();
    const abort = new AbortController();
    let resolveReady!: (s: Session) => void;
    let rejectReady!: (e: unknown) => void;
    const ready = new Promise<Session>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    ready.catch(() => undefined);
    const entry: Entry = { tenant, identifier, ready, session: null, abort, lastUsedAt: now, executions: 0, busy: 0, lock: Promise.resolve(), ended: false };
    this.#o.pool.take(limits).then(
      ({ env, pooled }) => {
        const session: Session = { tenant, identifier, env, limits, createdAt: this.#o.clock.now(), signal: abort.signal, pooled };
        entry.session = session;
        // Ended while it was being created: #end waits for it and destroys it.
        resolveReady(session);
      },
      (err: unknown) => {
        this.#forget(entry);
        rejectReady(err);
      },
    );
    this.#entries.set(keyOf(tenant, identifier), entry);
    this.#perTenant.set(tenant, mine + 1);
    return entry;
  }

  #full(tenant: string): boolean {
    return (this.#perTenant.get(tenant) ?? 0) >= this.#o.maxPerTenant || this.#entries.size >= this.#o.maxTotal;
  }

  #expired(e: Entry): boolean {
    return e.busy === 0 && e.session !== null && this.#o.clock.now() - e.lastUsedAt >= this.#o.idleTimeoutMs;
  }

  async #end(e: Entry, reason: 'idle' | 'request' | 'close'): Promise<void> {
    if (e.ended) return;
    e.ended = true;
    this.#forget(e);
    e.abort.abort();
    const session = await e.ready.catch(() => null);
    if (session === null) return;
    try {
      await session.env.destroy();
    } catch (err) {
      this.#o.logger.error({ err, identifier: e.identifier }, 'sandbox: destroying a session environment failed');
    }
    this.#o.onEnd?.({ tenant: e.tenant, identifier: e.identifier, reason });
  }

  #forget(e: Entry): void {
    const key = keyOf(e.tenant, e.identifier);
    if (this.#entries.get(key) !== e) return;
    this.#entries.delete(key);
    const n = (this.#perTenant.get(e.tenant) ?? 1) - 1;
    if (n > 0) this.#perTenant.set(e.tenant, n);
    else this.#perTenant.delete(e.tenant);
  }

  /** Seconds until the first idle session (of `tenant`, or of anyone) times out; at least 1. */
  #retryAfterSeconds(tenant: string | null, idleTimeoutMs: number): number {
    const now = this.#o.clock.now();
    let soonest = idleTimeoutMs;
    for (const e of this.#entries.values()) {
      if ((tenant === null || e.tenant === tenant) && e.busy === 0) soonest = Math.min(soonest, e.lastUsedAt + idleTimeoutMs - now);
    }
    return Math.max(1, Math.ceil(soonest / 1000));
  }
}

/** Tenant and identifier as one key that no other pair spells (JSON quotes both). */
function keyOf(tenant: string, identifier: string): string {
  return JSON.stringify([tenant, identifier]);
}
