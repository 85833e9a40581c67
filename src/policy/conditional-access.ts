/**
 * Conditional access (issue 5): rules over the request's circumstances — source network and
 * country, time, principal kind, roles, groups, tenant, client app, risk, deployment and its
 * sensitivity — that allow, block, restrict to named deployments, or require step-up
 * authentication. Checked after the policy engine allowed a request: the engine says what a
 * principal may do at all, these rules say under which circumstances.
 *
 * Evaluation, in rule order:
 * - a rule applies when all its `when` conditions hold and not all of its `unless` ones do;
 * - an `allow` rule that applies exempts the request from the rules after it (break-glass accounts,
 *   health checks): put exemptions first;
 * - every other rule that applies is enforced: a `block` denies; a `restrict` denies invoking a
 *   deployment it does not list; a `step-up` whose requirement the sign-in does not meet asks for a
 *   stronger one. Denials win over step-up (stepping up would not help), the first one is named.
 *
 * Pure: the facts (address, country, time, risk) are passed in, so decisions are table-testable.
 * Rules are compiled once; names of deployments and permissions are checked then.
 *
 * @example
 *   const ca = compileConditionalAccess(config.access.rules, { deployments: config.deployments });
 *   ca.evaluate({ principal, action: { kind: 'invoke', deployment: 'gpt-4o' }, sourceIp: '10.1.2.3', country: null, now: Date.now(), risk: 'low' });
 *   // { effect: 'allow', rule: null, matched: [], reason: 'no access rule applies' }
 */
import type { IncomingMessage } from 'node:http';
import type { AccessConditionsConfig, AccessRuleConfig, RiskLevel, StepUpConfig } from '../config/access.ts';
import { networkMatcher } from '../config/cidr.ts';
import { ConfigError } from '../config/load.ts';
import { ADMIN_PERMISSIONS } from '../config/schema.ts';
import type { Decision } from '../core/decision.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { Action } from './policy.ts';
import { stepUpError, unmetStepUp } from './step-up.ts';
import { compileTimeWindow, type TimeWindow } from './time-window.ts';

/** What the rules look at, gathered by the caller for one request. */
export interface AccessFacts {
  readonly principal: Principal;
  readonly action: Action;
  /** The client address (client-ip.ts: X-Forwarded-For only from trusted proxies). */
  readonly sourceIp: string | null;
  /** ISO 3166-1 alpha-2, from a trusted proxy's header; null when unknown. */
  readonly country: string | null;
  /** Epoch milliseconds. */
  readonly now: number;
  readonly risk: RiskLevel;
}

export interface AccessDecision {
  readonly effect: 'allow' | 'block' | 'step-up';
  /** The rule that decided a block or step-up (for allow: the exempting rule, if any). */
  readonly rule: string | null;
  /** Every rule that applied, in order. */
  readonly matched: readonly string[];
  readonly reason: string;
  /** For step-up: the requirement to challenge for, and what the sign-in lacks. */
  readonly stepUp?: { readonly requirement: StepUpConfig; readonly missing: readonly string[] };
}

/** The per-request check the data plane and admin API call (assembled by the server). */
export type AccessCheck = (principal: Principal, action: Action, req: IncomingMessage) => AccessDecision;

interface Conditions {
  readonly networks?: (ip: string | null) => boolean;
  readonly countries?: ReadonlySet<string>;
  readonly time?: TimeWindow;
  readonly principalKinds?: ReadonlySet<string>;
  readonly authMethods?: ReadonlySet<string>;
  readonly roles?: ReadonlySet<string>;
  readonly groups?: ReadonlySet<string>;
  readonly tenants?: ReadonlySet<string>;
  readonly clientIds?: ReadonlySet<string>;
  readonly risk?: ReadonlySet<string>;
  readonly actions?: ReadonlySet<string>;
  readonly permissions?: ReadonlySet<string>;
  readonly deployments?: ReadonlySet<string>;
  readonly sensitivity?: ReadonlySet<string>;
}

interface CompiledRule {
  readonly name: string;
  readonly when: Conditions;
  readonly unless: Conditions | null;
  readonly action: AccessRuleConfig['action'];
  readonly stepUp: StepUpConfig | undefined;
  readonly deployments: ReadonlySet<string> | undefined;
}

export interface ConditionalAccessOptions {
  /** The configured deployments, for name checks and their sensitivity. */
  readonly deployments: readonly { readonly name: string; readonly sensitivity?: 'low' | 'medium' | 'high' | undefined }[];
}

const set = (xs: readonly string[] | undefined) => (xs ? new Set(xs) : undefined);

