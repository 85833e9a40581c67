/**
 * One trusted OpenID Connect / OAuth 2.0 issuer of bearer JWTs (`auth.oidc[]`): verification
 * settings, a token-shape preset, claim paths, role mapping, and for multi-tenant IdPs an issuer
 * template with an explicit allow-list of tenants.
 */
import { z } from 'zod';
import { claimPaths, roleNameSchema, urlField, verificationFields, audienceSchema } from './token-verification.ts';
import { TOKEN_PRESETS } from './token-presets.ts';

export const PRINCIPAL_KINDS = ['user', 'app', 'agent', 'workload'] as const;
export const TENANT_PLACEHOLDER = '{tenantid}';

const kindSchema = z.enum(PRINCIPAL_KINDS);

/** A tenant id as IdPs write it into `tid` (Entra: a GUID). No wildcards: each tenant is named. */
export const tenantIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
  error: 'must be a tenant id (1-128 letters, digits, ".", "_" or "-"); wildcards are not allowed',
});

const kindRuleSchema = z
  .union([
    z.enum(['auto', ...PRINCIPAL_KINDS]),
    z.strictObject({
      claim: claimPaths.describe('Claim whose (string) value selects the kind.'),
      values: z
        .record(z.string().min(1).max(256), kindSchema)
        .describe('Claim value -> principal kind, e.g. { app: app, user: user }.'),
      default: kindSchema.describe('Kind when the claim is absent or has an unlisted value.'),
    }),
  ])
  .describe(
    "How a token's principal kind is decided. A fixed kind ('user', 'app', 'agent', 'workload'); " +
      "'auto' (default): a client listed in `agentClientIds` or an Entra Agent ID token is an agent; 'idtyp' " +
      "(Entra) decides app or user; an Entra token without 'scp' is app-only; a token whose subject equals its " +
      "client id (client credentials, RFC 9068 §2.2) or with Auth0 'gty: client-credentials' is an app; a token " +
      "with an RFC 8693 'act' claim is its actor, an agent, acting for the subject; else a user. " +
      'Or a rule { claim, values, default } mapping one claim to a kind.',
  );

const claimsSchema = z
  .strictObject({
    subject: claimPaths
      .optional()
      .describe("Claim(s) holding the stable subject id (never an email address). Default from the preset: 'sub', Entra 'oid', Okta 'uid' then 'sub'."),
    roles: claimPaths
      .optional()
      .describe("Claim (or dotted path, e.g. 'realm_access.roles') holding the IdP's roles: a string array or a string."),
    groups: claimPaths.optional().describe('Claim (or dotted path) holding group ids: a string array or a string.'),
    scopes: claimPaths
      .optional()
      .describe("Claim holding the granted scopes: a space-separated string ('scope', Entra 'scp') or a string array (Okta 'scp')."),
    clientId: claimPaths.optional().describe("Claim holding the OAuth client the token was issued to ('azp', 'client_id', Entra v1 'appid', Okta 'cid')."),
    tenant: claimPaths.optional().describe("Claim holding the tenant id (Entra 'tid')."),
    displayName: claimPaths
      .optional()
      .describe('Claim used as a human-readable label in logs and the console. Never used for authorization.'),
    kind: kindRuleSchema.default('auto'),
  })
  .describe('Which claims become the principal. Unset paths come from the preset. A name is first looked up as-is, then as a dotted path.');

export const oidcIssuerSchema = z
  .strictObject({
    issuer: urlField('issuer')
      .refine((v) => !v.includes('?'), { error: 'issuer must not contain a query (OpenID Connect Discovery 1.0 §2)' })
      .describe(
        "The `iss` value exactly as the IdP writes it into tokens, e.g. 'https://login.example.com/realms/acme'. " +
          "Multi-tenant IdPs: a template with '{tenantid}' in the path, e.g. 'https://login.microsoftonline.com/{tenantid}/v2.0', " +
          'together with `tenants`.',
      ),
    preset: z
      .enum(TOKEN_PRESETS)
      .default('generic')
      .describe("Token shape of the IdP: fills the claim paths (and Entra's app/agent rules) that `claims` does not set."),
    audience: audienceSchema,
    tenants: z
      .array(tenantIdSchema)
      .min(1)
      .max(256)
      .optional()
      .describe(
        "Allow-list of tenant ids. Required with a '{tenantid}' issuer template (each becomes one trusted issuer); " +
          "the token's tenant claim must equal the tenant of its issuer. Without a template, the tenant claim must be one of them.",
      ),
    ...verificationFields,
    claims: claimsSchema.prefault({}),
    roleMap: z
      .record(z.string().min(1).max(256), z.array(roleNameSchema).max(64))
      .optional()
      .describe(
        'IdP role -> Rampart roles. When set, only mapped roles are granted (an allow-list); when absent, IdP roles are used as they are.',
      ),
    agentClientIds: z
      .array(z.string().min(1).max(256))
      .max(1_000)
      .optional()
      .describe('OAuth client ids (azp / appid / client_id) whose tokens are agents: the principal is the agent, acting for the user if one is present.'),
  })
  .superRefine((cfg, ctx) => {
    const count = cfg.issuer.split(TENANT_PLACEHOLDER).length - 1;
    const withoutPlaceholder = cfg.issuer.replaceAll(TENANT_PLACEHOLDER, '');
    if (/[{}]/.test(withoutPlaceholder)) {
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: `issuer may contain only the placeholder ${TENANT_PLACEHOLDER}` });
    }
    if (count > 1) ctx.addIssue({ code: 'custom', path: ['issuer'], message: `issuer may contain ${TENANT_PLACEHOLDER} once` });
    if (count === 1) {
      // The tenant must sit in the path: a template host would let a tenant id choose where keys come from.
      const afterScheme = cfg.issuer.indexOf('://') + 3;
      const pathStart = cfg.issuer.indexOf('/', afterScheme);
      if (pathStart < 0 || cfg.issuer.indexOf(TENANT_PLACEHOLDER) < pathStart) {
        ctx.addIssue({ code: 'custom', path: ['issuer'], message: `${TENANT_PLACEHOLDER} may appear only in the issuer path` });
      }
      if (cfg.tenants === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants'],
          message: `an issuer template with ${TENANT_PLACEHOLDER} needs an explicit tenants allow-list (no wildcard tenants)`,
        });
      }
    }
    if (cfg.preset === 'auth0' && cfg.claims.roles === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['claims', 'roles'],
        message: "the auth0 preset needs claims.roles: Auth0 puts roles in a namespaced claim, e.g. 'https://example.com/roles'",
      });
    }
  })
  .describe('A trusted OpenID Connect / OAuth 2.0 issuer of bearer JWTs.');

/** The concrete `iss` values an issuer entry stands for, each with the tenant it is bound to. */
export function expandIssuer(cfg: { issuer: string; tenants?: readonly string[] | undefined }): { issuer: string; tenant: string | null }[] {
  if (!cfg.issuer.includes(TENANT_PLACEHOLDER)) return [{ issuer: cfg.issuer, tenant: null }];
  return (cfg.tenants ?? []).map((t) => ({ issuer: cfg.issuer.replace(TENANT_PLACEHOLDER, t), tenant: t }));
}

export type OidcIssuerConfig = z.output<typeof oidcIssuerSchema>;
export type OidcIssuerInput = z.input<typeof oidcIssuerSchema>;
export type ClaimsConfig = OidcIssuerConfig['claims'];
export type KindRule = ClaimsConfig['kind'];
