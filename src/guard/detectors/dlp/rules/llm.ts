/**
 * LLM provider keys. OpenAI ("API keys", project keys `sk-proj-`, service accounts `sk-svcacct-`,
 * admin keys `sk-admin-`; every OpenAI key embeds the base64 of "OpenAI", `T3BlbkFJ`), Anthropic
 * (`sk-ant-api03-…`, `sk-ant-admin01-…`), then other providers' documented prefixes: OpenRouter
 * `sk-or-v1-`, Groq `gsk_`, Hugging Face `hf_`, Replicate `r8_`, Perplexity `pplx-`, xAI `xai-`,
 * and the many OpenAI-compatible providers that issue bare `sk-` keys. Providers whose keys carry
 * no prefix (Mistral, Cohere, Together, AI21, …) are recognized by the variable their SDKs read
 * (`MISTRAL_API_KEY`, `CO_API_KEY`, …).
 */
import { characterClasses, shannonEntropy } from '../entropy.ts';
import type { Confirmation, TokenRule } from '../token-rules.ts';

const OPENAI_MARKER = 'T3BlbkFJ';

function openAi(markerless: number): (secret: string) => Confirmation {
  return (secret) =>
    secret.includes(OPENAI_MARKER) ? { score: 0.99, evidence: 'with the OpenAI key marker' } : { score: markerless, evidence: '' };
}

export const LLM_RULES: readonly TokenRule[] = [
  {
    rule: 'anthropic_api_key',
    category: 'secret.anthropic_api_key',
    name: 'Anthropic API key',
    prefilter: ['sk-ant-'],
    pattern: /(?<![\w-])sk-ant-(?:api|admin|sid|oat)\d{2}-[A-Za-z0-9_-]{80,120}(?![\w-])/g,
    body: (s) => s.slice(s.indexOf('-', 7) + 1),
    score: 0.99,
    severity: 'critical',
  },
  {
    rule: 'openai_project_key',
    category: 'secret.openai_api_key',
    name: 'OpenAI API key',
    prefilter: ['sk-proj-', 'sk-svcacct-', 'sk-admin-'],
    pattern: /(?<![\w-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}(?![\w-])/g,
    body: (s) => s.slice(s.indexOf('-', 3) + 1),
    confirm: openAi(0.92),
    score: 0.92,
    severity: 'critical',
  },
  {
    rule: 'openai_legacy_key',
    category: 'secret.openai_api_key',
    name: 'OpenAI API key (user key format)',
    prefilter: ['sk-'],
    pattern: /(?<![\w-])sk-[A-Za-z0-9]{48}(?![\w-])/g,
    body: (s) => s.slice(3),
    confirm: openAi(0.85),
    score: 0.85,
    severity: 'critical',
  },
  {
    rule: 'openrouter_api_key',
    category: 'secret.llm_api_key',
    name: 'OpenRouter API key',
    prefilter: ['sk-or-v1-'],
    pattern: /(?<![\w-])sk-or-v1-[0-9a-f]{64}(?![\w-])/g,
    body: (s) => s.slice(9),
    score: 0.97,
    severity: 'critical',
  },
  {
    rule: 'groq_api_key',
    category: 'secret.llm_api_key',
    name: 'Groq API key',
    prefilter: ['gsk_'],
    pattern: /(?<![\w-])gsk_[A-Za-z0-9]{52}(?![\w-])/g,
    body: (s) => s.slice(4),
    score: 0.97,
    severity: 'critical',
  },
  {
    rule: 'huggingface_token',
    category: 'secret.llm_api_key',
    name: 'Hugging Face access token',
    prefilter: ['hf_'],
    pattern: /(?<![\w-])hf_[A-Za-z]{34}(?![\w-])/g,
    body: (s) => s.slice(3),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'replicate_api_token',
    category: 'secret.llm_api_key',
    name: 'Replicate API token',
    prefilter: ['r8_'],
    pattern: /(?<![\w-])r8_[A-Za-z0-9]{37}(?![\w-])/g,
    body: (s) => s.slice(3),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'perplexity_api_key',
    category: 'secret.llm_api_key',
    name: 'Perplexity API key',
    prefilter: ['pplx-'],
    pattern: /(?<![\w-])pplx-[A-Za-z0-9]{48}(?![\w-])/g,
    body: (s) => s.slice(5),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'xai_api_key',
    category: 'secret.llm_api_key',
    name: 'xAI API key',
    prefilter: ['xai-'],
    pattern: /(?<![\w-])xai-[A-Za-z0-9]{80}(?![\w-])/g,
    body: (s) => s.slice(4),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'llm_provider_variable_key',
    category: 'secret.llm_api_key',
    name: 'API key assigned to an LLM provider variable',
    // Literals, not a case-insensitive regex: they join the detector's one literal scan.
    prefilter: ['_API_', '_api_'],
    pattern:
      /(?<![A-Za-z0-9])(?:MISTRAL|CO|COHERE|TOGETHER|TOGETHER_AI|AI21|DEEPINFRA|FIREWORKS|VOYAGE|CEREBRAS|DEEPSEEK)_API_(?:KEY|TOKEN)["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?<secret>[A-Za-z0-9_-]{24,100})(?![A-Za-z0-9_-])/gi,
    confirm: (secret) => (characterClasses(secret) >= 2 && shannonEntropy(secret) >= 3.5 ? { score: 0.9, evidence: 'random enough for a key' } : undefined),
    score: 0.9,
    severity: 'critical',
  },
  {
    rule: 'sk_prefixed_api_key',
    category: 'secret.llm_api_key',
    name: 'sk- prefixed API key of an OpenAI-compatible provider',
    prefilter: ['sk-'],
    pattern: /(?<![\w-])sk-[A-Za-z0-9]{32,64}(?![\w-])/g,
    body: (s) => s.slice(3),
    score: 0.8,
    severity: 'high',
  },
];
