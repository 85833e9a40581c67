/**
 * The `auth` section of rampart.yaml: trusted OIDC issuers, workload trust rules and Rampart API
 * keys. The lead's config schema composes `authConfigSchema`; everything here has a secure
 * default, so `auth: {}` means "no identity provider, API keys on" (the zero set-up path).
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { networkListSchema } from './cidr.ts';
import { expandIssuer, oidcIssuerSchema } from './oidc-issuer.ts';
import { SHARED_VERIFICATION_FIELDS } from './token-verification.ts';
import { workloadRuleSchema } from './workload-trust.ts';

export { DEFAULT_ALGORITHMS, DEFAULT_TOKEN_TYPES, JWS_ALGORITHMS, roleNameSchema, type JwsAlgorithm } from './token-verification.ts';
export {
  PRINCIPAL_KINDS,
  expandIssuer,
  oidcIssuerSchema,
  type ClaimsConfig,
  type KindRule,
  type OidcIssuerConfig,
  type OidcIssuerInput,
} from './oidc-issuer.ts';
export { workloadRuleSchema, type WorkloadRuleConfig, type WorkloadRuleInput } from './workload-trust.ts';

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

const apiKeyPolicySchema = z
  .strictObject({
    maxLifetimeDays: z
      .int()
      .min(1)
      .max(3_650)
      .optional()
      .describe('Keys must expire within this many days of creation: a key asked for with a later or no expiry is refused (RAMPART_KEY_POLICY).'),
    requireExpiry: z.boolean().default(false).describe('Refuse keys created without an expiry (implied by maxLifetimeDays).'),
    allowedNetworks: networkListSchema
      .optional()
      .describe('Networks (CIDRs) every key may be used from; a key may narrow this with its own allowedNetworks. Use from elsewhere: RAMPART_AUTH_KEY_NETWORK.'),
    warnUnusedDays: z.int().min(1).max(3_650).default(30).describe('The hygiene report lists keys not used for this many days.'),
    warnExpiringDays: z.int().min(1).max(3_650).default(14).describe('The hygiene report lists keys expiring within this many days.'),
  })
  .describe('API key hygiene: lifetime rules enforced at creation, network binding enforced on use, and the thresholds of the hygiene report.');

const dpopSchema = z
  .strictObject({
    mode: z
      .enum(['optional', 'required', 'disabled'])
      .default('optional')
      .describe(
        'optional: `Authorization: DPoP` with a proof is accepted, and a DPoP-bound token (cnf.jkt) is refused without its proof; ' +
          'required: every token must be DPoP-bound; disabled: the DPoP scheme is refused and cnf is not checked.',
      ),
    algorithms: z
      .array(z.enum(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']))
      .min(1)
      .default(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'])
      .describe('Proof algorithms accepted (asymmetric only).'),
    maxAgeSeconds: z.int().min(5).max(600).default(60).describe('How old a proof (iat) may be.'),
    clockSkewSeconds: z.int().min(0).max(60).default(5).describe('How far in the future a proof iat may be.'),
    nonce: z.boolean().default(false).describe('Require server-issued nonces in proofs (RFC 9449 §8); clients retry once with the DPoP-Nonce given.'),
    nonceSecret: z
      .string()
      .min(32)
      .optional()
      .describe('Key of the nonces, e.g. ${env:RAMPART_DPOP_NONCE_SECRET}: the same on every instance (default: random per instance, fine for one instance).'),
    publicBaseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The scheme and host clients use to reach Rampart (e.g. https://ai.example.com), for the proof htu; default: the Host header, https when a trusted proxy says X-Forwarded-Proto: https.'),
  })
  .describe('DPoP sender-constrained tokens (RFC 9449).');

export const authConfigSchema = z
  .strictObject({
    dpop: dpopSchema.prefault({}),
    oidc: z
      // The single-issuer shape (`oidc: { issuer, audience }`) stays valid: it is a list of one.
      .preprocess((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? [v] : v), z.array(oidcIssuerSchema).max(32))
      .default([])
      .describe('Trusted token issuers (a list; a single issuer object is accepted too). Tokens are matched to one by their `iss` claim.'),
    workloads: z
      .array(workloadRuleSchema)
      .max(256)
      .default([])
      .describe('Workload identity federation: trust rules for tokens minted by Kubernetes, CI systems and clouds. First matching rule wins.'),
    apiKeys: z
      .union([z.literal('disabled'), apiKeysSchema])
      .prefault({})
      .describe("API key settings, or 'disabled' for IdP-only deployments."),
    apiKeyPolicy: apiKeyPolicySchema.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const oidcIssuers = new Set<string>();
    cfg.oidc.forEach((entry, i) => {
      for (const { issuer } of expandIssuer(entry)) {
        if (oidcIssuers.has(issuer)) ctx.addIssue({ code: 'custom', path: ['oidc', i, 'issuer'], message: 'issuer is listed twice' });
        oidcIssuers.add(issuer);
      }
    });
    const firstRule = new Map<string, number>();
    cfg.workloads.forEach((rule, i) => {
      if (oidcIssuers.has(rule.issuer)) {
        ctx.addIssue({ code: 'custom', path: ['workloads', i, 'issuer'], message: 'issuer is already trusted under auth.oidc: list it in one place' });
      }
      const first = firstRule.get(rule.issuer);
      if (first === undefined) {
        firstRule.set(rule.issuer, i);
        return;
      }
      // One issuer has one key set and one verification: rules may differ in audience, subject and principal only.
      const other = cfg.workloads[first]!;
      for (const field of SHARED_VERIFICATION_FIELDS) {
        if (!isDeepStrictEqual(rule[field], other[field])) {
          ctx.addIssue({
            code: 'custom',
            path: ['workloads', i, field],
            message: `rules for one issuer must share ${field} (see workloads.${first})`,
          });
        }
      }
    });
  })
  .describe('How callers authenticate: OIDC bearer JWTs, federated workload tokens and Rampart API keys.');

export type ApiKeysSettings = z.output<typeof apiKeysSchema>;
export type DpopConfig = z.output<typeof dpopSchema>;
export type ApiKeyPolicy = z.output<typeof apiKeyPolicySchema>;
export type AuthConfig = z.output<typeof authConfigSchema>;
export type AuthConfigInput = z.input<typeof authConfigSchema>;

/** The API key settings, or null when keys are disabled (`'disabled'` or `enabled: false`). */
export function apiKeySettings(cfg: AuthConfig['apiKeys']): ApiKeysSettings | null {
  if (cfg === 'disabled' || !cfg.enabled) return null;
  return cfg;
}
