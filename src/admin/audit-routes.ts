/** /admin/v1/audit: list and filter audit events, newest first, with cursor pagination; verify. */
import { RampartError } from '../core/errors.ts';
import type { StoredAuditEvent } from '../core/audit-event.ts';
import type { AuditFilter, AuditRepo } from '../store/types.ts';
import { z } from 'zod';
import { anchorsSchema, type AuditHead } from '../monitor/audit-verify.ts';
import { pageParams, timeParam, type AdminRoute } from './admin-api.ts';

export interface AuditVerifier {
  verify(anchors: readonly AuditHead[]): Promise<unknown>;
  heads(): Promise<readonly AuditHead[]>;
}

const verifyBody = z.strictObject({ anchors: anchorsSchema.optional() });

function textParam(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (v.length === 0 || v.length > 256) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${name}: must be 1-256 characters` });
  return v;
}

export function parseAuditFilter(query: URLSearchParams): AuditFilter {
  const filter: AuditFilter = { ...pageParams(query, 1000) };
  const from = timeParam(query, 'from');
  const to = timeParam(query, 'to');
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  const principalId = textParam(query, 'principal');
  const deployment = textParam(query, 'deployment');
  const action = textParam(query, 'action');
  const requestId = textParam(query, 'requestId');
  if (principalId) filter.principalId = principalId;
  if (deployment) filter.deployment = deployment;
  if (action) filter.action = action;
  if (requestId) filter.requestId = requestId;
  const decision = query.get('decision');
  if (decision !== null) {
    if (decision !== 'allow' && decision !== 'deny' && decision !== 'error') {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'decision: must be allow, deny or error' });
    }
    filter.decision = decision;
  }
  const status = query.get('status');
  if (status !== null) {
    const n = Number(status);
    if (!Number.isInteger(n) || n < 100 || n > 599) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'status: must be an HTTP status code' });
    filter.status = n;
  }
  return filter;
}

export function auditView(e: StoredAuditEvent) {
  return { ...e, time: new Date(e.time).toISOString() };
}

export function auditRoutes(repo: AuditRepo, verifier: AuditVerifier): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/audit',
      action: 'audit.list',
      permission: 'audit:read',
      handle: async ({ query }) => {
        const page = await repo.list(parseAuditFilter(query));
        return { status: 200, body: { data: page.items.map(auditView), nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/audit/verify',
      action: 'audit.verify',
      permission: 'audit:read',
      // An empty body is allowed: the chains are then checked without anchors (and the report says what that cannot find).
      handle: async (call) => ({ status: 200, body: await verifier.verify((await call.body(verifyBody)).anchors ?? []) }),
    },
    {
      method: 'GET',
      path: '/admin/v1/audit/heads',
      action: 'audit.heads',
      permission: 'audit:read',
      handle: async () => ({ status: 200, body: { data: await verifier.heads() } }),
    },
  ];
}
