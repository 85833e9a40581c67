/**
 * Profiles that exist without configuration. `default` is what a deployment gets unless the
 * config says otherwise: prompt shields on what callers and documents send, DLP on both
 * directions. A config may redefine `default`, or set guard.defaultProfile: off.
 */
import type { ProfileConfig } from '../config/guard.ts';

export const BUILT_IN_PROFILES: Readonly<Record<string, ProfileConfig>> = {
  default: {
    description: 'Prompt shields and DLP with fail-closed defaults.',
    detectors: [],
    actions: { prompt_injection: 'block', jailbreak: 'block', secret: 'block', pii: 'annotate', custom: 'block', '*': 'annotate' },
    timeBudgetMs: 200,
    onError: 'block',
    input: true,
    output: true,
  },
};
