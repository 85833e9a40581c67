/**
 * A scriptable mock LLM upstream on an ephemeral 127.0.0.1 port, for provider tests, the
 * gateway's integration tests and the benchmark.
 *
 * Unscripted, it answers like the real APIs (see mock-upstream-answers.ts):
 *   POST .../chat/completions        OpenAI and Azure (/openai/deployments/{d}/chat/completions)
 *   POST .../embeddings              OpenAI and Azure; float or base64 vectors, 8 dimensions
 *   POST .../responses               OpenAI and Azure v1 (/openai/v1/responses)
 *   POST /v1/messages                Anthropic
 * with the text "Hello from the mock upstream." and usage prompt 10 / completion 5, streamed word by
 * word when the body says `stream: true` (chat streams end with a usage chunk when
 * `stream_options.include_usage` is true, then `[DONE]`).
 *
 * Scripts change that, per path and for a number of requests (rules are tried in the order they
 * were added; a rule with `times` is used that often, then skipped):
 *
 * @example
 *   const up = await startMockUpstream();
 *   up.script({ path: '/v1/chat/completions', times: 1, reply: { status: 503, retryAfter: 1 } }); // first call fails
 *   up.script({ reply: { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } });
 *   up.script({ reply: { chunks: 20, chunkDelayMs: 5, failAfterChunks: 3 } }); // cut a stream
 *   up.script({ reply: { endAfterChunks: 3 } });                                 // end it early, cleanly
 *   up.script({ reply: { hang: true } });                                        // never answer
 *   up.script({ reply: { bodyDelayMs: 500 } });                                  // headers now, body later
 *   up.script({ reply: { destroy: true } });                                     // reset the connection
 *   up.script({ reply: { status: 302, headers: { location: 'https://elsewhere.example/' } } });
 *   ... point a client at up.url ...
 *   assert.equal(up.requests[0].body.model, 'gpt-4o-mini');
 *   await up.requests[0].done; // 'finished' or 'aborted' (the client hung up before the end)
 *   up.reset(); await up.close();
 *
 * With `apiKey` set, a request without that key (Bearer, api-key or x-api-key) gets a 401 whose
 * message quotes part of the key it was sent, as OpenAI's does: what a gateway must not leak.
 * `record: false` keeps memory flat in long benchmark runs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicAnswer, chatAnswer, embeddingsAnswer, responsesAnswer, type Answer, type AnswerSpec } from './mock-upstream-answers.ts';

export interface MockReply {
  /** Wait before sending the response headers. */
  delayMs?: number;
  /** Non-streamed answers: send the headers, then wait this long before the body. */
  bodyDelayMs?: number;
  /** Never answer; the socket stays open until the client gives up or `close()`. */
  hang?: boolean;
  /** Destroy the socket without answering. */
  destroy?: boolean;
  /** A fixed answer instead of the protocol one: status, body (objects are sent as JSON), headers. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sets the Retry-After header (seconds or an HTTP date). */
  retryAfter?: number | string;
  /** Protocol answers: the text, tool calls and usage to answer with. */
  text?: string;
  toolCalls?: { name: string; arguments: string; id?: string; pieces?: string[] }[];
  usage?: { prompt: number; completion: number };
  /**
   * Streams: content chunks (default one per word), pause between frames, cut the socket after K
   * frames. A chunk has at least one character: without a `text` of its own, a reply that asks for
   * more chunks than the default text has characters gets that text repeated, so that it really
   * streams `chunks` frames. A given `text` is never changed.
   */
  chunks?: number;
  /** Streams: exactly these content pieces, in order (their concatenation should be `text`). */
  pieces?: string[];
  chunkDelayMs?: number;
  failAfterChunks?: number;
  /** Streams: after K frames send the protocol's error event and end the stream. */
  errorAfterChunks?: number;
  /** Streams: after K frames end the body cleanly, without the protocol's closing event. */
  endAfterChunks?: number;
}

