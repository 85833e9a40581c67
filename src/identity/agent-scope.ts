/**
 * Narrows the policy engine for registered agents: an agent may invoke a deployment only when the
 * policy allows it AND its inventory entry lists it (`allowedDeployments`, `*` for any). The
 * intersection never widens what the policy decided.
 */
import type { Decision } from '../core/decision.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import { quoteName, readToolDefinition } from '../guard/tool-definitions.ts';
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

/**
 * A registered agent may define only the tools its inventory entry lists (`allowedTools`, `*` for
 * any; an empty list: none). A model can call only the tools a request defines, so checking the
 * request's `tools` and legacy `functions` (bare function definitions) covers the answer's calls
 * too. Built-in tools are named by their type (`web_search`, `code_interpreter`, `mcp`). A
 * definition that is not one is refused as well: what it would grant cannot be told. Non-agents
 * and unregistered agents pass (the tool policy of the guard profile still applies to everyone).
 *
 * @example
 *   assertAgentTools(principal, body); // throws RAMPART_AGENT_TOOL_NOT_ALLOWED
 */
export function assertAgentTools(principal: Principal, body: { tools?: unknown; functions?: unknown }): void {
  const { tools, functions } = body;
  if (!(Array.isArray(tools) && tools.length > 0) && !(Array.isArray(functions) && functions.length > 0)) return;
  const agent = agentOf(principal);
  if (agent === undefined || agent.allowedTools.includes('*')) return;
  const check = (list: unknown, field: string, definition: (entry: unknown) => unknown) => {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const view = readToolDefinition(definition(list[i]));
      if (view === null || !agent.allowedTools.includes(view.name)) {
        const what = view === null ? `${field}[${i}] is not a tool definition` : `tool ${quoteName(view.name)} is not in its allowedTools`;
        throw new RampartError('RAMPART_AGENT_TOOL_NOT_ALLOWED', { detail: `Agent ${agent.id}: ${what}.`, param: `${field}[${i}]` });
      }
    }
  };
  check(tools, 'tools', (t) => t);
  check(functions, 'functions', (f) => ({ type: 'function', function: f }));
}
