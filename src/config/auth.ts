/**
 * The `auth` section of rampart.yaml: trusted OIDC issuers and Rampart API keys. The lead's config
 * schema composes `authConfigSchema`; everything here has a secure default, so `auth: {}` means
 * "no identity provider, API keys on" (the zero set-up path).
 */
import { z } from 'zod';
import { idpUrlProblem } from './idp-url.ts';

/**
 * Asymmetric JWS algorithms Rampart verifies (RFC 7518 §3, RFC 8037, RFC 9864 `Ed25519`).
 * HMAC (`HS*`) is absent on purpose: a shared secret with an IdP means anyone holding it can mint
 * tokens, and it opens the RS/HS key-confusion attack (RFC 8725 §2.1, §3.1). `none` is never
 * accepted (RFC 8725 §3.2).
 */
export const JWS_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export const PRINCIPAL_KINDS = ['user', 'app', 'agent', 'workload'] as const;

/** Path segments that could reach an object's prototype when a claim path is walked. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

function urlField(what: string) {
  return z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = idpUrlProblem(value);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
    });
}

const claimPath = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
  .refine((p) => !p.split('.').some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s)), {
    error: 'must be a claim name or a dotted path of non-empty segments (no __proto__, prototype, constructor)',
  });

/** A Rampart role name, as granted by roleMap and API keys. */
export const roleNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
    error: 'must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  });

const kindSchema = z.enum(PRINCIPAL_KINDS);

const kindRuleSchema = z
  .union([
    z.enum(['auto', ...PRINCIPAL_KINDS]),
    z.strictObject({
      claim: claimPath.describe('Claim whose (string) value selects the kind.'),
      values: z
        .record(z.string().min(1).max(256), kindSchema)
        .describe('Claim value -> principal kind, e.g. { app: app, user: user }.'),
      default: kindSchema.describe('Kind when the claim is absent or has an unlisted value.'),
    }),
  ])
  .describe(
    "How a token's principal kind is decided. A fixed kind ('user', 'app', 'agent', 'workload'); " +
      "'auto' (default): 'idtyp' = 'app' or 'user' decides when present (Entra ID), else a token whose " +
      "subject equals its 'client_id' or 'azp' is an app (client credentials, RFC 9068 §2.2), else a user; " +
      'or a rule { claim, values, default } mapping one claim to a kind.',
  );

const claimsSchema = z
  .strictObject({
    subject: claimPath.default('sub').describe('Claim holding the stable subject id (never an email address).'),
    roles: claimPath
      .default('roles')
      .describe("Claim (or dotted path, e.g. 'realm_access.roles') holding the IdP's roles: a string array or a string."),
    groups: claimPath.default('groups').describe('Claim (or dotted path) holding group ids: a string array or a string.'),
    displayName: claimPath
      .default('name')
      .describe('Claim used as a human-readable label in logs and the console. Never used for authorization.'),
    kind: kindRuleSchema.default('auto'),
  })
  .describe('Which claims become the principal. A name is first looked up as-is, then as a dotted path.');

const jwksSchema = z
  .strictObject({
    cacheMaxAgeSec: z.number().int().min(30).max(86_400).default(600).describe('How long fetched keys are used before a refresh.'),
    cooldownSec: z
      .number()
      .int()
      .min(0)
      .max(3_600)
      .default(30)
      .describe('Minimum time between refreshes caused by an unknown `kid`, so forged kids cannot hammer the IdP.'),
    timeoutMs: z.number().int().min(100).max(30_000).default(5_000).describe('Timeout of each discovery or JWKS request.'),
    maxStaleSec: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .default(3_600)
      .describe(
        'When a refresh fails, keys fetched at most this long ago stay in use (0 disables). ' +
          'Bounds how long an IdP outage is survived against how long a key removed from the JWKS is still trusted.',
      ),
  })
  .describe('Fetching and caching of the issuer key set.');

