/**
 * Narrows the policy engine for registered agents: an agent may invoke a deployment only when the
 * policy allows it AND its inventory entry lists it (`allowedDeployments`, `*` for any). The
 * intersection never widens what the policy decided.
 */
import type { Decision } from '../core/decision.ts';
import type { PolicyEngine } from '../policy/policy.ts';
import { agentOf } from './agents.ts';

/**
 * @example
 *   const policy = scopeToAgents(buildPolicyEngine(config));
 */
export function scopeToAgents(inner: PolicyEngine): PolicyEngine {
  return {
    authorize(principal, action): Decision {
      const decision = inner.authorize(principal, action);
      if (decision.effect !== 'allow' || action.kind !== 'invoke') return decision;
      const agent = agentOf(principal);
      if (agent === undefined || agent.allowedDeployments.includes('*') || agent.allowedDeployments.includes(action.deployment)) return decision;
      return {
        effect: 'deny',
        policy: `agent:${agent.id}`,
        reason: `agent ${agent.id} is not registered for deployment '${action.deployment}' (allowedDeployments)`,
      };
    },
  };
}
