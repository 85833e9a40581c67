/**
 * Just-in-time roles at authorization time (issue 5, point 8). Wraps the configured engine (roles
 * or Cedar): before each decision, the roles of the principal's active elevations are added to its
 * roles, so every policy sees them exactly like standing roles. Break-glass principals are
 * watched here too, because this is the one place every decision passes.
 *
 * - Expiry is exact: an elevation counts while `startsAt <= now < expiresAt`, checked per request
 *   against the injected clock, whatever the cache holds.
 * - Active elevations are cached in memory, reloaded from the store every `refreshMs` (so an
 *   approval or revocation on another instance takes effect within that time) and at once after
 *   a change on this instance (`refresh()`).
 * - Fails closed: when the cache could not be reloaded for 3 × `refreshMs`, elevations are
 *   ignored (a revocation elsewhere might be missed) until a reload succeeds.
 * - An elevation counts only while the config still makes its principal eligible for the role.
 *
 * @example
 *   const engine = new JitPolicyEngine({ inner, repo: store.elevations, eligibility, breakGlass: [], clock, refreshMs: 5000, logger, record });
 *   await engine.start();
 *   engine.authorize(principal, { kind: 'admin', permission: 'keys:write' });
 */
import type { Logger } from 'pino';
import type { AuditEvent } from '../core/audit-event.ts';
import type { Clock } from '../core/clock.ts';
import type { Decision } from '../core/decision.ts';
import { newId } from '../core/ids.ts';
import type { Principal } from '../core/principal.ts';
import type { ElevationRecord, ElevationRepo } from '../store/types.ts';
import type { Eligibility } from './jit-eligibility.ts';
import { describeAction, type Action, type PolicyEngine } from './policy.ts';

export interface JitEngineOptions {
  readonly inner: PolicyEngine;
  readonly repo: Pick<ElevationRepo, 'active' | 'expire'>;
  readonly eligibility: Eligibility;
  /** Principal ids of break-glass accounts. */
  readonly breakGlass: readonly string[];
  readonly clock: Clock;
  readonly refreshMs: number;
  readonly logger: Logger;
  readonly record: (event: AuditEvent) => void;
}

interface Active {
  readonly id: string;
  readonly role: string;
  readonly startsAt: number;
  readonly expiresAt: number;
}

export class JitPolicyEngine implements PolicyEngine {
  readonly #o: JitEngineOptions;
  readonly #breakGlass: ReadonlySet<string>;
  #active = new Map<string, Active[]>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #staleLogged = false;

  constructor(opts: JitEngineOptions) {
    this.#o = opts;
    this.#breakGlass = new Set(opts.breakGlass);
  }

