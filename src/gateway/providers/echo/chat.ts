/**
 * Echo chat completions: the answer is "Echo: " and the last user message, as one
 * `chat.completion` or as a stream of word-sized chunks ending with finish_reason and usage.
 */
import type { SseOut, TokenUsage, UpstreamSuccess } from '../provider.ts';
import { isObject } from '../../upstream-failures.ts';
import { ECHO_PREFIX, delay, echoId, lastUserText, pieces, promptTokens, tokens } from './text.ts';

export interface EchoSettings {
  model: string;
  delayMs: number;
}

export function echoChat(body: Record<string, unknown>, stream: boolean, signal: AbortSignal, s: EchoSettings): UpstreamSuccess {
  const answer = ECHO_PREFIX + lastUserText(body['messages']);
  const usage: TokenUsage = { promptTokens: promptTokens(body['messages']), completionTokens: tokens(answer) };
  const id = echoId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const usageBody = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
  if (!stream) {
    return {
      status: 200,
      usage,
      json: {
        id,
        object: 'chat.completion',
        created,
        model: s.model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: usageBody,
      },
    };
  }
  const so = body['stream_options'];
  const injected = !(isObject(so) && so['include_usage'] === true);
  let seen: TokenUsage | undefined;
  const chunk = (delta: Record<string, unknown>, finish: string | null): SseOut => ({
    data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model: s.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }),
  });
  async function* events(): AsyncGenerator<SseOut> {
    yield chunk({ role: 'assistant', content: '' }, null);
    for (const piece of pieces(answer)) {
      await delay(0, signal); // a client that went away stops the answer
      yield chunk({ content: piece }, null);
    }
    yield chunk({}, 'stop');
    seen = usage;
    const last: SseOut = {
      data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model: s.model, choices: [], usage: usageBody }),
      usage,
    };
    if (injected) last.injected = true;
    yield last;
  }
  return { status: 200, events: withDelay(events(), s.delayMs, signal), streamUsage: () => seen, injectedUsage: injected };
}

/** Holds back the first event by `ms`, like a model's time to first token. */
export async function* withDelay<T>(events: AsyncGenerator<T>, ms: number, signal: AbortSignal): AsyncGenerator<T> {
  await delay(ms, signal);
  yield* events;
}
