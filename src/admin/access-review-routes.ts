/**
 * /admin/v1/access-review?days=N: what each principal may do against what it did (see
 * posture/access-review.ts). Needs `audit:read`: the report is built from the audit log.
 */
import { RampartError } from '../core/errors.ts';
import type { AdminPermission } from '../config/schema.ts';
import { accessReview, type AccessReviewDeps } from '../posture/access-review.ts';
import type { AdminRoute } from './admin-api.ts';
import type { KeyManager, KeyRecord } from './keys-routes.ts';

export interface AccessReviewRouteDeps extends Omit<AccessReviewDeps, 'keys' | 'permissionOf'> {
  /** The key service, or null when API keys are disabled. */
  keys: KeyManager | null;
  /** Every admin route (this one included): which permission each audited action needed. */
  adminRoutes: () => readonly AdminRoute[];
}

/** Every unrevoked, unexpired key, all pages. */
async function activeKeys(keys: KeyManager, now: number): Promise<KeyRecord[]> {
  const out: KeyRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await keys.list({ limit: 500, cursor });
    out.push(...page.items.filter((k) => k.expiresAt === null || k.expiresAt > now));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export function accessReviewRoutes(routeDeps: AccessReviewRouteDeps): AdminRoute[] {
  let permissions: Map<string, AdminPermission> | null = null;
  const { keys, adminRoutes, ...rest } = routeDeps;
  const deps: AccessReviewDeps = {
    ...rest,
    keys: keys ? () => activeKeys(keys, rest.now()) : null,
    permissionOf: (action) => {
      permissions ??= new Map(adminRoutes().flatMap((r) => (r.permission === 'authenticated' ? [] : [[r.action, r.permission] as const])));
      return permissions.get(action);
    },
  };
  return [
    {
      method: 'GET',
      path: '/admin/v1/access-review',
      action: 'access.review',
      permission: 'audit:read',
      handle: async ({ query, note }) => {
        const raw = query.get('days');
        const days = raw === null ? 30 : Number(raw);
        if (!Number.isInteger(days) || days < 1 || days > 3650) {
          throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'days: must be an integer from 1 to 3650' });
        }
        note({ days });
        return { status: 200, body: await accessReview(deps, days) };
      },
    },
  ];
}
