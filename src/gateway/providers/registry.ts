/**
 * The providers Rampart knows, as data. The config schema builds its `targets[]` union from
 * `PROVIDERS`; `getProvider` resolves a configured id at start-up. Adding a provider = adding its
 * folder and one line here.
 */
import { RampartError } from '../../core/errors.ts';
import type { ProviderDescriptor } from './provider.ts';
import { openaiProvider } from './openai/index.ts';
import { azureOpenAiProvider } from './azure-openai/index.ts';
import { anthropicProvider } from './anthropic/index.ts';
import { echoProvider } from './echo/index.ts';

export const PROVIDERS: readonly ProviderDescriptor[] = [openaiProvider, azureOpenAiProvider, anthropicProvider, echoProvider];

/** Throws RAMPART_CONFIG_INVALID when two descriptors share an id. */
export function assertUniqueProviderIds(list: readonly ProviderDescriptor[]): void {
  const seen = new Set<string>();
  for (const p of list) {
    if (seen.has(p.id)) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `Two providers share the id "${p.id}".` });
    seen.add(p.id);
  }
}

assertUniqueProviderIds(PROVIDERS);

const BY_ID: ReadonlyMap<string, ProviderDescriptor> = new Map(PROVIDERS.map((p) => [p.id, p]));

export const PROVIDER_IDS: readonly string[] = PROVIDERS.map((p) => p.id);

/**
 * The descriptor for a configured provider id.
 *
 * @example
 *   const target = getProvider(t.provider).create(t, { logger, deployment: 'gpt-4o', index: 0 });
 * @throws RampartError RAMPART_CONFIG_INVALID for an unknown id (the message lists the known ones).
 */
export function getProvider(id: string): ProviderDescriptor {
  const p = BY_ID.get(id);
  if (p === undefined) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `Unknown provider "${id}"; known providers: ${PROVIDER_IDS.join(', ')}.` });
  }
  return p;
}

/** The registry as one object, for callers that take it as a dependency. */
export const providerRegistry = {
  list: (): readonly ProviderDescriptor[] => PROVIDERS,
  get: getProvider,
  ids: PROVIDER_IDS,
} as const;
