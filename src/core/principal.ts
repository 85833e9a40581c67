/** Who is calling. Built by an authenticator; read by policy, meter, audit. Never raw claims. */
export type PrincipalKind = 'user' | 'app' | 'agent' | 'workload';

/**
 * How the principal authenticated: an IdP-issued bearer token (`oidc`), a federated workload
 * token accepted by a trust rule (`workload`), or a Rampart API key.
 */
export type AuthMethod = 'oidc' | 'workload' | 'api-key';

/**
 * How the OAuth client proved its identity to the IdP, when the token says so (Entra `appidacr` /
 * `azpacr`): no credential (public client), a shared secret, or a private key (certificate or
 * `private_key_jwt`, RFC 7523).
 */
export type ClientAuthMethod = 'none' | 'secret' | 'private-key';

/** The user an app or agent acts for (delegated, on-behalf-of and RFC 8693 token-exchange tokens). */
export interface DelegatingUser {
  /** Stable id, built like a user principal's id. */
  readonly id: string;
  readonly kind: 'user';
}

export interface Principal {
  /**
   * Stable id: `oidc:<issuer>#<subject>`, `entra:<tenant>:<object id>` for Entra ID, a workload
   * rule's template (e.g. `k8s:system:serviceaccount:ns:name`), or `key:<keyId>`. Never an email
   * address or a display name.
   */
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly authMethod: AuthMethod;
  /** Set when the principal authenticated with a Rampart API key. */
  readonly apiKeyId?: string;
  /**
   * Who minted that key (its record's `createdBy`). The four-eyes rule treats a key as its
   * creator's hand: a key someone minted cannot approve that someone's own elevation.
   */
  readonly apiKeyCreatedBy?: string;
  /** Issuer of the token, for token principals. */
  readonly issuer?: string;
  /** Human-readable label (never used for authorization). */
  readonly displayName?: string;
  /** OAuth scopes granted to the client (`scope` / `scp`). */
  readonly scopes?: readonly string[];
  /** Tenant the token was issued in (Entra `tid`), checked against the issuer's allow-list. */
  readonly tenant?: string;
  /** The OAuth client the token was issued to (`azp`, `client_id`, Entra v1 `appid`, Okta `cid`). */
  readonly clientId?: string;
  /** How that client authenticated to the IdP, when the token says. */
  readonly clientAuth?: ClientAuthMethod;
  /** Authentication context class reference (`acr`, OIDC Core §2). */
  readonly acr?: string;
  /** Authentication methods (`amr`, RFC 8176), e.g. ['pwd', 'mfa']. */
  readonly amr?: readonly string[];
  /** Entra conditional-access authentication contexts satisfied (`acrs`), e.g. ['c1']. */
  readonly authContexts?: readonly string[];
  /** When the user last authenticated (`auth_time`), epoch seconds. */
  readonly authTime?: number;
  /** The user an app or agent acts for, on delegated tokens. */
  readonly onBehalfOf?: DelegatingUser;
  /** Workload trust rule that accepted the token (its `name`, or `workloads[<index>]`). */
  readonly trustRule?: string;
  /** RFC 9449 `cnf.jkt` of a DPoP-bound token: the thumbprint of the key every proof must use. */
  readonly dpopJkt?: string;
}

// An error raised after the caller was identified (a suspended agent, an unregistered one): the
// audit event still names who was refused. A WeakMap, so errors stay plain RampartErrors.
const refused = new WeakMap<object, Principal>();

/** Marks `err` as the refusal of an identified principal; returns it for `throw`. */
export function refusalOf<E extends object>(err: E, principal: Principal): E {
  refused.set(err, principal);
  return err;
}

/** The principal an authentication error refused, when it was identified before the refusal. */
export function refusedPrincipal(err: unknown): Principal | null {
  return typeof err === 'object' && err !== null ? (refused.get(err) ?? null) : null;
}
