/**
 * /admin/v1/keys: create (the plaintext is in the answer once and never again), list, get, revoke,
 * rotate. Answers never contain a key's hash.
 */
import { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import type { Principal, PrincipalKind } from '../core/principal.ts';
import type { Secret } from '../core/secret.ts';
import { limitValuesSchema } from '../config/schema.ts';
import { networkListSchema } from '../config/cidr.ts';
import type { ApiKeyRecord, LimitValues, Page } from '../store/types.ts';

/** A key as services return it: everything but the secret's hash. */
export type KeyRecord = Omit<ApiKeyRecord, 'secretHash'>;
import { pageParams, type AdminRoute } from './admin-api.ts';

/** What the admin API needs of the API key service (identity/api-keys.ts). */
export interface KeyManager {
  create(input: {
    name: string;
    principalId?: string;
    principalKind: PrincipalKind;
    roles: string[];
    limits?: LimitValues | null;
    expiresAt?: number | null;
    allowedNetworks?: string[] | null;
    createdBy: string | null;
  }): Promise<{ record: KeyRecord; plaintext: Secret }>;
  list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<KeyRecord>>;
  get(id: string): Promise<KeyRecord | null>;
  revoke(id: string): Promise<boolean>;
  rotate(id: string, opts: { overlapMs?: number; expiresAt?: number; createdBy: string | null }): Promise<{ record: KeyRecord; plaintext: Secret }>;
  /** Keys unused, expiring, expired or without expiry (identity/api-keys.ts `hygiene`). */
  hygiene(opts: { unusedDays?: number; expiringDays?: number }): Promise<{ unusedDays: number; expiringDays: number; items: readonly { key: KeyRecord; reasons: readonly string[] }[] }>;
}

export interface KeyView {
  id: string;
  name: string;
  principalId: string;
  principalKind: PrincipalKind;
  roles: string[];
  limits: LimitValues | null;
  status: 'active' | 'revoked' | 'expired';
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  rotatedFrom: string | null;
  allowedNetworks: string[] | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function keyView(rec: KeyRecord, now: number): KeyView {
  return {
    id: rec.id,
    name: rec.name,
    principalId: rec.principalId,
    principalKind: rec.principalKind,
    roles: rec.roles,
    limits: rec.limits,
    status: rec.revokedAt !== null ? 'revoked' : rec.expiresAt !== null && rec.expiresAt <= now ? 'expired' : 'active',
    createdAt: new Date(rec.createdAt).toISOString(),
    createdBy: rec.createdBy,
    expiresAt: iso(rec.expiresAt),
    revokedAt: iso(rec.revokedAt),
    lastUsedAt: iso(rec.lastUsedAt),
    rotatedFrom: rec.rotatedFrom,
    allowedNetworks: rec.allowedNetworks ?? null,
  };
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const createKeyBody = z.strictObject({
  name: z.string().min(1).max(128),
  roles: z.array(z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/)).min(1).max(32),
  principalId: z.string().regex(/^[A-Za-z0-9._:@/#-]{1,200}$/).optional(),
  principalKind: z.enum(['user', 'app', 'agent', 'workload']).default('app'),
  limits: limitValuesSchema.optional(),
  expiresInDays: z.number().positive().max(3650).optional(),
  allowedNetworks: networkListSchema.optional(),
});

export type CreateKeyBody = z.output<typeof createKeyBody>;

/** Creates a key from an admin API / CLI request body. */
export function createKey(keys: KeyManager, input: CreateKeyBody, createdBy: string, now: number) {
  return keys.create({
    name: input.name,
    ...(input.principalId ? { principalId: input.principalId } : {}),
    principalKind: input.principalKind,
    roles: input.roles,
    limits: input.limits ?? null,
    expiresAt: input.expiresInDays ? now + Math.round(input.expiresInDays * 86_400_000) : null,
    ...(input.allowedNetworks ? { allowedNetworks: input.allowedNetworks } : {}),
    createdBy,
  });
}

const rotateBody = z.strictObject({
  overlapHours: z.number().min(0).max(24 * 30).optional(),
  expiresInDays: z.number().positive().max(3650).optional(),
});

const days = (query: URLSearchParams, name: string): number | undefined => {
  const v = query.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${name}: must be an integer from 1 to 3650`, param: name });
  return n;
};

/**
 * A caller may only hand out roles it holds itself, unless it is a full `admin`: otherwise
 * `keys:write` alone would let anyone mint an admin key.
 */
export function assertMayGrant(caller: Principal, roles: readonly string[]): void {
  if (caller.roles.includes('admin')) return;
  const missing = roles.filter((r) => !caller.roles.includes(r));
  if (missing.length > 0) {
    throw new RampartError('RAMPART_FORBIDDEN', { detail: `You cannot grant roles you do not hold: ${missing.join(', ')}.` });
  }
}

/**
 * Whom a key may act as. A full `admin` may mint a key for any principal; anyone else only for
 * itself or for the key's own principal (`key:<id>`). Rights are also granted by principal id (JIT
 * eligibility and elevations, Cedar entities, sandbox callers, agent bindings), so a key acting as
 * `user:alice` would be Alice, whatever roles it carries.
 */
export function assertMayActAs(caller: Principal, principalId: string | null | undefined): void {
  if (caller.roles.includes('admin') || principalId === undefined || principalId === null || principalId === caller.id) return;
  throw new RampartError('RAMPART_FORBIDDEN', { detail: 'Only an admin can create or rotate a key that acts as another principal.' });
}

/** What the audit event of a key creation or rotation records of the new key (never its secret). */
export function keyNote(rec: KeyRecord): Record<string, unknown> {
  return {
    keyId: rec.id,
    principalId: rec.principalId,
    principalKind: rec.principalKind,
    roles: rec.roles,
    expiresAt: rec.expiresAt,
    ...(rec.allowedNetworks ? { allowedNetworks: rec.allowedNetworks } : {}),
  };
}

function idParam(params: Readonly<Record<string, string | undefined>>): string {
  const id = params.id ?? '';
  if (!KEY_ID.test(id)) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such key.' });
  return id;
}

export function keyRoutes(keys: KeyManager, now: () => number): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/keys',
      action: 'keys.list',
      permission: 'keys:read',
      handle: async ({ query }) => {
        const page = await keys.list({ includeRevoked: query.get('includeRevoked') === 'true', ...pageParams(query) });
        const t = now();
        return { status: 200, body: { data: page.items.map((k) => keyView(k, t)), nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/keys',
      action: 'keys.create',
      permission: 'keys:write',
      handle: async (call) => {
        const input = await call.body(createKeyBody);
        assertMayGrant(call.principal, input.roles);
        assertMayActAs(call.principal, input.principalId);
        const { record, plaintext } = await createKey(keys, input, call.principal.id, now());
        call.note(keyNote(record));
        // The one and only time the plaintext leaves Rampart.
        return { status: 201, body: { ...keyView(record, now()), key: plaintext.reveal() } };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/keys/hygiene',
      action: 'keys.hygiene',
      permission: 'keys:read',
      handle: async ({ query }) => {
        const unusedDays = days(query, 'unusedDays');
        const expiringDays = days(query, 'expiringDays');
        const report = await keys.hygiene({ ...(unusedDays ? { unusedDays } : {}), ...(expiringDays ? { expiringDays } : {}) });
        const t = now();
        return {
          status: 200,
          body: {
            unusedDays: report.unusedDays,
            expiringDays: report.expiringDays,
            data: report.items.map((i) => ({ ...keyView(i.key, t), reasons: i.reasons })),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/keys/:id',
      action: 'keys.get',
      permission: 'keys:read',
      handle: async ({ params }) => {
        const rec = await keys.get(idParam(params));
        if (!rec) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such key.' });
        return { status: 200, body: keyView(rec, now()) };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/keys/:id/revoke',
      action: 'keys.revoke',
      permission: 'keys:write',
      handle: async (call) => {
        const id = idParam(call.params);
        call.note({ keyId: id });
        if (!(await keys.revoke(id))) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such key.' });
        const rec = await keys.get(id);
        return { status: 200, body: rec ? keyView(rec, now()) : { id } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/keys/:id/rotate',
      action: 'keys.rotate',
      permission: 'keys:write',
      handle: async (call) => {
        const id = idParam(call.params);
        const input = await call.body(rotateBody);
        const old = await keys.get(id);
        if (!old) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such key.' });
        assertMayGrant(call.principal, old.roles);
        // A key's own principal (`key:<id>`) is not the caller's: only its creator or an admin rotates it.
        assertMayActAs(call.principal, old.principalId.startsWith('key:') && old.createdBy === call.principal.id ? undefined : old.principalId);
        const { record, plaintext } = await keys.rotate(id, {
          ...(input.overlapHours !== undefined ? { overlapMs: Math.round(input.overlapHours * 3_600_000) } : {}),
          ...(input.expiresInDays !== undefined ? { expiresAt: now() + Math.round(input.expiresInDays * 86_400_000) } : {}),
          createdBy: call.principal.id,
        });
        call.note({ ...keyNote(record), rotatedFrom: id });
        return { status: 201, body: { ...keyView(record, now()), key: plaintext.reveal() } };
      },
    },
  ];
}
