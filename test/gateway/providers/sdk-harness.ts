/**
 * The official `openai` client wired straight to a provider target: its `fetch` calls
 * `target.call` and frames the answer as the gateway does (events as SSE, injected usage chunks
 * dropped, `[DONE]` after chat streams; failures as their status and body). This lets tests check
 * a provider's output with the SDK's own parsers and stream helpers, without the gateway.
 */
import OpenAI from 'openai';
import { UpstreamFailure, type Operation, type ProviderTarget } from '../../../src/gateway/providers/provider.ts';
import { serializeSse, SSE_DONE } from '../../../src/gateway/sse.ts';

export function sdkOver(target: ProviderTarget): OpenAI {
  return new OpenAI({
    apiKey: 'client-credential',
    baseURL: 'http://rampart.test/v1',
    maxRetries: 0,
    fetch: async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const path = new URL(String(url)).pathname;
      const op: Operation = path.endsWith('/chat/completions') ? 'chat.completions' : path.endsWith('/embeddings') ? 'embeddings' : 'responses';
      const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
      try {
        const r = await target.call(op, body, { stream: body['stream'] === true, signal: init?.signal ?? new AbortController().signal, requestId: 'req_sdk' });
        if (r.events === undefined) return Response.json(r.json, { status: r.status });
        const events = r.events;
        const enc = new TextEncoder();
        const stream = new ReadableStream<Uint8Array>({
          async start(controller) {
            for await (const ev of events) if (!ev.injected) controller.enqueue(enc.encode(serializeSse(ev)));
            if (op === 'chat.completions') controller.enqueue(enc.encode(SSE_DONE));
            controller.close();
          },
        });
        return new Response(stream, { status: r.status, headers: { 'content-type': 'text/event-stream' } });
      } catch (e) {
        if (e instanceof UpstreamFailure) return Response.json(e.body, { status: e.status });
        throw e;
      }
    },
  });
}
