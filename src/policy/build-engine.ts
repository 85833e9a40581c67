/**
 * The policy engine a configuration asks for (`policy.engine`): the role tables, or Cedar.
 * Both are built, and checked, once at start-up; a Cedar problem throws RAMPART_CONFIG_INVALID.
 */
import type { RampartConfig } from '../config/schema.ts';
import { CedarEngine } from './cedar-engine.ts';
import type { PolicyEngine } from './policy.ts';
import { RoleEngine } from './role-engine.ts';

export function buildPolicyEngine(config: Pick<RampartConfig, 'policy' | 'roles' | 'deployments'>): PolicyEngine {
  if (config.policy.engine === 'cedar') {
    return new CedarEngine({ policy: config.policy, roles: config.roles, deployments: config.deployments.map((d) => d.name) });
  }
  return new RoleEngine(config.roles);
}
