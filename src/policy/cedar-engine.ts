/**
 * The Cedar policy engine (issue 5, "Policy as code"): authorization decisions from Cedar policies
 * instead of role tables. Built once from the `policy` section: the schema and every policy are
 * read, parsed and validated at start-up (cedar-sources.ts), then kept parsed inside the Cedar
 * WebAssembly module; each request is evaluated against a minimal entity slice
 * (cedar-entities.ts).
 *
 * Fails closed: an unknown principal kind, deployment or permission, an entity the schema
 * rejects, or a policy that errors while evaluating (Cedar would skip it, which for a `forbid`
 * means allowing) all deny, and the decision says why. Decisions name the determining policies
 * by id, so the audit log shows which policy let a request through or stopped it.
 *
 * @example
 *   const engine = new CedarEngine({ policy: config.policy, roles: config.roles, deployments: ['gpt-4o'] });
 *   engine.authorize(principal, { kind: 'invoke', deployment: 'gpt-4o' });
 *   // { effect: 'allow', policy: 'role:team-a:invoke', reason: "Cedar policy role:team-a:invoke permits invoke deployment 'gpt-4o'" }
 */
import { readFileSync } from 'node:fs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { Decision } from '../core/decision.ts';
import type { Principal } from '../core/principal.ts';
import { ConfigError } from '../config/load.ts';
import type { PolicyConfig } from '../config/policy.ts';
import type { AdminPermission, RoleConfig } from '../config/schema.ts';
import { BUILTIN_POLICY_FILE, compileSources, expandPolicyFiles, readSchema, type CedarSources, type PolicyText } from './cedar-sources.ts';
import { CONFIG_ROLES_LABEL, configRolePolicies, deploymentRoles } from './cedar-roles.ts';
import { ACTIONS, PRINCIPAL_TYPES, deploymentEntity, permissionEntities, principalEntity } from './cedar-entities.ts';
import { describeAction, type Action, type PolicyEngine } from './policy.ts';

export interface CedarEngineOptions {
  readonly policy: PolicyConfig;
  readonly roles: Readonly<Record<string, RoleConfig>>;
  /** Names of the configured deployments: invoking any other is denied. */
  readonly deployments: readonly string[];
  /** Decisions remembered per distinct principal and action (default 10 000; 0 disables). */
  readonly cacheSize?: number;
}

/** What Cedar decided, in full: `rampart policy test` prints it; authorize() condenses it. */
export interface CedarEvaluation {
  readonly effect: 'allow' | 'deny';
  /** Policies that determined the decision: the permits that allowed, or the forbids that denied. */
  readonly determining: readonly string[];
  /** Why the request could not be fully evaluated (each one denies). */
  readonly errors: readonly string[];
  readonly decision: Decision;
}

/** Distinguishes the parsed policy sets of several engines inside the one WebAssembly instance. */
let instances = 0;

function fail(message: string): never {
  throw new ConfigError('RAMPART_CONFIG_INVALID', [{ path: 'policy', message }]);
}

export class CedarEngine implements PolicyEngine {
  readonly sources: CedarSources;
  readonly #schemaName: string;
  readonly #policySetId: string;
  readonly #deployments: ReadonlyMap<string, EntityJson>;
  readonly #permissions: ReadonlyMap<AdminPermission, EntityJson>;
  readonly #cache = new Map<string, CedarEvaluation>();
  readonly #cacheSize: number;

