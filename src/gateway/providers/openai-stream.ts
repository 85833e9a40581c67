/**
 * Pass-through of OpenAI-format event streams (OpenAI, Azure OpenAI and compatible servers). The
 * chunks are forwarded as the upstream wrote them; only the one carrying usage is parsed.
 */
import type { SseEvent } from '../sse.ts';
import type { SseOut, TokenUsage } from './provider.ts';
import { badResponseFailure, isObject } from '../upstream-failures.ts';
import { parseJson } from '../upstream-http.ts';
import { parseIfUsage, readUsage } from './usage.ts';

export interface PassThrough {
  events: AsyncGenerator<SseOut>;
  /** The usage seen so far; final once `events` is exhausted. */
  usage: () => TokenUsage | undefined;
}

/**
 * Chat completion chunks, without the closing `[DONE]` (the gateway writes its own). `injected`
 * says the provider added `stream_options.include_usage`: the usage-only chunk (empty `choices`)
 * is then marked `injected` so the gateway drops it; a server that puts usage on a content chunk
 * instead gets the usage key removed from that chunk.
 *
 * A stream that ends without `[DONE]` was cut off: that is an `UpstreamFailure`, not a silent
 * short answer, so that audit and the client learn the answer is incomplete.
 */
export function chatPassThrough(source: AsyncIterable<SseEvent>, injected: boolean): PassThrough {
  let usage: TokenUsage | undefined;
  async function* run(): AsyncGenerator<SseOut> {
    let done = false;
    for await (const ev of source) {
      // Read on to the end after [DONE] so the socket returns to the pool instead of being closed.
      if (done) continue;
      if (ev.data === '[DONE]') {
        done = true;
        continue;
      }
      const parsed = parseIfUsage(ev.data);
      if (parsed === undefined) {
        yield ev;
        continue;
      }
      const u = readUsage(parsed['usage']);
      if (u === undefined) {
        yield ev;
        continue;
      }
      usage = u;
      const out: SseOut = { data: ev.data, usage: u };
      if (injected) {
        const choices = parsed['choices'];
        if (Array.isArray(choices) && choices.length === 0) out.injected = true;
        else {
          delete parsed['usage'];
          out.data = JSON.stringify(parsed);
        }
      }
      yield out;
    }
    if (!done) throw badResponseFailure('the stream ended before [DONE]');
  }
  return { events: run(), usage: () => usage };
}

/**
 * Responses API events, with their `event:` names. Usage arrives in the terminal event
 * (`response.completed`, `response.incomplete`, `response.failed`) as `response.usage`.
 *
 * A stream that ends without a terminal event was cut off, like a chat stream without `[DONE]`:
 * an `UpstreamFailure`, so that audit and the client learn the answer is incomplete.
 */
export function responsesPassThrough(source: AsyncIterable<SseEvent>): PassThrough {
  let usage: TokenUsage | undefined;
  async function* run(): AsyncGenerator<SseOut> {
    let terminated = false;
    for await (const ev of source) {
      if (ev.data === '[DONE]') continue;
      if (!terminated && isTerminalEvent(ev)) terminated = true;
      const parsed = parseIfUsage(ev.data);
      const response = parsed?.['response'];
      const u = response !== null && typeof response === 'object' ? readUsage((response as Record<string, unknown>)['usage']) : undefined;
      if (u === undefined) {
        yield ev;
        continue;
      }
      usage = u;
      const out: SseOut = { data: ev.data, usage: u };
      if (ev.event !== undefined) out.event = ev.event;
      yield out;
    }
    if (!terminated) throw badResponseFailure('the stream ended before response.completed');
  }
  return { events: run(), usage: () => usage };
}

const TERMINAL_TYPES: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);
/** An unescaped quoted terminal type; inside a JSON string the quotes would be escaped. */
const TERMINAL_TYPE_TEXT = /"response\.(?:completed|incomplete|failed)"/;

function isTerminalEvent(ev: SseEvent): boolean {
  // OpenAI names every event after its type; trust the name when it is one of the API's.
  if (ev.event !== undefined && ev.event.startsWith('response.')) return TERMINAL_TYPES.has(ev.event);
  // A compatible server that leaves out `event:` still has the type in the data: parse only then.
  if (!TERMINAL_TYPE_TEXT.test(ev.data)) return false;
  const parsed = parseJson(ev.data);
  return isObject(parsed) && typeof parsed['type'] === 'string' && TERMINAL_TYPES.has(parsed['type']);
}
