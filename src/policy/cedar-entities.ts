/**
 * The minimal entity slice of one Cedar request: the principal (one entity type per kind, its
 * roles and groups as parents and as attributes), and the resource (a deployment, or an admin
 * permission). Actions come from the schema. Shapes follow cedar/rampart.cedarschema.
 *
 * Principal fields beyond the core ones (scopes, acr, amr, authTime, clientId, tenant, ...) are read
 * defensively: an authenticator may not set them, and a value of the wrong type is left out rather
 * than guessed at, so a policy that needs it finds it missing (and denies).
 */
import type { EntityJson, EntityUidJson, CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { Principal } from '../core/principal.ts';
import { ADMIN_PERMISSIONS, type AdminPermission } from '../config/schema.ts';

export const PRINCIPAL_TYPES: Readonly<Record<string, string>> = {
  user: 'Rampart::User',
  app: 'Rampart::App',
  agent: 'Rampart::Agent',
  workload: 'Rampart::Workload',
};

export const ACTIONS = {
  invoke: { type: 'Rampart::Action', id: 'invoke' },
  admin: { type: 'Rampart::Action', id: 'admin' },
} as const satisfies Record<string, EntityUidJson>;

const isString = (v: unknown): v is string => typeof v === 'string';

function stringSet(v: unknown): string[] | undefined {
  if (isString(v)) return v.split(/\s+/).filter(Boolean); // OAuth `scope` is space-separated (RFC 6749 §3.3)
  if (Array.isArray(v) && v.every(isString)) return [...v];
  if (v instanceof Set && [...v].every(isString)) return [...(v as Set<string>)];
  return undefined;
}

function seconds(v: unknown): number | undefined {
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}

/** The principal entity, or null when its kind has no entity type (the request is denied). */
export function principalEntity(principal: Principal): EntityJson | null {
  const type = PRINCIPAL_TYPES[principal.kind];
  if (type === undefined || !isString(principal.id)) return null;
  const extra = principal as unknown as Readonly<Record<string, unknown>>;
  const roles = [...principal.roles];
  const groups = [...principal.groups];
  const attrs: Record<string, CedarValueJson> = { kind: principal.kind, authMethod: principal.authMethod, roles, groups };
  if (isString(principal.apiKeyId)) attrs.apiKeyId = principal.apiKeyId;
  if (isString(principal.issuer)) attrs.issuer = principal.issuer;
  for (const k of ['acr', 'clientId', 'clientAuth', 'tenant', 'trustRule'] as const) if (isString(extra[k])) attrs[k] = extra[k];
  for (const k of ['scopes', 'amr', 'authContexts'] as const) {
    const set = stringSet(extra[k]);
    if (set) attrs[k] = set;
  }
  const onBehalfOf = (extra.onBehalfOf as { id?: unknown } | undefined)?.id;
  if (isString(onBehalfOf)) attrs.onBehalfOf = onBehalfOf;
  const authTime = seconds(extra.authTime);
  if (authTime !== undefined) attrs.authTime = authTime;
  const parents: EntityUidJson[] = [...roles.map((id) => ({ type: 'Rampart::Role', id })), ...groups.map((id) => ({ type: 'Rampart::Group', id }))];
  return { uid: { type, id: principal.id }, attrs, parents };
}

export function deploymentEntity(name: string, roles: readonly string[]): EntityJson {
  return { uid: { type: 'Rampart::Deployment', id: name }, attrs: { name, roles: [...roles] }, parents: [] };
}

export function permissionEntity(permission: AdminPermission): EntityJson {
  const [area, access] = permission.split(':') as [string, string];
  return { uid: { type: 'Rampart::Permission', id: permission }, attrs: { area, access }, parents: [] };
}

export function permissionEntities(): Map<AdminPermission, EntityJson> {
  return new Map(ADMIN_PERMISSIONS.map((p) => [p, permissionEntity(p)]));
}
