/**
 * Builds the table of trusted issuers from `auth.oidc` and `auth.workloads`: one entry per concrete
 * `iss` value (templates are expanded over their tenant allow-list), each with its verification
 * settings, its key source and its claim mapper. Built once at start-up; per request the
 * authenticator only looks the unverified `iss` up in this table.
 */
import { RampartError } from '../core/errors.ts';
import { expandIssuer, type OidcIssuerConfig } from '../config/oidc-issuer.ts';
import { DEFAULT_TOKEN_TYPES, type VerificationSettings } from '../config/token-verification.ts';
import type { WorkloadRuleConfig } from '../config/workload-trust.ts';
import { compileClaimMapper, type ClaimMapper } from './claims.ts';
import type { FetchLike } from './idp-fetch.ts';
import { JwksSource } from './jwks-source.ts';
import { compileWorkloadRules } from './workload-trust.ts';

export interface TrustedIssuer {
  /** The exact `iss` value. */
  readonly issuer: string;
  /** The tenant a templated issuer is bound to, else null. */
  readonly tenant: string | null;
  readonly audience: string[];
  readonly algorithms: ReadonlySet<string>;
  /** Accepted `typ` values (normalized); `allowMissingTyp` when the header may omit it. */
  readonly tokenTypes: ReadonlySet<string>;
  readonly allowMissingTyp: boolean;
  readonly clockToleranceSec: number;
  readonly maxTokenBytes: number;
  readonly keys: JwksSource;
  readonly toPrincipal: ClaimMapper;
}

export interface KeySourceOptions {
  retryBackoffMs?: number;
  fetch?: FetchLike;
}

/** RFC 7515 §4.1.9: `typ` compares case-insensitively, and "application/" may be left out. */
export function normalizeTyp(typ: string): string {
  const t = typ.toLowerCase();
  return t.startsWith('application/') ? t.slice('application/'.length) : t;
}

function keySource(issuer: string, s: VerificationSettings, opts: KeySourceOptions): JwksSource {
  return new JwksSource({
    issuer,
    jwksUri: s.jwksUri,
    timeoutMs: s.jwks.timeoutMs,
    cacheMaxAgeMs: s.jwks.cacheMaxAgeSec * 1000,
    cooldownMs: s.jwks.cooldownSec * 1000,
    maxStaleMs: s.jwks.maxStaleSec * 1000,
    ...(opts.retryBackoffMs !== undefined ? { retryBackoffMs: opts.retryBackoffMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}

function entry(
  issuer: string,
  tenant: string | null,
  s: VerificationSettings,
  audience: string[],
  keys: JwksSource,
  toPrincipal: ClaimMapper,
): TrustedIssuer {
  return {
    issuer,
    tenant,
    audience,
    algorithms: new Set(s.algorithms),
    tokenTypes: new Set((s.tokenTypes ?? DEFAULT_TOKEN_TYPES).map(normalizeTyp)),
    // Explicitly configured types are required; the default also accepts a header without typ.
    allowMissingTyp: s.tokenTypes === undefined,
    clockToleranceSec: s.clockToleranceSec,
    maxTokenBytes: s.maxTokenBytes,
    keys,
    toPrincipal,
  };
}

const audienceList = (a: string | string[]): string[] => (typeof a === 'string' ? [a] : [...a]);

/** The trusted-issuer table. Throws RAMPART_CONFIG_INVALID when one `iss` would be trusted twice. */
export function buildTrustedIssuers(
  oidc: readonly OidcIssuerConfig[],
  workloads: readonly WorkloadRuleConfig[],
  opts: KeySourceOptions,
): Map<string, TrustedIssuer> {
  const table = new Map<string, TrustedIssuer>();
  const add = (e: TrustedIssuer) => {
    if (table.has(e.issuer)) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'A token issuer is listed twice.' });
    table.set(e.issuer, e);
  };

  for (const cfg of oidc) {
    const mapper = compileClaimMapper(cfg);
    // A configured jwksUri is one key set for every tenant (Entra publishes one per cloud);
    // without it, each tenant's issuer is discovered on its own.
    const shared = cfg.jwksUri !== undefined ? keySource(cfg.issuer, cfg, opts) : null;
    for (const { issuer, tenant } of expandIssuer(cfg)) {
      add(entry(issuer, tenant, cfg, audienceList(cfg.audience), shared ?? keySource(issuer, cfg, opts), mapper));
    }
  }

  const byIssuer = new Map<string, { rule: WorkloadRuleConfig; index: number }[]>();
  workloads.forEach((rule, index) => {
    const list = byIssuer.get(rule.issuer) ?? [];
    list.push({ rule, index });
    byIssuer.set(rule.issuer, list);
  });
  for (const [issuer, rules] of byIssuer) {
    // The config schema makes rules of one issuer agree on verification settings; audiences are per rule.
    const first = rules[0]!.rule;
    const audience = [...new Set(rules.flatMap(({ rule }) => audienceList(rule.audience)))];
    add(entry(issuer, null, first, audience, keySource(issuer, first, opts), compileWorkloadRules(rules)));
  }
  return table;
}
