/**
 * Every provider token rule, for the recognizers that must leave a value to the provider rule
 * that names it better (a GitHub token inside a URL or assigned to `token=` is a GitHub token,
 * and `AccountKey=…` an Azure key, not a generic secret).
 */
import { CLOUD_RULES } from './rules/cloud.ts';
import { LLM_RULES } from './rules/llm.ts';
import { PLATFORM_RULES } from './rules/platform.ts';
import { SAAS_RULES } from './rules/saas.ts';
import { VCS_RULES } from './rules/vcs.ts';
import { providerClaimMatcher } from './token-rules.ts';

/** True when a provider rule reports exactly [start, end) of `text`. */
export const claimedByProvider = providerClaimMatcher([...CLOUD_RULES, ...VCS_RULES, ...SAAS_RULES, ...LLM_RULES, ...PLATFORM_RULES]);
