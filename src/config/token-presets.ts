/**
 * Where well-known identity providers put things in their access tokens. A preset fills the claim
 * paths an issuer does not set; each list is tried in order and the first present claim wins.
 * The subject is always an immutable id (object id, user id, sub), never an email or a name.
 */
export const TOKEN_PRESETS = ['generic', 'entra-v1', 'entra-v2', 'keycloak', 'okta', 'auth0'] as const;
export type TokenPreset = (typeof TOKEN_PRESETS)[number];

export interface PresetClaims {
  readonly subject: readonly string[];
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  readonly clientId: readonly string[];
  readonly tenant: readonly string[];
  readonly displayName: readonly string[];
}

const entra = {
  // `oid` is the object id of the user or service principal, stable across apps; `sub` is pairwise.
  subject: ['oid'],
  roles: ['roles'],
  groups: ['groups'],
  scopes: ['scp'],
  tenant: ['tid'],
  displayName: ['name'],
} as const;

export const PRESET_CLAIMS: Readonly<Record<TokenPreset, PresetClaims>> = {
  generic: {
    subject: ['sub'],
    roles: ['roles'],
    groups: ['groups'],
    scopes: ['scope', 'scp'],
    clientId: ['client_id', 'azp'],
    tenant: ['tid'],
    displayName: ['name'],
  },
  // Entra ID v1 tokens: issuer https://sts.windows.net/<tid>/, client in `appid`.
  'entra-v1': { ...entra, clientId: ['appid'] },
  // Entra ID v2 tokens: issuer https://login.microsoftonline.com/<tid>/v2.0, client in `azp`.
  'entra-v2': { ...entra, clientId: ['azp'] },
  keycloak: {
    subject: ['sub'],
    roles: ['realm_access.roles'],
    groups: ['groups'],
    scopes: ['scope'],
    clientId: ['azp', 'client_id'],
    tenant: [],
    displayName: ['name'],
  },
  // Okta: `sub` is the login (often an email), `uid` the user id; client-credentials tokens have no uid.
  okta: {
    subject: ['uid', 'sub'],
    roles: ['roles'],
    groups: ['groups'],
    scopes: ['scp'],
    clientId: ['cid'],
    tenant: [],
    displayName: ['name'],
  },
  // Auth0 puts roles in a namespaced claim chosen by the tenant: `claims.roles` is required.
  auth0: {
    subject: ['sub'],
    roles: [],
    groups: [],
    scopes: ['scope'],
    clientId: ['azp', 'client_id'],
    tenant: ['org_id'],
    displayName: ['name'],
  },
};

export function isEntraPreset(p: TokenPreset): boolean {
  return p === 'entra-v1' || p === 'entra-v2';
}
