/**
 * Workload identity federation: the trust rules of one issuer -> a mapper from verified claims to
 * a Principal. Rules are tried in configuration order; the first whose audience, subject pattern
 * and claim conditions all match decides the principal. Roles come from the rule, never from the
 * token: a CI system or a cluster says who the workload is, Rampart decides what it may do.
 */
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import { compileSubjectPattern, type SubjectMatcher } from '../config/subject-glob.ts';
import type { WorkloadRuleConfig } from '../config/workload-trust.ts';
import { type Claims, invalid, readClaim, stringClaim } from './claim-read.ts';
import type { ClaimMapper } from './claims.ts';

interface CompiledRule {
  readonly label: string;
  readonly audiences: ReadonlySet<string>;
  readonly subject: SubjectMatcher;
  readonly conditions: readonly { path: string; match: SubjectMatcher }[];
  readonly principal: WorkloadRuleConfig['principal'];
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

function audiencesOf(claims: Claims): string[] {
  const aud = claims.aud;
  return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

function renderId(template: string, claims: Claims): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => {
    const v = stringClaim(claims, [path], path);
    if (v === undefined) throw invalid(`The token has no ${path} claim, which the workload principal id needs.`);
    return v;
  });
}

/** Compiles the rules that share one issuer, in configuration order, with their config index. */
export function compileWorkloadRules(rules: readonly { rule: WorkloadRuleConfig; index: number }[]): ClaimMapper {
  const compiled: CompiledRule[] = rules.map(({ rule, index }) => ({
    label: rule.name ?? `workloads[${index}]`,
    audiences: new Set(typeof rule.audience === 'string' ? [rule.audience] : rule.audience),
    subject: compileSubjectPattern(rule.subject),
    conditions: Object.entries(rule.claims ?? {}).map(([path, pattern]) => ({ path, match: compileSubjectPattern(pattern) })),
    principal: rule.principal,
  }));

  return (claims, match) => {
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 1_024) throw invalid('The token has no usable subject claim.');
    const aud = audiencesOf(claims);
    const rule = compiled.find(
      (r) =>
        aud.some((a) => r.audiences.has(a)) &&
        r.subject(sub) &&
        r.conditions.every((c) => {
          const v = readClaim(claims, c.path);
          return typeof v === 'string' && c.match(v);
        }),
    );
    if (rule === undefined) throw new RampartError('RAMPART_AUTH_WORKLOAD_NOT_TRUSTED');
    const p = rule.principal;
    const principal: Principal = {
      id: renderId(p.id, claims),
      kind: p.kind,
      roles: Object.freeze([...p.roles]),
      groups: Object.freeze([...p.groups]),
      authMethod: 'workload',
      issuer: match.issuer,
      trustRule: rule.label,
    };
    return Object.freeze(principal);
  };
}
