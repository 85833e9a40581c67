/**
 * What the echo provider says and how it counts: the answer repeats the last user text, token
 * counts come from a real tokenizer (o200k, as for current OpenAI models), so that limits and
 * budgets behave as they would in front of a real model.
 */
import { countTokens } from 'gpt-tokenizer';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortedFailure, isObject } from '../../upstream-failures.ts';

export const ECHO_PREFIX = 'Echo: ';

/** Text of a message's content: a string, or the text / input_text parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const p of content) {
    if (isObject(p) && (p['type'] === 'text' || p['type'] === 'input_text') && typeof p['text'] === 'string') {
      out += out === '' ? p['text'] : `\n${p['text']}`;
    }
  }
  return out;
}

/** The text of the last user message (chat `messages` or Responses `input` items). */
export function lastUserText(items: unknown): string {
  if (typeof items === 'string') return items;
  if (!Array.isArray(items)) return '';
  for (let i = items.length - 1; i >= 0; i--) {
    const m: unknown = items[i];
    if (isObject(m) && m['role'] === 'user') return contentText(m['content']);
  }
  return '';
}

/**
 * Prompt tokens of a list of messages: content tokens plus OpenAI's documented overhead of 3 per
 * message and 3 to prime the answer.
 */
export function promptTokens(items: unknown): number {
  if (typeof items === 'string') return countTokens(items);
  if (!Array.isArray(items)) return 0;
  let n = 3;
  for (const m of items) if (isObject(m)) n += 3 + countTokens(contentText(m['content']));
  return n;
}

export function tokens(text: string): number {
  return countTokens(text);
}

/** Splits an answer into stream pieces of one word each, keeping the spaces. */
export function pieces(text: string): string[] {
  const parts = text.match(/\S+\s*|\s+/g);
  return parts === null ? [text] : parts;
}

/** Waits, unless the client goes away first. */
export async function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw abortedFailure(signal.reason);
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch (e) {
    throw abortedFailure(e);
  }
}

/** An id in OpenAI's style: `chatcmpl-…`, `resp_…`. */
export function echoId(prefix: string): string {
  return prefix + randomBytes(12).toString('hex');
}
