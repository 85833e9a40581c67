/**
 * Compiles the `guard` config once at start-up: every profile's detectors are looked up in the
 * registry, their options validated against the detector's schema (errors carry the config path),
 * and compiled. At request time `select` picks the profile for a deployment and principal.
 */
import type { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { GuardConfig, ProfileConfig } from '../config/guard.ts';
import { formatPath } from '../config/load.ts';
import { actionResolver, type CompiledDetector, type CompiledProfile } from './engine.ts';
import type { DetectorRegistry } from './registry.ts';
import type { Channel, DetectorContext } from './types.ts';

export const OFF = 'off';

function compileProfile(name: string, profile: ProfileConfig, registry: DetectorRegistry, ctx: DetectorContext, excerptChars: number): CompiledProfile {
  const detectors: CompiledDetector[] = profile.detectors.map((use, i) => {
    const where = `guard.profiles.${name}.detectors[${i}]`;
    const descriptor = registry.get(use.id, where);
    const parsed = (descriptor.optionsSchema as z.ZodType).safeParse(use.options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `${where}.options${issue.path.length ? `.${formatPath(issue.path)}` : ''}: ${issue.message}` });
    }
    const supported = new Set(descriptor.channels);
    const channels = new Set<Channel>(use.channels ?? descriptor.channels);
    for (const c of channels) {
      if (!supported.has(c)) {
        throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `${where}.channels: detector '${use.id}' does not read the ${c} channel (it reads ${[...supported].join(', ')})` });
      }
    }
    const t = use.threshold;
    const fallback = (c: Channel) => descriptor.defaultThreshold?.(parsed.data, c) ?? 0;
    const threshold = typeof t === 'number' ? () => t : (c: Channel) => t?.[c] ?? fallback(c);
    let detect;
    try {
      detect = descriptor.create(parsed.data, ctx);
    } catch (e) {
      if (e instanceof RampartError) throw e;
      throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `${where} (${use.id}): ${(e as Error).message}`, cause: e });
    }
    const report = ctx.onError;
    return { id: descriptor.id, version: descriptor.version, channels, threshold, detect, ...(report ? { onError: (err: unknown) => report(descriptor.id, err) } : {}) };
  });
  return {
    name,
    detectors,
    actionFor: actionResolver(profile.actions),
    timeBudgetMs: profile.timeBudgetMs,
    onError: profile.onError,
    input: profile.input,
    output: profile.output,
    excerptChars,
    stream: profile.stream,
    leak: profile.leak,
    spotlight: profile.spotlight,
    toolPolicy: profile.toolPolicy ?? null,
  };
}

export class GuardProfiles {
  readonly #profiles = new Map<string, CompiledProfile>();
  readonly #config: GuardConfig;
  readonly #deploymentProfile: ReadonlyMap<string, string>;

  /**
   * @param builtIn profiles that exist unless the config redefines them (e.g. `default`)
   * @param deploymentProfiles deployment name -> profile name from deployments[].guard
   */
  constructor(config: GuardConfig, registry: DetectorRegistry, ctx: DetectorContext, builtIn: Readonly<Record<string, ProfileConfig>>, deploymentProfiles: ReadonlyMap<string, string | undefined>) {
    this.#config = config;
    for (const [name, profile] of Object.entries({ ...builtIn, ...config.profiles })) {
      if (name === OFF) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `guard.profiles.${OFF}: '${OFF}' is reserved for "no scanning"` });
      this.#profiles.set(name, compileProfile(name, profile, registry, ctx, config.excerptChars));
    }
    const known = (name: string, where: string) => {
      if (name !== OFF && !this.#profiles.has(name)) {
        throw new RampartError('RAMPART_GUARD_UNKNOWN_PROFILE', { detail: `${where}: '${name}' (known: ${[OFF, ...this.#profiles.keys()].join(', ')}).` });
      }
    };
    known(config.defaultProfile, 'guard.defaultProfile');
    config.overrides.forEach((o, i) => known(o.profile, `guard.overrides[${i}].profile`));
    const resolved = new Map<string, string>();
    for (const [deployment, name] of deploymentProfiles) {
      if (name !== undefined) known(name, `deployments[${deployment}].guard`);
      resolved.set(deployment, name ?? config.defaultProfile);
    }
    this.#deploymentProfile = resolved;
  }

  /**
   * Settles when every detector that loads something asynchronously (a model) is ready; rejects
   * with RAMPART_CONFIG_INVALID naming the profile and detector of the first that cannot load.
   */
  async ready(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [name, profile] of this.#profiles) {
      profile.detectors.forEach((d, i) => {
        if (!d.detect.ready) return;
        waits.push(
          d.detect.ready.catch((e: unknown) => {
            throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `guard.profiles.${name}.detectors[${i}] (${d.id}): ${(e as Error).message}`, cause: e });
          }),
        );
      });
    }
    await Promise.all(waits);
  }

  get(name: string): CompiledProfile | null {
    if (name === OFF) return null;
    const p = this.#profiles.get(name);
    if (!p) throw new RampartError('RAMPART_GUARD_UNKNOWN_PROFILE', { detail: `'${name}'.` });
    return p;
  }

  names(): string[] {
    return [...this.#profiles.keys()];
  }

  /** The profile for this call: the first matching override, else the deployment's, else the default. */
  select(deployment: string, principal: Principal): CompiledProfile | null {
    for (const o of this.#config.overrides) {
      const who = o.principals.includes(principal.id) || o.roles.some((r) => principal.roles.includes(r));
      const where = o.deployments.includes('*') || o.deployments.includes(deployment);
      if (who && where) return this.get(o.profile);
    }
    return this.get(this.#deploymentProfile.get(deployment) ?? this.#config.defaultProfile);
  }
}
