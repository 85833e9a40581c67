/**
 * LLM provider keys: OpenAI, Anthropic, OpenRouter, Groq, Hugging Face, Replicate, Perplexity, xAI,
 * sk- keys. The rules, with the format documents they follow, are in dlp/rules/llm.ts.
 */
import { LLM_RULES } from './dlp/rules/llm.ts';
import { tokenDetector } from './dlp/token-rules.ts';

export const llmKeysDetector = tokenDetector({
  id: 'secret-llm-keys',
  version: '1.0.0',
  description: 'LLM provider keys: OpenAI, Anthropic, OpenRouter, Groq, Hugging Face, Replicate, Perplexity, xAI, sk- keys.',
  rules: LLM_RULES,
});
