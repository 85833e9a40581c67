/**
 * Token usage in upstream answers, found cheaply. Stream chunks are passed through as text; only a
 * chunk that carries a `"usage": {` object is parsed. An unescaped `"usage"` followed by a colon
 * can only be an object key (inside JSON strings quotes are escaped), so a model writing the word
 * in its answer never triggers a parse.
 */
import type { TokenUsage } from './provider.ts';
import { parseJson } from '../upstream-http.ts';
import { isObject } from '../upstream-failures.ts';

/** The parsed chunk when `data` has a `"usage"` key whose value is an object; otherwise undefined. */
export function parseIfUsage(data: string): Record<string, unknown> | undefined {
  const i = data.lastIndexOf('"usage"');
  if (i === -1) return undefined;
  let j = skipSpace(data, i + 7);
  if (data.charCodeAt(j) !== 58 /* : */) return undefined;
  j = skipSpace(data, j + 1);
  if (data.charCodeAt(j) !== 123 /* { */) return undefined;
  const parsed = parseJson(data);
  return isObject(parsed) ? parsed : undefined;
}

function skipSpace(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 32 || c === 9 || c === 10 || c === 13) c = s.charCodeAt(++i);
  return i;
}

/**
 * Reads OpenAI chat/embeddings usage (`prompt_tokens`, `completion_tokens`) or Responses/Anthropic
 * usage (`input_tokens`, `output_tokens`). Undefined unless the counts are non-negative integers.
 */
export function readUsage(u: unknown): TokenUsage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = u['prompt_tokens'] ?? u['input_tokens'];
  const completion = u['completion_tokens'] ?? u['output_tokens'] ?? 0;
  if (!isCount(prompt) || !isCount(completion)) return undefined;
  return { promptTokens: prompt, completionTokens: completion };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}
