/**
 * One call in OpenAI's own wire format, shared by the `openai` and `azure-openai` providers: they
 * differ only in URL and credential headers. The client's body is passed through (tools, content
 * parts, response formats untouched); only `model`, `stream` and, for chat streams,
 * `stream_options.include_usage` are set.
 */
import { UpstreamFailure, type Operation, type UpstreamCallOptions, type UpstreamSuccess } from './provider.ts';
import type { UpstreamHttp } from '../upstream-http.ts';
import { badResponseFailure, isObject } from '../upstream-failures.ts';
import { chatPassThrough, responsesPassThrough } from './openai-stream.ts';
import { readUsage } from './usage.ts';

export interface OpenAiWire {
  http: UpstreamHttp;
  /** Path below the base URL for the operation. */
  path(op: Operation): string;
  /** Credential headers; built per call so no plain key sits in a long-lived object. */
  headers(requestId: string): Record<string, string> | Promise<Record<string, string>>;
  /** Called when the upstream answers 401 (a fetched token is dropped). */
  onUnauthorized?(): void;
  /** Upstream model name that replaces the client's (the deployment name); undefined keeps it. */
  model: string | undefined;
  /** Ask chat streams for a final usage chunk (some old compatible servers reject stream_options). */
  streamUsage: boolean;
}

export async function callOpenAiWire(
  wire: OpenAiWire,
  op: Operation,
  body: Record<string, unknown>,
  opts: UpstreamCallOptions,
): Promise<UpstreamSuccess> {
  // A shallow copy: the caller's body is never mutated (it is audited and may be retried).
  const payload: Record<string, unknown> = { ...body };
  if (wire.model !== undefined) payload['model'] = wire.model;
  if (op === 'embeddings') delete payload['stream'];
  else payload['stream'] = opts.stream;

  let injected = false;
  if (opts.stream && op === 'chat.completions' && wire.streamUsage) {
    const so = body['stream_options'];
    if (!(isObject(so) && so['include_usage'] === true)) {
      payload['stream_options'] = { ...(isObject(so) ? so : {}), include_usage: true };
      injected = true;
    }
  }

  const req = { path: wire.path(op), headers: await wire.headers(opts.requestId), body: JSON.stringify(payload), signal: opts.signal };
  try {
    if (!opts.stream) {
      const { status, json } = await wire.http.json(req);
      if (!isObject(json)) throw badResponseFailure('the answer is not a JSON object');
      return { status, json, usage: readUsage(json['usage']) };
    }
    const { status, events } = await wire.http.sse(req);
    const pass = op === 'responses' ? responsesPassThrough(events) : chatPassThrough(events, injected);
    return { status, events: pass.events, streamUsage: pass.usage, injectedUsage: injected };
  } catch (e) {
    if (e instanceof UpstreamFailure && e.upstreamStatus === 401) wire.onUnauthorized?.();
    throw e;
  }
}
