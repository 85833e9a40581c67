/**
 * Access reviews (issue 5, point 9): for each principal that holds keys, is eligible for
 * just-in-time roles, is a break-glass account or shows up in the audit log, what it *may* do
 * (its standing roles run through the policy engine over every configured deployment and admin
 * permission) against what it *did* in the last N days (from the audit log), with findings a
 * reviewer acts on: unused grants, stale identities, standing admin roles that could be eligible.
 *
 * Roles of token principals (OIDC, workloads) come from the IdP with each token and are not
 * stored, so for a principal seen only in the audit log the report says `rolesKnown: false` and
 * lists only what it did.
 */
import type { StoredAuditEvent } from '../core/audit-event.ts';
import type { Principal, PrincipalKind } from '../core/principal.ts';
import { ADMIN_PERMISSIONS, type AdminPermission } from '../config/schema.ts';
import type { Eligibility } from '../policy/jit-eligibility.ts';
import type { PolicyEngine } from '../policy/policy.ts';
import type { ApiKeyRecord, AuditFilter, Page } from '../store/types.ts';

const DAY = 86_400_000;
/** Permissions whose standing holder should rather activate them just in time: every write, and approving. */
const PRIVILEGED: readonly AdminPermission[] = ADMIN_PERMISSIONS.filter((p) => p.endsWith(':write') || p === 'elevations:approve');

export type ReviewFinding =
  | { kind: 'unused-deployment-grant'; deployment: string }
  | { kind: 'unused-admin-permission'; permission: AdminPermission }
  | { kind: 'stale-key'; keyId: string; lastUsedAt: string | null }
  | { kind: 'stale-identity' }
  | { kind: 'standing-admin'; roles: string[]; permissions: AdminPermission[]; alreadyEligible: boolean };