function compileConditions(c: AccessConditionsConfig, path: string, known: ReadonlySet<string>): Conditions {
  const problems: { path: string; message: string }[] = [];
  c.deployments?.forEach((d, i) => {
    if (!known.has(d)) problems.push({ path: `${path}.deployments[${i}]`, message: `unknown deployment '${d}'` });
  });
  c.permissions?.forEach((p, i) => {
    if (!(ADMIN_PERMISSIONS as readonly string[]).includes(p)) problems.push({ path: `${path}.permissions[${i}]`, message: `unknown admin permission '${p}' (known: ${ADMIN_PERMISSIONS.join(', ')})` });
  });
  if (problems.length > 0) throw new ConfigError('RAMPART_CONFIG_INVALID', problems);
  const out: Record<string, unknown> = {
    networks: c.networks ? networkMatcher(c.networks) : undefined,
    countries: set(c.countries),
    time: c.time ? compileTimeWindow(c.time) : undefined,
    principalKinds: set(c.principalKinds),
    authMethods: set(c.authMethods),
    roles: set(c.roles),
    groups: set(c.groups),
    tenants: set(c.tenants),
    clientIds: set(c.clientIds),
    risk: set(c.risk),
    actions: set(c.actions),
    permissions: set(c.permissions),
    deployments: set(c.deployments),
    sensitivity: set(c.sensitivity),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as Conditions;
}

const anyIn = (have: readonly string[], want: ReadonlySet<string>) => have.some((x) => want.has(x));

/** All given conditions hold. A fact that is unknown (no address, no tenant) never satisfies one. */
function holds(c: Conditions, f: AccessFacts, sensitivityOf: ReadonlyMap<string, string>): boolean {
  const p = f.principal;
  if (c.networks && !c.networks(f.sourceIp)) return false;
  if (c.countries && (f.country === null || !c.countries.has(f.country))) return false;
  if (c.time && !c.time.contains(f.now)) return false;
  if (c.principalKinds && !c.principalKinds.has(p.kind)) return false;
  if (c.authMethods && !c.authMethods.has(p.authMethod)) return false;
  if (c.roles && !anyIn(p.roles, c.roles)) return false;
  if (c.groups && !anyIn(p.groups, c.groups)) return false;
  if (c.tenants && (p.tenant === undefined || !c.tenants.has(p.tenant))) return false;
  if (c.clientIds && (p.clientId === undefined || !c.clientIds.has(p.clientId))) return false;
  if (c.risk && !c.risk.has(f.risk)) return false;
  if (c.actions && !c.actions.has(f.action.kind)) return false;
  if (c.permissions && (f.action.kind !== 'admin' || !c.permissions.has(f.action.permission))) return false;
  if (c.deployments && (f.action.kind !== 'invoke' || !c.deployments.has(f.action.deployment))) return false;
  if (c.sensitivity && (f.action.kind !== 'invoke' || !c.sensitivity.has(sensitivityOf.get(f.action.deployment) ?? 'low'))) return false;
  return true;
}

export class ConditionalAccess {
  readonly #rules: readonly CompiledRule[];
  readonly #sensitivity: ReadonlyMap<string, string>;

  constructor(rules: readonly AccessRuleConfig[], opts: ConditionalAccessOptions) {
    const known = new Set(opts.deployments.map((d) => d.name));
    this.#sensitivity = new Map(opts.deployments.map((d) => [d.name, d.sensitivity ?? 'low']));
    this.#rules = rules.map((r, i) => {
      const path = `access.rules[${i}]`;
      const unknown = r.deployments?.findIndex((d) => !known.has(d)) ?? -1;
      if (unknown >= 0) throw new ConfigError('RAMPART_CONFIG_INVALID', [{ path: `${path}.deployments[${unknown}]`, message: `unknown deployment '${r.deployments![unknown]}'` }]);
      return {
        name: r.name,
        when: compileConditions(r.when, `${path}.when`, known),
        unless: r.unless ? compileConditions(r.unless, `${path}.unless`, known) : null,
        action: r.action,
        stepUp: r.stepUp,
        deployments: set(r.deployments),
      };
    });
  }

  get size(): number {
    return this.#rules.length;
  }

  evaluate(f: AccessFacts): AccessDecision {
    const matched: string[] = [];
    let stepUp: AccessDecision | null = null;
    for (const rule of this.#rules) {
      if (!holds(rule.when, f, this.#sensitivity) || (rule.unless && holds(rule.unless, f, this.#sensitivity))) continue;
      matched.push(rule.name);
      switch (rule.action) {
        case 'allow':
          // An allow exempts from the rules after it, not from a step-up an earlier rule asked for.
          if (stepUp) return { ...stepUp, matched };
          return { effect: 'allow', rule: rule.name, matched, reason: `access rule '${rule.name}' allows; later rules do not apply` };
        case 'block':
          return { effect: 'block', rule: rule.name, matched, reason: `access rule '${rule.name}' blocks the request` };
        case 'restrict':
          if (f.action.kind === 'invoke' && !rule.deployments!.has(f.action.deployment)) {
            return { effect: 'block', rule: rule.name, matched, reason: `access rule '${rule.name}' restricts the principal to deployments ${[...rule.deployments!].join(', ')}` };
          }
          break;
        case 'step-up': {
          if (stepUp) break;
          const missing = f.principal.authMethod === 'api-key' ? ['a user sign-in'] : unmetStepUp(f.principal, rule.stepUp!, f.now);
          if (missing.length > 0) {
            stepUp = { effect: 'step-up', rule: rule.name, matched, reason: `access rule '${rule.name}' requires ${missing.join('; ')}`, stepUp: { requirement: rule.stepUp!, missing } };
          }
          break;
        }
      }
    }
    if (stepUp) return { ...stepUp, matched };
    return { effect: 'allow', rule: null, matched, reason: matched.length > 0 ? `access rules ${matched.join(', ')} are satisfied` : 'no access rule applies' };
  }
}

/** The audit view of a decision: which rules applied and what they decided. */
export function accessDetails(d: AccessDecision): Record<string, unknown> {
  return { effect: d.effect, rule: d.rule, rules: d.matched };
}

/** The authorization decision a denial stands for (audit `reason` and `details.policy`). */
export function accessDenial(d: AccessDecision): Decision {
  return { effect: 'deny', policy: `access:${d.rule}`, reason: d.reason };
}

/** The coded error for a decision that is not allow. */
export function accessError(d: AccessDecision, principal: Principal): RampartError {
  if (d.effect === 'step-up' && d.stepUp) return stepUpError(d.rule!, d.stepUp.requirement, d.stepUp.missing, principal);
  return new RampartError('RAMPART_ACCESS_BLOCKED', { detail: `${d.reason[0]!.toUpperCase()}${d.reason.slice(1)}.` });
}