  constructor(opts: CedarEngineOptions) {
    const texts: PolicyText[] = [];
    if (opts.policy.builtinPolicies) texts.push({ file: 'builtin.cedar', text: readFileSync(BUILTIN_POLICY_FILE, 'utf8'), configPath: 'policy.builtinPolicies' });
    const generated = configRolePolicies(opts.roles, { builtinPolicies: opts.policy.builtinPolicies });
    if (generated) texts.push({ file: CONFIG_ROLES_LABEL, text: generated, configPath: 'roles' });
    texts.push(...expandPolicyFiles(opts.policy.policyFiles));
    this.sources = compileSources(readSchema(opts.policy), texts);

    const n = ++instances;
    this.#schemaName = `rampart-schema-${n}`;
    this.#policySetId = `rampart-policies-${n}`;
    const schemaOk = cedar.preparseSchema(this.#schemaName, this.sources.schema);
    if (schemaOk.type === 'failure') fail(`${this.sources.schemaFile}: ${schemaOk.errors.map((e) => e.message).join('; ')}`);
    const setOk = cedar.preparsePolicySet(this.#policySetId, { staticPolicies: Object.fromEntries([...this.sources.policies].map(([id, p]) => [id, p.text])) });
    if (setOk.type === 'failure') fail(setOk.errors.map((e) => e.message).join('; '));

    const byDeployment = deploymentRoles(opts.roles, opts.deployments);
    this.#deployments = new Map([...byDeployment].map(([name, roles]) => [name, deploymentEntity(name, roles)]));
    this.#permissions = permissionEntities();
    this.#cacheSize = opts.cacheSize ?? 10_000;
    this.#checkSchemaFitsRequests();
  }

  /** The policy ids loaded, in load order. */
  get policyIds(): string[] {
    return [...this.sources.policies.keys()];
  }

  authorize(principal: Principal, action: Action): Decision {
    return this.evaluate(principal, action).decision;
  }

  evaluate(principal: Principal, action: Action): CedarEvaluation {
    const entity = principalEntity(principal);
    if (!entity) return denied([`principal kind '${String(principal.kind)}' has no Cedar entity type`], action, 'unknown-entity');
    const resource = action.kind === 'invoke' ? this.#deployments.get(action.deployment) : this.#permissions.get(action.permission);
    if (!resource) return denied([`${describeAction(action)}: no such ${action.kind === 'invoke' ? 'deployment' : 'permission'}`], action, 'unknown-entity');

    // The entity slice is all that Cedar sees, and the policies do not change: same slice, same answer.
    const key = this.#cacheSize > 0 ? `${action.kind}\u0000${action.kind === 'invoke' ? action.deployment : action.permission}\u0000${JSON.stringify(entity)}` : '';
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const result = this.#run(entity, resource, action);
    if (this.#cacheSize > 0) {
      if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, result);
    }
    return result;
  }

  #run(principal: EntityJson, resource: EntityJson, action: Action): CedarEvaluation {
    let answer: cedar.AuthorizationAnswer;
    try {
      answer = cedar.statefulIsAuthorized({
        principal: principal.uid,
        action: action.kind === 'invoke' ? ACTIONS.invoke : ACTIONS.admin,
        resource: resource.uid,
        context: {},
        preparsedSchemaName: this.#schemaName,
        preparsedPolicySetId: this.#policySetId,
        validateRequest: true,
        entities: [principal, resource],
      });
    } catch (e) {
      return denied([`Cedar failed: ${e instanceof Error ? e.message : String(e)}`], action, 'cedar-error');
    }
    if (answer.type === 'failure') return denied(answer.errors.map((e) => e.message), action, 'cedar-error');
    const { decision, diagnostics } = answer.response;
    if (diagnostics.errors.length > 0) {
      // Cedar skips a policy that errors; a skipped forbid would let the request through.
      const ids = diagnostics.errors.map((e) => e.policyId);
      return denied(
        diagnostics.errors.map((e) => `policy ${e.policyId}: ${e.error.message}`),
        action,
        ids.join(','),
      );
    }
    const ids = [...diagnostics.reason];
    const what = describeAction(action);
    if (decision === 'allow') {
      return { effect: 'allow', determining: ids, errors: [], decision: { effect: 'allow', policy: ids.join(','), reason: `Cedar ${plural(ids)} ${ids.join(', ')} ${ids.length === 1 ? 'permits' : 'permit'} ${what}` } };
    }
    if (ids.length > 0) {
      return { effect: 'deny', determining: ids, errors: [], decision: { effect: 'deny', policy: ids.join(','), reason: `Cedar ${plural(ids)} ${ids.join(', ')} ${ids.length === 1 ? 'forbids' : 'forbid'} ${what}` } };
    }
    return { effect: 'deny', determining: [], errors: [], decision: { effect: 'deny', policy: 'default-deny', reason: `no Cedar policy permits ${what}` } };
  }

  /**
   * A replacement schema must still describe the requests the engine builds: try one of each
   * principal type and action now, so a mismatch stops start-up instead of denying every request.
   */
  #checkSchemaFitsRequests(): void {
    const [permission] = this.#permissions.values();
    const deployment = deploymentEntity('rampart-schema-probe', ['rampart-schema-probe']);
    for (const kind of Object.keys(PRINCIPAL_TYPES)) {
      const type = PRINCIPAL_TYPES[kind]!;
      const principal = principalEntity({ id: 'rampart-schema-probe', kind: kind as Principal['kind'], roles: ['r'], groups: ['g'], authMethod: 'api-key', apiKeyId: 'k', issuer: 'i' })!;
      for (const [action, resource] of [[ACTIONS.invoke, deployment], [ACTIONS.admin, permission!]] as const) {
        const answer = cedar.statefulIsAuthorized({
          principal: principal.uid,
          action,
          resource: resource.uid,
          context: {},
          preparsedSchemaName: this.#schemaName,
          preparsedPolicySetId: this.#policySetId,
          validateRequest: true,
          entities: [principal, resource],
        });
        if (answer.type === 'failure') {
          fail(`${this.sources.schemaFile}: the schema does not describe Rampart's requests (${type}, ${action.id}): ${answer.errors.map((e) => e.message).join('; ')}`);
        }
      }
    }
  }
}

function plural(ids: readonly string[]): string {
  return ids.length === 1 ? 'policy' : 'policies';
}

function denied(errors: string[], action: Action, policy: string): CedarEvaluation {
  return {
    effect: 'deny',
    determining: [],
    errors,
    decision: { effect: 'deny', policy, reason: `${describeAction(action)} denied, fail closed: ${errors.join('; ')}` },
  };
}
