/**
 * Prompt token estimates before the upstream call, with a real BPE tokenizer (o200k_base via
 * gpt-tokenizer). The estimate reserves room in token limits; the upstream's reported usage
 * replaces it afterwards (quotas.reconcile).
 */
import { countTokens } from 'gpt-tokenizer';

/** Per-message framing tokens in the chat format (role, separators). */
const PER_MESSAGE = 4;
/** Flat estimate for one image part (a low-detail tile); the real cost depends on the provider. */
const PER_IMAGE = 85;

/**
 * Token counts of recent texts. System prompts, tool definitions and few-shot turns repeat from
 * request to request; counting them again costs more than the rest of the gateway's work on a
 * short request. Bounded in entries and in the length of a text kept (memory stays small).
 */
const COUNT_CACHE = new Map<string, number>();
const CACHE_ENTRIES = 2048;
const CACHE_MAX_CHARS = 16_384;

function countString(text: string): number {
  if (text.length === 0) return 0;
  if (text.length > CACHE_MAX_CHARS) return countTokens(text);
  let n = COUNT_CACHE.get(text);
  if (n === undefined) {
    n = countTokens(text);
    if (COUNT_CACHE.size >= CACHE_ENTRIES) COUNT_CACHE.delete(COUNT_CACHE.keys().next().value!);
    COUNT_CACHE.set(text, n);
  }
  return n;
}

function countText(value: unknown): number {
  if (typeof value === 'string') return countString(value);
  if (Array.isArray(value)) {
    let n = 0;
    for (const part of value) {
      if (typeof part === 'string') n += countText(part);
      else if (part && typeof part === 'object') {
        const p = part as Record<string, unknown>;
        if (typeof p.text === 'string') n += countText(p.text);
        else if (p.type === 'image_url' || p.type === 'input_image' || p.type === 'image') n += PER_IMAGE;
        else if (p.type === 'input_text' || p.type === 'output_text') n += countText(p.text);
      }
    }
    return n;
  }
  return 0;
}

/** Tokens a chat-completions request will spend at least: messages, tool definitions, max output. */
export function estimateChatTokens(body: Record<string, unknown>): number {
  let n = 3; // reply priming
  const messages = body.messages;
  if (Array.isArray(messages)) {
    for (const m of messages) {
      if (!m || typeof m !== 'object') continue;
      const msg = m as Record<string, unknown>;
      n += PER_MESSAGE + countText(msg.content);
      if (Array.isArray(msg.tool_calls)) n += countText(JSON.stringify(msg.tool_calls));
    }
  }
  if (Array.isArray(body.tools)) n += countText(JSON.stringify(body.tools));
  return n + maxOutput(body);
}

export function estimateEmbeddingTokens(body: Record<string, unknown>): number {
  const input = body.input;
  if (typeof input === 'string') return countText(input);
  if (Array.isArray(input)) {
    let n = 0;
    for (const item of input) {
      if (typeof item === 'string') n += countText(item);
      else if (Array.isArray(item)) n += item.length; // already token ids
      else if (typeof item === 'number') n += 1;
    }
    return n;
  }
  return 0;
}

export function estimateResponsesTokens(body: Record<string, unknown>): number {
  let n = countText(body.instructions);
  const input = body.input;
  if (typeof input === 'string') n += countText(input);
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (item && typeof item === 'object') n += PER_MESSAGE + countText((item as Record<string, unknown>).content);
    }
  }
  if (typeof body.max_output_tokens === 'number') n += body.max_output_tokens;
  return n;
}

/** The output tokens a request reserves: its max_completion_tokens or max_tokens, else 0. */
export function maxOutput(body: Record<string, unknown>): number {
  const v = body.max_completion_tokens ?? body.max_tokens;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}
