/**
 * Verified JWT claims -> Principal. Compiled once per issuer from its config; the returned
 * function is pure. Authorization only ever sees the Principal, never raw claims.
 */
import type { JWTPayload } from 'jose';
import { RampartError } from '../core/errors.ts';
import type { Principal, PrincipalKind } from '../core/principal.ts';
import type { KindRule, OidcIssuerConfig } from '../config/auth.ts';

const MAX_LIST_ENTRIES = 1_000;
const MAX_VALUE_CHARS = 1_024;
const MAX_DISPLAY_NAME_CHARS = 256;

export type ClaimMapper = (claims: JWTPayload) => Principal;

function invalid(detail: string): RampartError {
  return new RampartError('RAMPART_AUTH_INVALID_TOKEN', { detail });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a claim by name, else by dotted path (`realm_access.roles`). The whole name is tried
 * first so namespaced claims such as `https://example.com/roles` work. Own properties only.
 */
export function readClaim(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  if (!path.includes('.')) return undefined;
  let node: unknown = claims;
  for (const segment of path.split('.')) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/** A claim that holds names: absent -> [], a string -> [it], an array of strings -> them (deduplicated). */
function nameList(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) throw invalid(`The ${what} claim must be a string or an array of strings.`);
  if (list.length > MAX_LIST_ENTRIES) throw invalid(`The ${what} claim has more than ${MAX_LIST_ENTRIES} entries.`);
  const out = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_VALUE_CHARS) {
      throw invalid(`The ${what} claim must contain non-empty strings of at most ${MAX_VALUE_CHARS} characters.`);
    }
    out.add(item);
  }
  return [...out];
}

function compileKind(rule: KindRule, subjectPath: string): (claims: Record<string, unknown>) => PrincipalKind {
  if (typeof rule === 'object') {
    const values = new Map(Object.entries(rule.values));
    return (claims) => {
      const v = readClaim(claims, rule.claim);
      return (typeof v === 'string' ? values.get(v) : undefined) ?? rule.default;
    };
  }
  if (rule !== 'auto') return () => rule;
  return (claims) => {
    // Entra ID optional claim `idtyp` says it outright.
    const idtyp = claims.idtyp;
    if (idtyp === 'app') return 'app';
    if (idtyp === 'user') return 'user';
    // RFC 9068 §2.2: with no resource owner (client credentials) the subject is the client itself.
    const sub = readClaim(claims, subjectPath);
    if (typeof sub === 'string' && (sub === claims.client_id || sub === claims.azp)) return 'app';
    return 'user';
  };
}

/** Compiles the claim mapping of one issuer. The mapper throws RAMPART_AUTH_INVALID_TOKEN. */
export function compileClaimMapper(cfg: OidcIssuerConfig): ClaimMapper {
  const { issuer, claims: c } = cfg;
  const roleMap = cfg.roleMap === undefined ? null : new Map(Object.entries(cfg.roleMap));
  const kindOf = compileKind(c.kind, c.subject);

  return (claims) => {
    const subject = readClaim(claims, c.subject);
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_VALUE_CHARS) {
      throw invalid('The token has no usable subject claim.');
    }
    const idpRoles = nameList(readClaim(claims, c.roles), 'roles');
    let roles: string[];
    if (roleMap === null) {
      roles = idpRoles;
    } else {
      const mapped = new Set<string>();
      for (const r of idpRoles) for (const granted of roleMap.get(r) ?? []) mapped.add(granted);
      roles = [...mapped];
    }
    const groups = nameList(readClaim(claims, c.groups), 'groups');
    const name = readClaim(claims, c.displayName);
    const principal: Principal = {
      id: `oidc:${issuer}#${subject}`,
      kind: kindOf(claims),
      roles: Object.freeze(roles),
      groups: Object.freeze(groups),
      authMethod: 'oidc',
      issuer,
      ...(typeof name === 'string' && name.length > 0 ? { displayName: name.slice(0, MAX_DISPLAY_NAME_CHARS) } : {}),
    };
    return Object.freeze(principal);
  };
}
