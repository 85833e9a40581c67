/**
 * The config roles (roles.<name> in rampart.yaml) as Cedar policies, so that a configuration
 * keeps its meaning when it switches to `policy.engine: cedar`. Role `team-a` with
 * `deployments: [gpt-4o]` and `admin: [audit:read]` becomes:
 *
 *   @id("role:team-a:invoke")
 *   permit (principal in Rampart::Role::"team-a", action == Rampart::Action::"invoke",
 *           resource is Rampart::Deployment) when { resource.roles.contains("team-a") };
 *   @id("role:team-a:admin")
 *   permit (principal in Rampart::Role::"team-a", action == Rampart::Action::"admin",
 *           resource is Rampart::Permission) when { resource in [Rampart::Permission::"audit:read"] };
 *
 * Which roles list a deployment is the deployment entity's `roles` attribute (cedar-entities.ts).
 */
import type { RoleConfig } from '../config/schema.ts';

/** Built-in Cedar roles whose invoke grant is a policy of builtin.cedar, not a generated one. */
export const BUILTIN_INVOKE_ROLES: readonly string[] = ['model-user', 'agent'];

export const CONFIG_ROLES_LABEL = 'rampart.yaml roles';

/** Cedar string literal (JSON's escapes are a subset Cedar reads the same way). */
const str = (s: string) => JSON.stringify(s);

export function configRolePolicies(roles: Readonly<Record<string, RoleConfig>>, opts: { builtinPolicies: boolean }): string {
  const out: string[] = [];
  for (const [name, role] of Object.entries(roles)) {
    const principal = `principal in Rampart::Role::${str(name)}`;
    const builtinInvoke = opts.builtinPolicies && BUILTIN_INVOKE_ROLES.includes(name);
    if (role.deployments.length > 0 && !builtinInvoke) {
      out.push(
        `@id(${str(`role:${name}:invoke`)})\npermit (${principal}, action == Rampart::Action::"invoke", resource is Rampart::Deployment)\n` +
          `when { resource.roles.contains(${str(name)}) };`,
      );
    }
    if (role.admin.length > 0) {
      const when = role.admin.includes('*') ? '' : `\nwhen { resource in [${role.admin.map((p) => `Rampart::Permission::${str(p)}`).join(', ')}] }`;
      out.push(`@id(${str(`role:${name}:admin`)})\npermit (${principal}, action == Rampart::Action::"admin", resource is Rampart::Permission)${when};`);
    }
  }
  return out.join('\n\n');
}

/** For each deployment, the config roles that may invoke it (by name or "*"). */
export function deploymentRoles(roles: Readonly<Record<string, RoleConfig>>, deployments: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(deployments.map((d) => [d, []]));
  for (const [name, role] of Object.entries(roles)) {
    const all = role.deployments.includes('*');
    for (const d of deployments) if (all || role.deployments.includes(d)) out.get(d)!.push(name);
  }
  return out;
}
