/**
 * An Anthropic `message` → an OpenAI `chat.completion`, and the pieces the stream translation
 * shares with it (finish reasons, usage).
 */
import type { TokenUsage } from '../provider.ts';
import { badResponseFailure, isObject } from '../../upstream-failures.ts';

/** Anthropic stop_reason → OpenAI finish_reason. */
export function finishReason(stopReason: unknown): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

export interface AnthropicUsage {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/** Reads Anthropic usage fields into `into`; absent fields keep their value (stream deltas). */
export function mergeUsage(into: AnthropicUsage, u: unknown): void {
  if (!isObject(u)) return;
  const n = (k: string): number | undefined => (typeof u[k] === 'number' && (u[k] as number) >= 0 ? (u[k] as number) : undefined);
  into.input = n('input_tokens') ?? into.input;
  into.cacheRead = n('cache_read_input_tokens') ?? into.cacheRead;
  into.cacheWrite = n('cache_creation_input_tokens') ?? into.cacheWrite;
  into.output = n('output_tokens') ?? into.output;
}

/** Prompt tokens include cached ones, as OpenAI counts them. */
export function openAiUsage(u: AnthropicUsage): { body: Record<string, unknown>; usage: TokenUsage } {
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  return {
    body: { prompt_tokens: prompt, completion_tokens: u.output, total_tokens: prompt + u.output, prompt_tokens_details: { cached_tokens: u.cacheRead } },
    usage: { promptTokens: prompt, completionTokens: u.output },
  };
}

export function toChatCompletion(msg: unknown, created: number): { json: Record<string, unknown>; usage: TokenUsage } {
  if (!isObject(msg) || msg['type'] !== 'message' || !Array.isArray(msg['content'])) {
    throw badResponseFailure('the answer is not an Anthropic message');
  }
  let text = '';
  let hasText = false;
  const toolCalls: Record<string, unknown>[] = [];
  for (const b of msg['content'] as unknown[]) {
    if (!isObject(b)) continue;
    if (b['type'] === 'text' && typeof b['text'] === 'string') {
      text += b['text'];
      hasText = true;
    } else if (b['type'] === 'tool_use') {
      toolCalls.push({ id: b['id'], type: 'function', function: { name: b['name'], arguments: JSON.stringify(b['input'] ?? {}) } });
    }
    // thinking and server-tool blocks have no chat.completions equivalent.
  }
  const message: Record<string, unknown> = { role: 'assistant', content: hasText || toolCalls.length === 0 ? text : null, refusal: null };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  const u: AnthropicUsage = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  mergeUsage(u, msg['usage']);
  const { body, usage } = openAiUsage(u);
  return {
    json: {
      id: msg['id'],
      object: 'chat.completion',
      created,
      model: msg['model'],
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(msg['stop_reason']) }],
      usage: body,
    },
    usage,
  };
}
