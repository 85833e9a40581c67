/** Builds the guard profiles of a configuration (server start-up and the offline CLI). */
import type { RampartConfig } from '../config/schema.ts';
import { BUILT_IN_PROFILES } from '../guard/built-in-profiles.ts';
import { DETECTORS } from '../guard/detectors/index.ts';
import { GuardProfiles } from '../guard/profiles.ts';
import { DetectorRegistry } from '../guard/registry.ts';
import type { DetectorContext, DetectorDescriptor } from '../guard/types.ts';

/** Where detectors load their models and data from (shipped in the repo, never downloaded). */
export const ASSETS_DIR = new URL('../guard/detectors/', import.meta.url).pathname;

/**
 * The judge invoker of offline commands (`config check`, `guard analyze`): judge detectors compile
 * as they do in `serve`, and a call to one fails with the reason, so the profile's failure
 * direction decides the verdict instead of the whole command refusing the configuration.
 */
export function offlineInvoker(command: string): NonNullable<DetectorContext['invoke']> {
  return async (deployment) => {
    throw new Error(`${command} runs offline and does not call deployment '${deployment}'; POST /v1/guard/analyze on a running server does`);
  };
}

export function buildGuardProfiles(
  config: RampartConfig,
  opts: { invoke?: DetectorContext['invoke']; onError?: DetectorContext['onError']; detectors?: readonly DetectorDescriptor<never>[] },
): GuardProfiles {
  return new GuardProfiles(
    config.guard,
    new DetectorRegistry([...DETECTORS, ...(opts.detectors ?? [])]),
    { assetsDir: ASSETS_DIR, ...(opts.invoke ? { invoke: opts.invoke } : {}), ...(opts.onError ? { onError: opts.onError } : {}) },
    BUILT_IN_PROFILES,
    new Map(config.deployments.map((d) => [d.name, d.guard])),
  );
}
