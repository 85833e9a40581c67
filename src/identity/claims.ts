/**
 * Verified JWT claims of an IdP-issued token -> Principal. Compiled once per issuer from its config
 * and preset; the returned function is pure. Authorization only ever sees the Principal, never raw
 * claims.
 */
import { RampartError } from '../core/errors.ts';
import type { ClientAuthMethod, Principal, PrincipalKind } from '../core/principal.ts';
import type { KindRule, OidcIssuerConfig } from '../config/oidc-issuer.ts';
import { PRESET_CLAIMS, isEntraPreset } from '../config/token-presets.ts';
import { type Claims, invalid, isPlainObject, nameList, readFirst, stringClaim } from './claim-read.ts';
import { entraClientAuth, isEntraAgentToken } from './entra.ts';

export { readClaim } from './claim-read.ts';

const MAX_DISPLAY_NAME_CHARS = 256;

/** Which concrete issuer verified the token, and the tenant that issuer is bound to (templates). */
export interface IssuerMatch {
  readonly issuer: string;
  readonly tenant: string | null;
}

export type ClaimMapper = (claims: Claims, match: IssuerMatch) => Principal;

/** Who the token's caller is: the kind, whether it is the subject or the client, and any user it acts for. */
interface Caller {
  kind: PrincipalKind;
  /** 'subject': the token's subject; 'client': the OAuth client; 'actor': RFC 8693 `act.sub`. */
  by: 'subject' | 'client' | 'actor';
  /** The subject is a user the caller acts for. */
  delegated: boolean;
}

const asArray = (v: string | readonly string[] | undefined, fallback: readonly string[]): readonly string[] =>
  v === undefined ? fallback : typeof v === 'string' ? [v] : v;

function untrustedTenant(): RampartError {
  return new RampartError('RAMPART_AUTH_UNTRUSTED_TENANT');
}

/** RFC 8693 §4.1: the acting party of a token-exchange token, when there is one. */
function actorSubject(claims: Claims): string | undefined {
  const act = claims.act;
  if (act === undefined) return undefined;
  if (!isPlainObject(act) || typeof act.sub !== 'string' || act.sub.length === 0 || act.sub.length > 1_024) {
    throw invalid('The act claim must be an object with a sub (RFC 8693 §4.1).');
  }
  return act.sub;
}

function compileKind(
  rule: KindRule,
  entra: boolean,
  agentClients: ReadonlySet<string>,
): (claims: Claims, subject: string, clientId: string | undefined) => Caller {
  if (typeof rule === 'object') {
    const values = new Map(Object.entries(rule.values));
    const paths = asArray(rule.claim, []);
    return (claims) => {
      const v = readFirst(claims, paths);
      return { kind: (typeof v === 'string' ? values.get(v) : undefined) ?? rule.default, by: 'subject', delegated: false };
    };
  }
  if (rule !== 'auto') return () => ({ kind: rule, by: 'subject', delegated: false });
  return (claims, subject, clientId) => {
    const idtyp = claims.idtyp;
    let appOnly: boolean;
    if (idtyp === 'app') appOnly = true;
    else if (idtyp === 'user') appOnly = false;
    // Entra: app-only tokens carry application `roles` but never delegated `scp`.
    else if (entra) appOnly = claims.scp === undefined;
    // RFC 9068 §2.2: with no resource owner (client credentials) the subject is the client itself.
    else appOnly = subject === clientId || subject === claims.client_id || subject === claims.azp || claims.gty === 'client-credentials';

    const agent = (clientId !== undefined && agentClients.has(clientId)) || (entra && isEntraAgentToken(claims));
    if (agent) return { kind: 'agent', by: clientId !== undefined ? 'client' : 'subject', delegated: !appOnly && clientId !== undefined };
    if (!appOnly && actorSubject(claims) !== undefined) return { kind: 'agent', by: 'actor', delegated: true };
    return appOnly ? { kind: 'app', by: clientId !== undefined ? 'client' : 'subject', delegated: false } : { kind: 'user', by: 'subject', delegated: false };
  };
}

