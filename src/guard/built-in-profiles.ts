/**
 * Profiles that exist without configuration. `default` is what a deployment gets unless the
 * config says otherwise: prompt shields on what callers, system prompts and documents send; DLP
 * (structured PII and secrets) on both directions; exfiltration links in answers. Secrets and
 * attacks are blocked, PII is recorded, images and links that would send data to another host are
 * neutralized. A config may redefine `default`, or set guard.defaultProfile: off.
 */
import type { DetectorUse, ProfileConfig } from '../config/guard.ts';
import { BEST_EFFORT_PII_DETECTORS, PII_DETECTORS, SECRET_DETECTORS } from './detectors/dlp-index.ts';

const use = (id: string): DetectorUse => ({ id, options: {} });
/**
 * Built-in profiles cannot know a company's hosts, so every host is external: images are always
 * neutralized (zero-click), links only when they carry data (`default`) or always (`dlp-strict`),
 * so that ordinary answers keep their documentation links.
 */
const exfil = (links: 'all' | 'data'): DetectorUse => ({ id: 'output-exfil-links', channels: ['output'], options: { links } });

export const BUILT_IN_PROFILES: Readonly<Record<string, ProfileConfig>> = {
  default: {
    description: 'Prompt shields and DLP with fail-closed defaults.',
    detectors: [
      use('prompt-injection'),
      ...PII_DETECTORS.map((d) => use(d.id)),
      ...SECRET_DETECTORS.map((d) => use(d.id)),
      exfil('data'),
    ],
    actions: { prompt_injection: 'block', jailbreak: 'block', secret: 'block', pii: 'annotate', custom: 'block', content: 'block', exfiltration: 'neutralize', 'leak.canary': 'block', leak: 'mask', '*': 'annotate' },
    timeBudgetMs: 200,
    onError: 'block',
    input: true,
    output: true,
    stream: { holdBackChars: 256, contextChars: 64 },
    leak: { systemPrompt: true, canary: false, minRunWords: 8 },
    spotlight: { mode: 'off', channels: ['document'], marker: '\u02c6' },
  },
  /** Everything the default has, plus best-effort names and addresses, with PII pseudonymized. */
  'dlp-strict': {
    description: 'Default shields; every PII type (names and addresses too) pseudonymized, secrets blocked.',
    detectors: [
      use('prompt-injection'),
      ...[...PII_DETECTORS, ...BEST_EFFORT_PII_DETECTORS, ...SECRET_DETECTORS].map((d) => use(d.id)),
      exfil('all'),
    ],
    actions: { prompt_injection: 'block', jailbreak: 'block', secret: 'block', pii: 'pseudonymize', custom: 'block', content: 'block', exfiltration: 'neutralize', 'leak.canary': 'block', leak: 'mask', '*': 'annotate' },
    timeBudgetMs: 200,
    onError: 'block',
    input: true,
    output: true,
    stream: { holdBackChars: 256, contextChars: 64 },
    leak: { systemPrompt: true, canary: true, minRunWords: 8 },
    spotlight: { mode: 'off', channels: ['document'], marker: '\u02c6' },
  },
};
