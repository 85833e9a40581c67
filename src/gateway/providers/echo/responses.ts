/**
 * Echo Responses API: a minimal `response` object whose one output message repeats the last user
 * input, and its stream: created, output_item.added, content_part.added, output_text.delta…,
 * output_text.done, content_part.done, output_item.done, completed (each with sequence_number,
 * as the official SDK's stream helpers expect).
 */
import type { SseOut, TokenUsage, UpstreamSuccess } from '../provider.ts';
import { ECHO_PREFIX, delay, echoId, lastUserText, pieces, promptTokens, tokens } from './text.ts';
import { withDelay, type EchoSettings } from './chat.ts';

export function echoResponses(body: Record<string, unknown>, stream: boolean, signal: AbortSignal, s: EchoSettings): UpstreamSuccess {
  const answer = ECHO_PREFIX + lastUserText(body['input']);
  const usage: TokenUsage = { promptTokens: promptTokens(body['input']), completionTokens: tokens(answer) };
  const id = echoId('resp_');
  const itemId = echoId('msg_');
  const part = { type: 'output_text', text: answer, annotations: [] as unknown[] };
  const item = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
  const response = (status: string, output: unknown[], withUsage: boolean): Record<string, unknown> => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: s.model,
    instructions: typeof body['instructions'] === 'string' ? body['instructions'] : null,
    output,
    error: null,
    incomplete_details: null,
    usage: withUsage
      ? {
          input_tokens: usage.promptTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: usage.completionTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.promptTokens + usage.completionTokens,
        }
      : null,
  });
  if (!stream) return { status: 200, json: response('completed', [item], true), usage };

  let seen: TokenUsage | undefined;
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>): SseOut => ({ event: type, data: JSON.stringify({ type, sequence_number: seq++, ...fields }) });
  async function* events(): AsyncGenerator<SseOut> {
    yield ev('response.created', { response: response('in_progress', [], false) });
    yield ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    yield ev('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { ...part, text: '' } });
    for (const delta of pieces(answer)) {
      await delay(0, signal);
      yield ev('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta });
    }
    yield ev('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text: answer });
    yield ev('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part });
    yield ev('response.output_item.done', { output_index: 0, item });
    seen = usage;
    yield { ...ev('response.completed', { response: response('completed', [item], true) }), usage };
  }
  return { status: 200, events: withDelay(events(), s.delayMs, signal), streamUsage: () => seen };
}