export const oidcIssuerSchema = z
  .strictObject({
    issuer: urlField('issuer')
      .refine((v) => !v.includes('?'), { error: 'issuer must not contain a query (OpenID Connect Discovery 1.0 §2)' })
      .describe("The `iss` value exactly as the IdP writes it into tokens, e.g. 'https://login.example.com/realms/acme'."),
    audience: z
      .union([z.string().min(1).max(1024), z.array(z.string().min(1).max(1024)).min(1).max(16)])
      .describe('Accepted `aud` value(s): the token must name at least one (RFC 7519 §4.1.3).'),
    jwksUri: urlField('jwksUri')
      .optional()
      .describe("JWKS URL. When absent, discovered from '<issuer>/.well-known/openid-configuration', whose `issuer` must equal this one."),
    algorithms: z
      .array(
        z.enum(JWS_ALGORITHMS, {
          error: `must be one of ${JWS_ALGORITHMS.join(', ')}; HMAC (HS*) and 'none' are refused (RFC 8725 §3.1, §3.2)`,
        }),
      )
      .min(1)
      .default([...DEFAULT_ALGORITHMS])
      .describe('Allow-list of JWS `alg` values. Asymmetric algorithms only.'),
    clockToleranceSec: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(30)
      .describe('Clock skew allowed when checking `exp`, `nbf` and `iat`, in seconds.'),
    maxTokenBytes: z
      .number()
      .int()
      .min(1_024)
      .max(65_536)
      .default(16_384)
      .describe('Tokens longer than this are refused before they are parsed.'),
    tokenTypes: z
      .array(z.string().min(1).max(128))
      .min(1)
      .optional()
      .describe(
        "When set, the JWT header `typ` must be one of these (compared case-insensitively, 'application/' optional), " +
          "e.g. ['at+jwt'] for RFC 9068 access tokens (explicit typing, RFC 8725 §3.11).",
      ),
    claims: claimsSchema.prefault({}),
    roleMap: z
      .record(z.string().min(1).max(256), z.array(roleNameSchema).max(64))
      .optional()
      .describe(
        'IdP role -> Rampart roles. When set, only mapped roles are granted (an allow-list); when absent, IdP roles are used as they are.',
      ),
    jwks: jwksSchema.prefault({}),
  })
  .describe('A trusted OpenID Connect / OAuth 2.0 issuer of bearer JWTs.');

const apiKeysSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("false is the same as `apiKeys: disabled`."),
    maxLifetimeDays: z
      .number()
      .int()
      .min(1)
      .max(3_650)
      .optional()
      .describe('When set, every key expires at most this many days after creation (keys without an expiry get it).'),
    rotationOverlapHours: z
      .number()
      .min(0)
      .max(720)
      .default(24)
      .describe('How long a rotated key keeps working next to its replacement.'),
    lastUsedFlushMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(10_000)
      .describe('Interval at which last-used times are written to the store in one batch.'),
    cacheTtlMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(2_000)
      .describe(
        'How long a key record is reused without a store read (0 disables). Revocation on this instance is immediate; ' +
          'other instances see it within this time.',
      ),
  })
  .describe('Rampart API keys: the fallback credential for clients that cannot use the IdP.');

export const authConfigSchema = z
  .strictObject({
    oidc: z
      .array(oidcIssuerSchema)
      .max(32)
      .default([])
      .superRefine((issuers, ctx) => {
        const seen = new Set<string>();
        issuers.forEach((iss, i) => {
          if (seen.has(iss.issuer)) ctx.addIssue({ code: 'custom', path: [i, 'issuer'], message: 'issuer is listed twice' });
          seen.add(iss.issuer);
        });
      })
      .describe('Trusted token issuers. Tokens are matched to one by their `iss` claim.'),
    apiKeys: z
      .union([z.literal('disabled'), apiKeysSchema])
      .prefault({})
      .describe("API key settings, or 'disabled' for IdP-only deployments."),
  })
  .describe('How callers authenticate: OIDC bearer JWTs and Rampart API keys.');

export type OidcIssuerConfig = z.output<typeof oidcIssuerSchema>;
export type OidcIssuerInput = z.input<typeof oidcIssuerSchema>;
export type ClaimsConfig = OidcIssuerConfig['claims'];
export type KindRule = ClaimsConfig['kind'];
export type ApiKeysSettings = z.output<typeof apiKeysSchema>;
export type AuthConfig = z.output<typeof authConfigSchema>;
export type AuthConfigInput = z.input<typeof authConfigSchema>;

/** The API key settings, or null when keys are disabled (`'disabled'` or `enabled: false`). */
export function apiKeySettings(cfg: AuthConfig['apiKeys']): ApiKeysSettings | null {
  if (cfg === 'disabled' || !cfg.enabled) return null;
  return cfg;
}