  /** Loads the active elevations (failing start-up if the store cannot), then keeps them fresh. */
  async start(): Promise<void> {
    // Without eligibility rules no elevation can hold (activeFor checks eligibility): nothing to poll.
    if (this.#o.eligibility.empty) return;
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.#o.logger.warn({ err }, 'reloading active elevations failed'));
    }, this.#o.refreshMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * Marks elevations whose time is up as expired (one instance wins each, and records it), then
   * reloads the active ones. Calls made while a reload runs are coalesced into one more reload.
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    const run = async () => {
      do {
        this.#again = false;
        const now = this.#o.clock.now();
        for (const e of await this.#o.repo.expire(now)) this.#o.record(expiredEvent(e, now));
        const rows = await this.#o.repo.active(now);
        const next = new Map<string, Active[]>();
        for (const e of rows) {
          if (e.startsAt === null || e.expiresAt === null) continue;
          const list = next.get(e.principalId) ?? [];
          list.push({ id: e.id, role: e.role, startsAt: e.startsAt, expiresAt: e.expiresAt });
          next.set(e.principalId, list);
        }
        this.#active = next;
        this.#loadedAt = performance.now();
        this.#staleLogged = false;
      } while (this.#again);
    };
    this.#refreshing = run().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** The elevations that hold for this principal now. */
  activeFor(principal: Pick<Principal, 'id' | 'groups'>, now = this.#o.clock.now()): Active[] {
    const list = this.#active.get(principal.id);
    if (!list) return [];
    // Freshness is real (monotonic) time; expiry below is the injected clock's time.
    if (performance.now() - this.#loadedAt > 3 * this.#o.refreshMs) {
      if (!this.#staleLogged) this.#o.logger.warn({ ageMs: Math.round(performance.now() - this.#loadedAt) }, 'active elevations are stale: ignoring them until the store answers');
      this.#staleLogged = true;
      return [];
    }
    return list.filter((e) => e.startsAt <= now && now < e.expiresAt && this.#o.eligibility.grant(principal, e.role) !== null);
  }

  /**
   * The principal with the roles its elevations grant now: what every role check must see, the
   * policy below and the access rules (`when: { roles: [admin] }` holds for a JIT admin too).
   */
  elevated(principal: Principal, now = this.#o.clock.now()): Principal {
    const elevations = this.#newRoles(principal, now);
    return elevations.length === 0 ? principal : withRoles(principal, elevations);
  }

  #newRoles(principal: Principal, now: number): Active[] {
    return this.#active.size > 0 ? this.activeFor(principal, now).filter((e) => !principal.roles.includes(e.role)) : [];
  }

  authorize(principal: Principal, action: Action): Decision {
    const now = this.#o.clock.now();
    const elevations = this.#newRoles(principal, now);
    let decision: Decision;
    if (elevations.length === 0) {
      decision = this.#o.inner.authorize(principal, action);
    } else {
      const elevated = withRoles(principal, elevations);
      decision = this.#o.inner.authorize(elevated, action);
      // Name the elevation when it made the difference, so the audit log shows what granted it.
      if (decision.effect === 'allow' && this.#o.inner.authorize(principal, action).effect !== 'allow') {
        const ids = elevations.map((e) => e.id);
        decision = {
          effect: 'allow',
          policy: `${decision.policy},${ids.map((id) => `jit:${id}`).join(',')}`,
          reason: `${decision.reason} (just-in-time: ${elevations.map((e) => `role '${e.role}' by ${e.id} until ${new Date(e.expiresAt).toISOString()}`).join(', ')})`,
        };
      }
    }
    if (this.#breakGlass.has(principal.id)) this.#breakGlassUsed(principal, action, decision, now);
    return decision;
  }

  #breakGlassUsed(principal: Principal, action: Action, decision: Decision, now: number): void {
    const what = describeAction(action);
    this.#o.logger.warn({ principalId: principal.id, action: what, decision: decision.effect, policy: decision.policy, alert: true }, 'break-glass account used');
    this.#o.record({
      id: newId('aud', now),
      time: now,
      requestId: newId('req', now),
      plane: 'system',
      action: 'breakglass.use',
      principalId: principal.id,
      principalKind: principal.kind,
      apiKeyId: principal.apiKeyId ?? null,
      deployment: action.kind === 'invoke' ? action.deployment : null,
      decision: decision.effect,
      reason: `break-glass account: ${decision.reason}`,
      code: null,
      status: decision.effect === 'allow' ? 200 : 403,
      promptTokens: null,
      completionTokens: null,
      latencyMs: 0,
      upstream: null,
      sourceIp: null,
      details: { alert: true, breakGlass: true, requested: what, policy: decision.policy },
    });
  }
}

function expiredEvent(e: ElevationRecord, now: number): AuditEvent {
  return {
    id: newId('aud', now),
    time: now,
    requestId: newId('req', now),
    plane: 'system',
    action: 'elevations.expire',
    principalId: e.principalId,
    principalKind: e.principalKind,
    apiKeyId: null,
    deployment: null,
    decision: 'allow',
    reason: `just-in-time role '${e.role}' ended at ${new Date(e.expiresAt ?? now).toISOString()}`,
    code: null,
    status: 200,
    promptTokens: null,
    completionTokens: null,
    latencyMs: 0,
    upstream: null,
    sourceIp: null,
    details: { elevationId: e.id, role: e.role },
  };
}

function withRoles(principal: Principal, elevations: readonly Active[]): Principal {
  return { ...principal, roles: [...principal.roles, ...new Set(elevations.map((e) => e.role))] };
}
