/** Who is calling. Built by an authenticator; read by policy, meter, audit. Never raw claims. */
export type PrincipalKind = 'user' | 'app' | 'agent' | 'workload';

export interface Principal {
  /** Stable id, e.g. `oidc:<issuer>#<sub>` or `key:<keyId>`'s bound principal id. */
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  /** How the principal authenticated. */
  readonly authMethod: 'oidc' | 'api-key';
  /** Set when the principal authenticated with a Rampart API key. */
  readonly apiKeyId?: string;
  /** Issuer of the token, for OIDC principals. */
  readonly issuer?: string;
  /** Human-readable label (never used for authorization). */
  readonly displayName?: string;
}