/** Compiles the claim mapping of one issuer entry. The mapper throws coded RAMPART_AUTH_* errors. */
export function compileClaimMapper(cfg: OidcIssuerConfig): ClaimMapper {
  const preset = PRESET_CLAIMS[cfg.preset];
  const c = cfg.claims;
  const paths = {
    subject: asArray(c.subject, preset.subject),
    roles: asArray(c.roles, preset.roles),
    groups: asArray(c.groups, preset.groups),
    scopes: asArray(c.scopes, preset.scopes),
    clientId: asArray(c.clientId, preset.clientId),
    tenant: asArray(c.tenant, preset.tenant),
    displayName: asArray(c.displayName, preset.displayName),
  };
  const entra = isEntraPreset(cfg.preset);
  const allowedTenants = cfg.tenants === undefined ? null : new Set(cfg.tenants);
  const roleMap = cfg.roleMap === undefined ? null : new Map(Object.entries(cfg.roleMap));
  const callerOf = compileKind(c.kind, entra, new Set(cfg.agentClientIds ?? []));

  return (claims, match) => {
    const subject = stringClaim(claims, paths.subject, 'subject');
    if (subject === undefined) throw invalid('The token has no usable subject claim.');
    const clientId = stringClaim(claims, paths.clientId, 'client id');
    const tenant = stringClaim(claims, paths.tenant, 'tenant');

    // A multi-tenant issuer template is bound to one tenant per concrete issuer: the token's tenant
    // claim must name that same tenant, or a token of tenant A could pass as tenant B.
    if (match.tenant !== null && tenant !== match.tenant) throw untrustedTenant();
    if (allowedTenants !== null && (tenant === undefined || !allowedTenants.has(tenant))) throw untrustedTenant();
    if (entra && tenant === undefined) throw invalid('The Entra ID token has no tid claim.');

    const idOf = (local: string) => (entra ? `entra:${tenant}:${local}` : `oidc:${match.issuer}#${local}`);
    const caller = callerOf(claims, subject, clientId);
    let id: string;
    if (caller.by === 'actor') id = idOf(actorSubject(claims)!);
    else if (caller.by === 'client') id = idOf(entra ? `app:${clientId}` : clientId!);
    else id = idOf(subject);

    const idpRoles = nameList(readFirst(claims, paths.roles), 'roles');
    let roles: string[];
    if (roleMap === null) {
      roles = idpRoles;
    } else {
      const mapped = new Set<string>();
      for (const r of idpRoles) for (const granted of roleMap.get(r) ?? []) mapped.add(granted);
      roles = [...mapped];
    }
    const groups = nameList(readFirst(claims, paths.groups), 'groups');
    const scopes = nameList(readFirst(claims, paths.scopes), 'scopes', true);
    const amr = nameList(claims.amr, 'amr');
    const acrs = nameList(claims.acrs, 'acrs');
    const acr = stringClaim(claims, ['acr'], 'acr');
    const authTime = claims.auth_time;
    if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime))) {
      throw invalid('The auth_time claim must be a number.');
    }
    const clientAuth: ClientAuthMethod | undefined = entra ? entraClientAuth(claims) : undefined;
    const name = caller.by === 'subject' ? readFirst(claims, paths.displayName) : undefined;

    const principal: Principal = {
      id,
      kind: caller.kind,
      roles: Object.freeze(roles),
      groups: Object.freeze(groups),
      authMethod: 'oidc',
      issuer: match.issuer,
      ...(typeof name === 'string' && name.length > 0 ? { displayName: name.slice(0, MAX_DISPLAY_NAME_CHARS) } : {}),
      ...(scopes.length > 0 ? { scopes: Object.freeze(scopes) } : {}),
      ...(tenant !== undefined ? { tenant } : {}),
      ...(clientId !== undefined ? { clientId } : {}),
      ...(clientAuth !== undefined ? { clientAuth } : {}),
      ...(acr !== undefined ? { acr } : {}),
      ...(amr.length > 0 ? { amr: Object.freeze(amr) } : {}),
      ...(acrs.length > 0 ? { authContexts: Object.freeze(acrs) } : {}),
      ...(typeof authTime === 'number' ? { authTime } : {}),
      ...(caller.delegated ? { onBehalfOf: Object.freeze({ id: idOf(subject), kind: 'user' as const }) } : {}),
    };
    return Object.freeze(principal);
  };
}
