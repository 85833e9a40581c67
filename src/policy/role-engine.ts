/**
 * First-cut policy engine: roles grant `invoke` on deployments and permissions on admin
 * resources; everything else is denied. Role tables are compiled once when the engine is built.
 */
import type { Decision } from '../core/decision.ts';
import type { Principal } from '../core/principal.ts';
import { ADMIN_PERMISSIONS, type AdminPermission, type RESERVED_ROLES, type RoleConfig } from '../config/schema.ts';
import { describeAction, type Action, type PolicyEngine } from './policy.ts';

/** Built-in roles, one per name in RESERVED_ROLES (config may not redefine them). */
export const BUILT_IN_ROLES: Readonly<Record<(typeof RESERVED_ROLES)[number], RoleConfig>> = {
  admin: { description: 'Every admin API permission.', deployments: [], admin: ['*'] },
  auditor: { description: 'Read keys, agents, models, deployments, the audit log and detections.', deployments: [], admin: ['keys:read', 'agents:read', 'models:read', 'sandbox:read', 'deployments:read', 'audit:read', 'detections:read'] },
};

interface CompiledRole {
  allDeployments: boolean;
  deployments: ReadonlySet<string>;
  admin: ReadonlySet<AdminPermission>;
}

export class RoleEngine implements PolicyEngine {
  readonly #roles: ReadonlyMap<string, CompiledRole>;

  constructor(roles: Readonly<Record<string, RoleConfig>>) {
    const compiled = new Map<string, CompiledRole>();
    for (const [name, role] of Object.entries({ ...roles, ...BUILT_IN_ROLES })) {
      compiled.set(name, {
        allDeployments: role.deployments.includes('*'),
        deployments: new Set(role.deployments),
        admin: new Set(role.admin.includes('*') ? ADMIN_PERMISSIONS : (role.admin as AdminPermission[])),
      });
    }
    this.#roles = compiled;
  }

  authorize(principal: Principal, action: Action): Decision {
    for (const name of principal.roles) {
      const role = this.#roles.get(name);
      if (!role) continue;
      const granted =
        action.kind === 'invoke'
          ? role.allDeployments || role.deployments.has(action.deployment)
          : role.admin.has(action.permission);
      if (granted) return { effect: 'allow', policy: `role:${name}`, reason: `role '${name}' grants ${describeAction(action)}` };
    }
    return { effect: 'deny', policy: 'default-deny', reason: `no role of the principal grants ${describeAction(action)}` };
  }
}