export interface MockRule {
  method?: string;
  /** Exact path (query ignored) or a RegExp tested against path and query. */
  path?: string | RegExp;
  /** Use this rule for so many matching requests, then skip it. Default: always. */
  times?: number;
  reply: MockReply | ((req: RecordedRequest) => MockReply);
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/openai/deployments/gpt/chat/completions?api-version=2024-10-21`. */
  url: string;
  /** Path without the query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: Record<string, unknown> | undefined;
  rawBody: string;
  /** The client's source port: equal ports on two requests mean a reused keep-alive connection. */
  remotePort: number | undefined;
  /** Resolves when the exchange ends: 'aborted' when the client closed before the response ended. */
  done: Promise<'finished' | 'aborted'>;
}

export interface MockUpstreamOptions {
  /** Keep `requests` (default true). */
  record?: boolean;
  /** Require this credential; see the file comment. */
  apiKey?: string;
  /** Default answer text. */
  text?: string;
}

export interface MockUpstream {
  /** `http://127.0.0.1:{port}` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  script(rule: MockRule): void;
  /** Forgets rules and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export const MOCK_TEXT = 'Hello from the mock upstream.';
export const MOCK_USAGE = { prompt: 10, completion: 5 };

export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const record = options.record ?? true;
  const rules: { rule: MockRule; left: number }[] = [];
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = rawBody === '' ? undefined : JSON.parse(rawBody);
        body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const done = new Promise<'finished' | 'aborted'>((resolve) => res.on('close', () => resolve(res.writableFinished ? 'finished' : 'aborted')));
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url, path: q === -1 ? url : url.slice(0, q), headers: req.headers, body, rawBody, remotePort: req.socket.remotePort, done };
      if (record) requests.push(recorded);
      void respond(recorded, res);
    });
  });

  function pick(req: RecordedRequest): MockReply {
    for (const r of rules) {
      const { method, path } = r.rule;
      if (r.left <= 0 || (method !== undefined && method !== req.method)) continue;
      if (typeof path === 'string' ? path !== req.path : path !== undefined && !path.test(req.url)) continue;
      r.left--;
      return typeof r.rule.reply === 'function' ? r.rule.reply(req) : r.rule.reply;
    }
    return {};
  }

  async function respond(req: RecordedRequest, res: http.ServerResponse): Promise<void> {
    const reply = pick(req);
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.hang) return;
    if (reply.destroy) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
    if (reply.status !== undefined) {
      const isText = typeof reply.body === 'string';
      const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...headers });
      res.end(payload);
      return;
    }
    if (options.apiKey !== undefined && !hasKey(req, options.apiKey)) {
      res.writeHead(401, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(authError(req)));
      return;
    }
    const answer = protocolAnswer(req, reply);
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Unknown path ${req.path}`, type: 'invalid_request_error', code: 'unknown_url', param: null } }));
      return;
    }
    if (answer.frames === undefined) {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      if (reply.bodyDelayMs) {
        res.flushHeaders();
        await sleep(reply.bodyDelayMs);
        if (res.destroyed) return;
      }
      res.end(JSON.stringify(answer.json));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    for (let i = 0; i < answer.frames.length; i++) {
      if (res.destroyed) return;
      if (reply.failAfterChunks !== undefined && i >= reply.failAfterChunks) {
        // Let the frames already written reach the client, then cut the connection mid-body.
        await new Promise<void>((resolve) => res.write('', () => resolve()));
        res.socket?.destroy();
        return;
      }
      if (reply.errorAfterChunks !== undefined && i >= reply.errorAfterChunks) {
        res.end(answer.errorFrame);
        return;
      }
      if (reply.endAfterChunks !== undefined && i >= reply.endAfterChunks) break;
      if (i > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
      res.write(answer.frames[i]);
    }
    res.end();
  }

  /** The default text, repeated until it has at least `chunks` characters (see MockReply.chunks). */
  function longEnough(text: string, chunks: number | undefined): string {
    return chunks === undefined || text.length >= chunks ? text : `${text} `.repeat(Math.ceil(chunks / (text.length + 1)));
  }

  function protocolAnswer(req: RecordedRequest, reply: MockReply): Answer | undefined {
    const body = req.body ?? {};
    const stream = body['stream'] === true;
    const spec: AnswerSpec = {
      text: reply.text ?? longEnough(options.text ?? MOCK_TEXT, reply.chunks),
      toolCalls: (reply.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_mock_${i}`, name: c.name, arguments: c.arguments, pieces: c.pieces })),
      usage: reply.usage ?? MOCK_USAGE,
      chunks: reply.chunks,
      pieces: reply.pieces,
    };
    const p = req.path;
    if (p.endsWith('/chat/completions')) return chatAnswer(body, spec, stream);
    if (p.endsWith('/embeddings')) return embeddingsAnswer(body, spec);
    if (p.endsWith('/responses')) return responsesAnswer(body, spec, stream);
    if (p.endsWith('/v1/messages')) return anthropicAnswer(body, spec, stream);
    return undefined;
  }

  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(rule) {
      rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    reset() {
      rules.length = 0;
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function hasKey(req: RecordedRequest, key: string): boolean {
  const h = req.headers;
  return h['authorization'] === `Bearer ${key}` || h['api-key'] === key || h['x-api-key'] === key;
}

/** OpenAI's and Anthropic's 401 bodies; OpenAI's quotes the start and end of the key it got. */
function authError(req: RecordedRequest): unknown {
  const h = req.headers;
  const sent = String(h['x-api-key'] ?? h['api-key'] ?? h['authorization'] ?? '').replace(/^Bearer /, '');
  if (req.path.endsWith('/v1/messages')) return { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${sent}` } };
  const quoted = sent.length > 8 ? `${sent.slice(0, 6)}***${sent.slice(-4)}` : sent;
  return { error: { message: `Incorrect API key provided: ${quoted}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
