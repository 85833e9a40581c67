/**
 * Anthropic's message stream → OpenAI `chat.completion.chunk`s.
 *
 *   message_start                 → first chunk: role "assistant", empty content
 *   content_block_start text      → (nothing unless it carries text)
 *   content_block_start tool_use  → tool_calls[{ index, id, type, function: { name, arguments: "" } }]
 *   content_block_delta text      → content
 *   content_block_delta json      → tool_calls[{ index, function: { arguments: partial } }]
 *   message_delta                 → empty delta with finish_reason; usage remembered
 *   message_stop                  → usage chunk (choices: []), `injected` unless the client asked
 *   ping, thinking, unknown       → nothing
 *   error                         → UpstreamFailure (kind http; overloaded and api errors retryable)
 *
 * Every chunk has the message id, so clients see one completion. Tool call indexes count tool_use
 * blocks (0, 1, ...), not Anthropic block indexes, which also count text blocks.
 */
import type { SseEvent } from '../../sse.ts';
import type { SseOut, TokenUsage } from '../provider.ts';
import { parseJson } from '../../upstream-http.ts';
import { badResponseFailure, httpFailure, isObject, toOpenAiErrorBody } from '../../upstream-failures.ts';
import { finishReason, mergeUsage, openAiUsage, type AnthropicUsage } from './response.ts';

/** Anthropic error types in a stream → the HTTP status the same error has outside one. */
const ERROR_STATUS: Record<string, number> = {
  overloaded_error: 529,
  api_error: 500,
  rate_limit_error: 429,
  request_too_large: 413,
  invalid_request_error: 400,
};

export function translateStream(
  source: AsyncIterable<SseEvent>,
  opts: { injected: boolean; created: number },
): { events: AsyncGenerator<SseOut>; usage: () => TokenUsage | undefined } {
  let final: TokenUsage | undefined;
  let id = '';
  let model = '';
  const u: AnthropicUsage = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  const toolIndex = new Map<number, number>();

  const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseOut => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: opts.created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    }),
  });

  async function* run(): AsyncGenerator<SseOut> {
    let stopped = false;
    for await (const ev of source) {
      if (stopped) continue; // read to the end so the socket is reused
      const data = parseJson(ev.data);
      if (!isObject(data)) throw badResponseFailure('an event of the message stream is not JSON');
      switch (data['type']) {
        case 'message_start': {
          const msg = data['message'];
          if (!isObject(msg)) throw badResponseFailure('message_start without a message');
          id = String(msg['id'] ?? '');
          model = String(msg['model'] ?? '');
          mergeUsage(u, msg['usage']);
          yield chunk({ role: 'assistant', content: '' });
          break;
        }
        case 'content_block_start': {
          const block = data['content_block'];
          if (!isObject(block)) break;
          if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'] !== '') yield chunk({ content: block['text'] });
          else if (block['type'] === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(Number(data['index']), index);
            yield chunk({ tool_calls: [{ index, id: block['id'], type: 'function', function: { name: block['name'], arguments: '' } }] });
          }
          break;
        }
        case 'content_block_delta': {
          const delta = data['delta'];
          if (!isObject(delta)) break;
          if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') yield chunk({ content: delta['text'] });
          else if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string' && delta['partial_json'] !== '') {
            const index = toolIndex.get(Number(data['index']));
            if (index === undefined) throw badResponseFailure('input_json_delta for a block that is not a tool call');
            yield chunk({ tool_calls: [{ index, function: { arguments: delta['partial_json'] } }] });
          }
          break;
        }
        case 'message_delta': {
          mergeUsage(u, data['usage']);
          const delta = data['delta'];
          const stop = isObject(delta) ? delta['stop_reason'] : undefined;
          if (stop !== undefined && stop !== null) yield chunk({}, finishReason(stop));
          break;
        }
        case 'message_stop': {
          const { body, usage } = openAiUsage(u);
          final = usage;
          const out: SseOut = {
            data: JSON.stringify({ id, object: 'chat.completion.chunk', created: opts.created, model, choices: [], usage: body }),
            usage,
          };
          if (opts.injected) out.injected = true;
          yield out;
          stopped = true;
          break;
        }
        case 'error': {
          const err = data['error'];
          const type = isObject(err) && typeof err['type'] === 'string' ? err['type'] : 'api_error';
          throw httpFailure(ERROR_STATUS[type] ?? 500, {}, data, toOpenAiErrorBody);
        }
        default:
          // ping, and event types newer than this translation
          break;
      }
    }
    if (!stopped) throw badResponseFailure('the message stream ended before message_stop');
  }
  // Before message_stop (a cut stream) the counts so far still serve metering.
  return { events: run(), usage: () => final ?? (id !== '' ? openAiUsage(u).usage : undefined) };
}
