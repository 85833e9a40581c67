/**
 * /admin/v1/elevations: just-in-time role activation. Requesting needs no admin permission, only
 * eligibility (`jit.eligible`): the route is `authenticated` and the service checks. Approving and
 * denying need `elevations:approve`, and never by the requester. Revoking: a holder of
 * `elevations:approve`, or the requester giving its own elevation back. Listing: holders of
 * `elevations:approve` or `audit:read` see all; an eligible principal sees its own.
 */
import { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import type { ElevationService } from '../identity/elevations.ts';
import type { ElevationRecord, ElevationStatus } from '../store/types.ts';
import { pageParams, type AdminCall, type AdminRoute } from './admin-api.ts';

export interface ElevationView {
  id: string;
  principalId: string;
  principalKind: string;
  role: string;
  justification: string;
  durationMinutes: number;
  approval: 'required' | 'auto';
  /** `approved` turns `expired` the moment its time is up, before the store marks it. */
  status: ElevationStatus;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionNote: string | null;
  startsAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function elevationView(e: ElevationRecord, now: number): ElevationView {
  return {
    id: e.id,
    principalId: e.principalId,
    principalKind: e.principalKind,
    role: e.role,
    justification: e.justification,
    durationMinutes: e.durationMs / 60_000,
    approval: e.approval,
    status: e.status === 'approved' && e.expiresAt !== null && e.expiresAt <= now ? 'expired' : e.status,
    requestedAt: new Date(e.requestedAt).toISOString(),
    decidedAt: iso(e.decidedAt),
    decidedBy: e.decidedBy,
    decisionNote: e.decisionNote,
    startsAt: iso(e.startsAt),
    expiresAt: iso(e.expiresAt),
    revokedAt: iso(e.revokedAt),
    revokedBy: e.revokedBy,
  };
}

export const requestElevationBody = z.strictObject({
  role: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  durationMinutes: z.number().positive().max(7 * 24 * 60),
  justification: z.string().trim().min(3).max(1_000),
});

const decisionBody = z.strictObject({ note: z.string().trim().min(1).max(1_000).optional() });

const STATUSES = ['pending', 'approved', 'denied', 'revoked', 'expired'] as const;
const ELEVATION_ID = /^elv_[a-z0-9]{26}$/;
const PRINCIPAL_ID = /^[A-Za-z0-9._:@/#{}-]{1,256}$/;

function idParam(params: Readonly<Record<string, string | undefined>>): string {
  const id = params.id ?? '';
  if (!ELEVATION_ID.test(id)) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such elevation.' });
  return id;
}

export function elevationRoutes(svc: ElevationService, now: () => number): AdminRoute[] {
  const answer = (call: AdminCall, e: ElevationRecord, status = 200) => {
    call.note({ elevationId: e.id, role: e.role, requester: e.principalId, status: e.status, ...(e.expiresAt !== null ? { expiresAt: new Date(e.expiresAt).toISOString() } : {}) });
    return { status, body: elevationView(e, now()) };
  };
  return [
    {
      method: 'POST',
      path: '/admin/v1/elevations',
      action: 'elevations.request',
      permission: 'authenticated',
      handle: async (call) => {
        const input = await call.body(requestElevationBody);
        call.note({ role: input.role, durationMinutes: input.durationMinutes, justification: input.justification });
        const e = await svc.request(call.principal, input);
        call.note({ approval: e.approval });
        return answer(call, e, 201);
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/elevations',
      action: 'elevations.list',
      permission: 'authenticated',
      handle: async (call) => {
        const { principal, query, note } = call;
        const seesAll = call.may('elevations:approve') || call.may('audit:read');
        if (!seesAll && !svc.isEligible(principal)) {
          throw new RampartError('RAMPART_FORBIDDEN', { detail: 'Requires eligibility for a just-in-time role, or the admin permission elevations:approve or audit:read.' });
        }
        const status = query.get('status');
        if (status !== null && !(STATUSES as readonly string[]).includes(status)) {
          throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `status: one of ${STATUSES.join(', ')}` });
        }
        const asked = query.get('principalId');
        if (asked !== null && !PRINCIPAL_ID.test(asked)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'principalId: malformed' });
        // Without a wider permission a principal sees its own elevations only, whatever it asks.
        const principalId = seesAll ? (asked ?? undefined) : principal.id;
        note({ scope: seesAll ? 'all' : 'own' });
        const page = await svc.list({
          ...(principalId !== undefined ? { principalId } : {}),
          ...(status !== null ? { status: status as ElevationStatus } : {}),
          ...pageParams(query),
        });
        const t = now();
        return { status: 200, body: { data: page.items.map((e) => elevationView(e, t)), nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/elevations/:id/approve',
      action: 'elevations.approve',
      permission: 'elevations:approve',
      handle: async (call) => {
        const id = idParam(call.params);
        call.note({ elevationId: id });
        const { note } = await call.body(decisionBody);
        return answer(call, await svc.approve(call.principal, id, note ?? null));
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/elevations/:id/deny',
      action: 'elevations.deny',
      permission: 'elevations:approve',
      handle: async (call) => {
        const id = idParam(call.params);
        call.note({ elevationId: id });
        const { note } = await call.body(decisionBody);
        return answer(call, await svc.deny(call.principal, id, note ?? null));
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/elevations/:id/revoke',
      action: 'elevations.revoke',
      permission: 'authenticated',
      handle: async (call) => {
        const id = call.params.id ?? '';
        if (!ELEVATION_ID.test(id)) {
          // Same answer as for someone else's elevation unless the caller could see it anyway.
          if (!call.may('elevations:approve')) throw new RampartError('RAMPART_FORBIDDEN', { detail: 'Only the requester or a holder of elevations:approve may revoke an elevation.' });
          throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such elevation.' });
        }
        call.note({ elevationId: id });
        return answer(call, await svc.revoke(call.principal, id, call.may('elevations:approve')));
      },
    },
  ];
}
