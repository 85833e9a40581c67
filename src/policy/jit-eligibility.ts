/**
 * Who may activate which role just in time (`jit.eligible`), compiled once from the config. Both
 * the elevation service (may this principal ask?) and the JIT policy engine (does an activated
 * role still hold under the current config?) read it.
 *
 * @example
 *   const eligibility = new Eligibility(config.jit.eligible);
 *   eligibility.grant(principal, 'admin'); // { maxDurationMs: 3_600_000, approval: 'required' } or null
 */
import type { Principal } from '../core/principal.ts';
import type { EligibilityConfig } from '../config/jit.ts';

export interface EligibleGrant {
  readonly role: string;
  /** The longest activation any matching rule allows. */
  readonly maxDurationMs: number;
  /** 'auto' only when every matching rule for the role says so: one 'required' rule wins. */
  readonly approval: 'required' | 'auto';
}

interface CompiledRule {
  readonly principals: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly maxDurationMs: number;
  readonly approval: 'required' | 'auto';
}

export class Eligibility {
  readonly #rules: readonly CompiledRule[];

  constructor(rules: readonly EligibilityConfig[]) {
    this.#rules = rules.map((r) => ({
      principals: new Set(r.principals),
      groups: new Set(r.groups),
      roles: new Set(r.roles),
      maxDurationMs: r.maxDurationMinutes * 60_000,
      approval: r.approval,
    }));
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** Every role the principal may activate, with its limits. */
  grants(principal: Pick<Principal, 'id' | 'groups'>): Map<string, EligibleGrant> {
    const out = new Map<string, EligibleGrant>();
    for (const rule of this.#rules) {
      if (!rule.principals.has(principal.id) && !principal.groups.some((g) => rule.groups.has(g))) continue;
      for (const role of rule.roles) {
        const prev = out.get(role);
        out.set(role, {
          role,
          maxDurationMs: Math.max(prev?.maxDurationMs ?? 0, rule.maxDurationMs),
          approval: prev?.approval === 'required' || rule.approval === 'required' ? 'required' : 'auto',
        });
      }
    }
    return out;
  }

  grant(principal: Pick<Principal, 'id' | 'groups'>, role: string): EligibleGrant | null {
    return this.grants(principal).get(role) ?? null;
  }

  /** Principal ids named in the config (groups cannot be enumerated). */
  get namedPrincipals(): string[] {
    return [...new Set(this.#rules.flatMap((r) => [...r.principals]))];
  }

  /** Roles eligible to a principal named by id (groups unknown), for the access review. */
  rolesNamedFor(principalId: string): string[] {
    return [...this.grants({ id: principalId, groups: [] }).keys()];
  }
}
