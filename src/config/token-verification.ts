/**
 * Settings shared by every kind of trusted token issuer (`auth.oidc[]`, `auth.workloads[]`): where
 * the keys come from, which algorithms, which audience, how much clock skew, how large a token,
 * which `typ`. Every check is always on; these only tune it. RFC 8725 (JWT BCP) is the reference.
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

/**
 * `typ` values accepted when an issuer does not configure `tokenTypes`: no `typ`, the generic
 * "JWT", or RFC 9068 "at+jwt". Anything else (`dpop+jwt`, `logout+jwt`, `secevent+jwt`, ...) is a
 * JWT meant for another purpose and is refused (RFC 8725 §3.11).
 */
export const DEFAULT_TOKEN_TYPES: readonly string[] = ['jwt', 'at+jwt'];

/** Path segments that could reach an object's prototype when a claim path is walked. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

export function urlField(what: string) {
  return z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = idpUrlProblem(value);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
    });
}

export const claimPath = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
  .refine((p) => !p.split('.').some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s)), {
    error: 'must be a claim name or a dotted path of non-empty segments (no __proto__, prototype, constructor)',
  });

/** One claim path, or several tried in order (the first present one wins). */
export const claimPaths = z.union([claimPath, z.array(claimPath).min(1).max(8)]);

/** A Rampart role name, as granted by roleMap, workload rules and API keys. */
export const roleNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
    error: 'must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  });

export const jwksSchema = z
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

export const audienceSchema = z
  .union([z.string().min(1).max(1024), z.array(z.string().min(1).max(1024)).min(1).max(16)])
  .describe('Accepted `aud` value(s): the token must name at least one (RFC 7519 §4.1.3).');

/** The verification fields, spread into each issuer-like schema. */
export const verificationFields = {
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
      "The JWT header `typ` must be one of these (compared case-insensitively, 'application/' optional), e.g. ['at+jwt'] " +
        "for RFC 9068 access tokens only (explicit typing, RFC 8725 §3.11). When absent: no typ, 'JWT' or 'at+jwt'.",
    ),
  jwks: jwksSchema.prefault({}),
} as const;

/** Which verification fields must agree between entries that share one issuer. */
export const SHARED_VERIFICATION_FIELDS = ['jwksUri', 'algorithms', 'clockToleranceSec', 'maxTokenBytes', 'tokenTypes', 'jwks'] as const;

export type VerificationSettings = {
  issuer: string;
  audience: string | string[];
  jwksUri?: string | undefined;
  algorithms: JwsAlgorithm[];
  clockToleranceSec: number;
  maxTokenBytes: number;
  tokenTypes?: string[] | undefined;
  jwks: z.output<typeof jwksSchema>;
};
