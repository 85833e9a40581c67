/**
 * Writes an upstream SSE stream to the client chunk by chunk, as it arrives: no buffering of the
 * answer, backpressure honoured (a slow client slows the upstream read instead of growing memory).
 * Usage comes from the event that carries it; a usage-only chunk the provider asked for on the
 * client's behalf (`injected`) is dropped. A failure after the first byte ends the stream with a well-formed error event, then
 * `[DONE]`, so clients surface an error instead of hanging.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { UpstreamFailure, type SseOut } from './providers/provider.ts';
import type { Usage } from './usage.ts';
import { RampartError, openAiErrorBody, toRampartError } from '../core/errors.ts';

export interface RelayOptions {
  headers: Record<string, string>;
  onFirstByte(): void;
  /** Milliseconds spent waiting for the upstream's next event. */
  onUpstreamWait(ms: number): void;
  capture: ((text: string) => void) | undefined;
  /** Told the usage as soon as an event carries it (the only way usage leaves the relay), so a stream that ends badly still has it. */
  onUsage: (usage: Usage) => void;
  /** Called for each event written to the client (about one output token each, for charging cut streams). */
  onForward?: () => void;
  /** The request's cancellation: when it fired with a RampartError (deadline), the stream ends with that error. */
  signal?: AbortSignal;
  logger: Logger;
  requestId: string;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // No `connection` header: Node keeps HTTP/1.1 connections alive by itself, and one set here would
  // override the `connection: close` of a draining server or of a thread letting a connection go.
  'x-accel-buffering': 'no', // nginx in front must not buffer the stream either
};

function write(res: ServerResponse, text: string): Promise<void> | undefined {
  if (res.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function frame(ev: SseOut): string {
  return ev.event ? `event: ${ev.event}\ndata: ${ev.data}\n\n` : `data: ${ev.data}\n\n`;
}

export async function relayStream(res: ServerResponse, events: AsyncIterable<SseOut>, opts: RelayOptions): Promise<void> {
  res.writeHead(200, { ...opts.headers, ...SSE_HEADERS });
  res.flushHeaders();
  let first = true;
  let captured = opts.capture ? '' : undefined;
  const iterator = events[Symbol.asyncIterator]();
  try {
    for (;;) {
      const t0 = performance.now();
      const next = await iterator.next();
      opts.onUpstreamWait(performance.now() - t0);
      if (next.done) break;
      const ev = next.value;
      if (res.destroyed) break;
      // Providers parse only the chunk that carries usage and hand it over on the event.
      if (ev.usage) opts.onUsage({ prompt: ev.usage.promptTokens, completion: ev.usage.completionTokens });
      if (ev.injected) continue; // asked for by the provider, not by the client
      if (first) {
        first = false;
        opts.onFirstByte();
      }
      opts.onForward?.();
      if (captured !== undefined && captured.length < 1_000_000) captured += ev.data + '\n';
      const pending = write(res, frame(ev));
      if (pending) await pending;
    }
    if (!res.destroyed) res.end('data: [DONE]\n\n');
  } catch (e) {
    const reason: unknown = opts.signal?.aborted ? opts.signal.reason : undefined;
    const err =
      reason instanceof RampartError ? reason
      : e instanceof UpstreamFailure ? new RampartError('RAMPART_UPSTREAM_ERROR', { detail: 'The upstream stream failed.', cause: e })
      : toRampartError(e);
    // A client that went away is ordinary; anything else is worth a warning.
    const level = err.code === 'RAMPART_CLIENT_CLOSED' ? 'debug' : 'warn';
    opts.logger[level]({ requestId: opts.requestId, code: err.code, err: err.cause ?? e }, 'stream ended with an error');
    if (!res.destroyed) res.end(`data: ${JSON.stringify(openAiErrorBody(err))}\n\ndata: [DONE]\n\n`);
    await iterator.return?.();
    throw Object.assign(err, { streamed: true });
  } finally {
    if (captured !== undefined) opts.capture?.(captured);
  }
  if (res.destroyed && !res.writableFinished) await iterator.return?.();
}
