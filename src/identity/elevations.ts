/**
 * Just-in-time role activation (issue 5, point 8): request → pending → approved by another
 * principal (or auto-approved where the config allows) → active until it expires or is revoked.
 * The service decides who may do what with an elevation; the admin routes only shape requests
 * and answers, and the JIT policy engine makes approved roles count (src/policy/jit-engine.ts).
 *
 * @example
 *   const svc = new ElevationService({ repo: store.elevations, eligibility, clock, changed: () => engine.refresh() });
 *   const e = await svc.request(alice, { role: 'admin', durationMinutes: 30, justification: 'INC-42' });
 *   await svc.approve(bob, e.id, 'ok');
 */
import type { Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Principal } from '../core/principal.ts';
import type { Eligibility } from '../policy/jit-eligibility.ts';
import type { ElevationFilter, ElevationRecord, ElevationRepo, Page } from '../store/types.ts';

export interface ElevationServiceOptions {
  readonly repo: ElevationRepo;
  readonly eligibility: Eligibility;
  readonly clock: Clock;
  /** Called after every change that affects who holds which role (reloads the engine's cache). */
  readonly changed: () => Promise<void>;
}

export interface ElevationRequest {
  readonly role: string;
  readonly durationMinutes: number;
  readonly justification: string;
}

export class ElevationService {
  readonly #o: ElevationServiceOptions;

  constructor(opts: ElevationServiceOptions) {
    this.#o = opts;
  }

  /** True when the principal may request at least one role. */
  isEligible(principal: Pick<Principal, 'id' | 'groups'>): boolean {
    return this.#o.eligibility.grants(principal).size > 0;
  }

  async request(principal: Principal, input: ElevationRequest): Promise<ElevationRecord> {
    const grant = this.#o.eligibility.grant(principal, input.role);
    if (!grant) {
      throw new RampartError('RAMPART_FORBIDDEN', { detail: `You are not eligible to activate the role '${input.role}'.` });
    }
    const durationMs = Math.round(input.durationMinutes * 60_000);
    if (durationMs > grant.maxDurationMs) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `durationMinutes: at most ${grant.maxDurationMs / 60_000} for the role '${input.role}'` });
    }
    const now = this.#o.clock.now();
    const auto = grant.approval === 'auto';
    const rec: ElevationRecord = {
      id: newId('elv', now),
      principalId: principal.id,
      principalKind: principal.kind,
      role: input.role,
      justification: input.justification,
      durationMs,
      approval: grant.approval,
      status: auto ? 'approved' : 'pending',
      requestedAt: now,
      decidedAt: auto ? now : null,
      decidedBy: auto ? 'rampart:auto-approval' : null,
      decisionNote: null,
      startsAt: auto ? now : null,
      expiresAt: auto ? now + durationMs : null,
      revokedAt: null,
      revokedBy: null,
    };
    await this.#o.repo.insert(rec);
    if (auto) await this.#o.changed();
    return rec;
  }

  /** Approves a pending elevation: the role holds from now for the requested duration. */
  async approve(approver: Principal, id: string, note: string | null): Promise<ElevationRecord> {
    const rec = await this.#pending(approver, id, 'approve');
    const now = this.#o.clock.now();
    const done = await this.#o.repo.decide(id, { status: 'approved', at: now, by: approver.id, note, startsAt: now, expiresAt: now + rec.durationMs });
    if (!done) throw notPending(id);
    await this.#o.changed();
    return done;
  }

  async deny(approver: Principal, id: string, note: string | null): Promise<ElevationRecord> {
    await this.#pending(approver, id, 'deny');
    const done = await this.#o.repo.decide(id, { status: 'denied', at: this.#o.clock.now(), by: approver.id, note, startsAt: null, expiresAt: null });
    if (!done) throw notPending(id);
    return done;
  }

  /**
   * Ends a pending or active elevation at once. `mayRevokeAny`: the caller holds
   * elevations:approve; otherwise only the requester may give its own elevation back.
   */
  async revoke(by: Principal, id: string, mayRevokeAny: boolean): Promise<ElevationRecord> {
    const rec = await this.#o.repo.get(id);
    // A caller who may not see the elevation learns nothing about whether it exists.
    if (!mayRevokeAny && rec?.principalId !== by.id) throw new RampartError('RAMPART_FORBIDDEN', { detail: 'Only the requester or a holder of elevations:approve may revoke an elevation.' });
    if (!rec) throw notFound(id);
    const done = await this.#o.repo.revoke(id, this.#o.clock.now(), by.id);
    if (!done) throw new RampartError('RAMPART_CONFLICT', { detail: `Elevation ${id} is ${rec.status === 'approved' ? 'expired' : rec.status}: nothing to revoke.` });
    await this.#o.changed();
    return done;
  }

  get(id: string): Promise<ElevationRecord | null> {
    return this.#o.repo.get(id);
  }

  list(filter: ElevationFilter): Promise<Page<ElevationRecord>> {
    return this.#o.repo.list(filter);
  }

  /** Loads a pending elevation that `approver` may decide: never the requester's own. */
  async #pending(approver: Principal, id: string, verb: string): Promise<ElevationRecord> {
    const rec = await this.#o.repo.get(id);
    if (!rec) throw notFound(id);
    // Four eyes: the requester never decides, not through an agent acting for it, nor through an
    // API key it minted (a key with a principal of its own, or with one it may not otherwise use).
    if (rec.principalId === approver.id || rec.principalId === approver.onBehalfOf?.id || rec.principalId === approver.apiKeyCreatedBy) {
      throw new RampartError('RAMPART_ELEVATION_SELF_APPROVAL', { detail: `You cannot ${verb} your own elevation ${id}.` });
    }
    if (rec.status !== 'pending') throw notPending(id, rec.status);
    return rec;
  }
}

function notFound(id: string): RampartError {
  return new RampartError('RAMPART_NOT_FOUND', { detail: `No elevation ${id}.` });
}

function notPending(id: string, status?: string): RampartError {
  return new RampartError('RAMPART_CONFLICT', { detail: `Elevation ${id} is not pending${status ? ` (it is ${status})` : ''}.` });
}