export interface ReviewedKey {
  id: string;
  name: string;
  roles: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface PrincipalReview {
  principalId: string;
  kind: string | null;
  /** Why it is in the report. */
  sources: ('key' | 'eligible' | 'break-glass' | 'audit')[];
  rolesKnown: boolean;
  standingRoles: string[];
  eligibleRoles: string[];
  breakGlass: boolean;
  keys: ReviewedKey[];
  may: { deployments: string[]; adminPermissions: AdminPermission[] };
  did: {
    requests: number;
    denied: number;
    lastSeenAt: string | null;
    deployments: Record<string, number>;
    adminActions: Record<string, number>;
    adminPermissionsUsed: AdminPermission[];
  };
  findings: ReviewFinding[];
}

export interface AccessReport {
  generatedAt: string;
  days: number;
  from: string;
  /** True when the window held more audit events than were read: activity may be missing. */
  truncated: boolean;
  eventsRead: number;
  principals: PrincipalReview[];
}

export interface AccessReviewDeps {
  /** Policy engine for standing roles (not the just-in-time wrapper: elevations are temporary). */
  policy: PolicyEngine;
  deployments: readonly string[];
  eligibility: Eligibility;
  breakGlass: readonly string[];
  /** Active (unrevoked, unexpired) keys; null when API keys are disabled. */
  keys: (() => Promise<Omit<ApiKeyRecord, 'secretHash'>[]>) | null;
  audit: (filter: AuditFilter) => Promise<Page<StoredAuditEvent>>;
  /** The admin permission an audited admin action needed, when it needed one. */
  permissionOf: (action: string) => AdminPermission | undefined;
  now: () => number;
  /** Most audit events read per report (default 200 000). */
  maxEvents?: number;
}

interface Activity {
  kind: string | null;
  requests: number;
  denied: number;
  lastSeen: number | null;
  deployments: Map<string, number>;
  adminActions: Map<string, number>;
  permissions: Set<AdminPermission>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export async function accessReview(deps: AccessReviewDeps, days: number): Promise<AccessReport> {
  const now = deps.now();
  const from = now - days * DAY;
  const max = deps.maxEvents ?? 200_000;

  const activity = new Map<string, Activity>();
  let read = 0;
  let cursor: string | null = null;
  let truncated = false;
  do {
    const page: Page<StoredAuditEvent> = await deps.audit({ from, to: now + 1, limit: 1000, cursor });
    for (const e of page.items) {
      if (!e.principalId) continue;
      let a = activity.get(e.principalId);
      if (!a) activity.set(e.principalId, (a = { kind: e.principalKind, requests: 0, denied: 0, lastSeen: null, deployments: new Map(), adminActions: new Map(), permissions: new Set() }));
      a.requests++;
      a.lastSeen = Math.max(a.lastSeen ?? 0, e.time);
      if (e.decision !== 'allow') {
        a.denied++;
        continue;
      }
      if (e.plane === 'data' && e.deployment) bump(a.deployments, e.deployment);
      if (e.plane === 'admin') {
        bump(a.adminActions, e.action);
        const p = deps.permissionOf(e.action);
        if (p) a.permissions.add(p);
      }
    }
    read += page.items.length;
    cursor = page.nextCursor;
    if (cursor && read >= max) truncated = true;
  } while (cursor && !truncated);

  const keysByPrincipal = new Map<string, Omit<ApiKeyRecord, 'secretHash'>[]>();
  for (const k of deps.keys ? await deps.keys() : []) {
    const list = keysByPrincipal.get(k.principalId) ?? [];
    list.push(k);
    keysByPrincipal.set(k.principalId, list);
  }
  const breakGlass = new Set(deps.breakGlass);
  const ids = new Set([...keysByPrincipal.keys(), ...deps.eligibility.namedPrincipals, ...breakGlass, ...activity.keys()]);

  const principals: PrincipalReview[] = [];
  for (const id of [...ids].sort()) {
    const keys = keysByPrincipal.get(id) ?? [];
    const act = activity.get(id);
    const eligibleRoles = deps.eligibility.rolesNamedFor(id).sort();
    const standingRoles = [...new Set(keys.flatMap((k) => k.roles))].sort();
    const kind = (keys[0]?.principalKind ?? act?.kind ?? null) as PrincipalKind | null;
    const may = mayDo(deps, id, kind, standingRoles);
    const sources: PrincipalReview['sources'] = [];
    if (keys.length) sources.push('key');
    if (eligibleRoles.length) sources.push('eligible');
    if (breakGlass.has(id)) sources.push('break-glass');
    if (act) sources.push('audit');

    const findings: ReviewFinding[] = [];
    const rolesKnown = keys.length > 0 || !act;
    if (rolesKnown) {
      for (const d of may.deployments) if (!act?.deployments.has(d)) findings.push({ kind: 'unused-deployment-grant', deployment: d });
      for (const p of may.adminPermissions) if (!act?.permissions.has(p)) findings.push({ kind: 'unused-admin-permission', permission: p });
    }
    const staleKeys = keys.filter((k) => k.createdAt < from && (k.lastUsedAt === null || k.lastUsedAt < from));
    for (const k of staleKeys) findings.push({ kind: 'stale-key', keyId: k.id, lastUsedAt: iso(k.lastUsedAt) });
    if (keys.length > 0 && staleKeys.length === keys.length && !act) findings.push({ kind: 'stale-identity' });
    const privileged = may.adminPermissions.filter((p) => PRIVILEGED.includes(p));
    if (privileged.length > 0 && !breakGlass.has(id)) {
      const roles = standingRoles.filter((r) => PRIVILEGED.some((p) => mayDo(deps, id, kind, [r]).adminPermissions.includes(p)));
      findings.push({ kind: 'standing-admin', roles, permissions: privileged, alreadyEligible: roles.length > 0 && roles.every((r) => eligibleRoles.includes(r)) });
    }

    principals.push({
      principalId: id,
      kind,
      sources,
      rolesKnown,
      standingRoles,
      eligibleRoles,
      breakGlass: breakGlass.has(id),
      keys: keys.map((k) => ({ id: k.id, name: k.name, roles: k.roles, createdAt: new Date(k.createdAt).toISOString(), lastUsedAt: iso(k.lastUsedAt), expiresAt: iso(k.expiresAt) })),
      may,
      did: {
        requests: act?.requests ?? 0,
        denied: act?.denied ?? 0,
        lastSeenAt: iso(act?.lastSeen ?? null),
        deployments: Object.fromEntries(act?.deployments ?? []),
        adminActions: Object.fromEntries(act?.adminActions ?? []),
        adminPermissionsUsed: [...(act?.permissions ?? [])].sort(),
      },
      findings,
    });
  }
  return { generatedAt: new Date(now).toISOString(), days, from: new Date(from).toISOString(), truncated, eventsRead: read, principals };
}

/** What the standing roles allow, asked of the policy engine over everything it could allow. */
function mayDo(deps: AccessReviewDeps, id: string, kind: PrincipalKind | null, roles: string[]): PrincipalReview['may'] {
  if (roles.length === 0) return { deployments: [], adminPermissions: [] };
  const principal: Principal = { id, kind: kind ?? 'user', roles, groups: [], authMethod: 'api-key' };
  return {
    deployments: deps.deployments.filter((d) => deps.policy.authorize(principal, { kind: 'invoke', deployment: d }).effect === 'allow'),
    adminPermissions: ADMIN_PERMISSIONS.filter((p) => deps.policy.authorize(principal, { kind: 'admin', permission: p }).effect === 'allow'),
  };
}
