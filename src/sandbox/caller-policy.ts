/**
 * Per-caller sandbox policies (`sandbox.callers`), compiled once: the first policy whose match
 * names the caller's principal id, agent id or one of its roles applies; no match gets the
 * default (unapproved code flagged, no network, `sandbox.limits`). A request may lower its
 * caller's limits, never raise them.
 */
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { ApprovalMode, PartialSandboxLimits, SandboxConfig } from '../config/sandbox.ts';
import type { SandboxLimits, SandboxNetwork } from './backend.ts';

export interface CallerPolicy {
  /** `callers[<index>]`, or `default`. */
  readonly name: string;
  readonly approvedCodeOnly: ApprovalMode;
  readonly network: SandboxNetwork;
  /** The caller's limits: applied by default, and the most a request may ask for. */
  readonly limits: SandboxLimits;
}

interface Compiled {
  readonly policy: CallerPolicy;
  readonly principalIds: ReadonlySet<string>;
  readonly agentIds: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
}

export type CallerPolicyResolver = (principal: Principal, agentId: string | null) => CallerPolicy;

/**
 * @example
 *   const policyOf = compileCallerPolicies(config.sandbox);
 *   const p = policyOf(principal, agentOf(principal)?.id ?? null);
 */
export function compileCallerPolicies(config: SandboxConfig): CallerPolicyResolver {
  const fallback: CallerPolicy = Object.freeze({ name: 'default', approvedCodeOnly: 'audit', network: Object.freeze({ mode: 'none' }), limits: Object.freeze({ ...config.limits }) });
  const compiled: Compiled[] = config.callers.map((c, i) => ({
    policy: Object.freeze({
      name: `callers[${i}]`,
      approvedCodeOnly: c.approvedCodeOnly,
      network: Object.freeze(c.network === 'none' ? { mode: 'none' as const } : { mode: 'allow-list' as const, hosts: Object.freeze([...c.network.allowHosts]) }),
      limits: Object.freeze({ ...config.limits, ...c.limits }),
    }),
    principalIds: new Set(c.match.principalIds ?? []),
    agentIds: new Set(c.match.agentIds ?? []),
    roles: new Set(c.match.roles ?? []),
  }));
  return (principal, agentId) => {
    for (const c of compiled) {
      if (c.principalIds.has(principal.id) || (agentId !== null && c.agentIds.has(agentId)) || principal.roles.some((r) => c.roles.has(r))) return c.policy;
    }
    return fallback;
  };
}

/** The limits of one execution: the caller's, lowered where the request asks. */
export function requestLimits(caller: SandboxLimits, asked: PartialSandboxLimits | undefined): SandboxLimits {
  if (asked === undefined) return caller;
  const out: Record<string, number> = { ...caller };
  for (const [k, v] of Object.entries(asked) as [keyof SandboxLimits, number | undefined][]) {
    if (v === undefined) continue;
    if (v > caller[k]) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `limits.${k}: at most ${caller[k]} for this caller (a request may lower its limits, not raise them).`, param: `limits.${k}` });
    out[k] = v;
  }
  return out as unknown as SandboxLimits;
}
