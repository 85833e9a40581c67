/**
 * The one way out to an upstream. One keep-alive undici `Pool` per target, bound to the origin of
 * the configured base URL: a request can only ever reach that origin, paths come from the provider
 * (built from config), redirects are never followed (a 3xx is a bad response), every call has a
 * connect, headers and body timeout, the client's AbortSignal cancels the upstream request, and a
 * non-streamed body larger than `maxBodyBytes` is refused. Every failure is an `UpstreamFailure`.
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import sjson from 'secure-json-parse';
import { UpstreamFailure } from './providers/provider.ts';
import { parseSse, type SseEvent } from './sse.ts';
import {
  abortedFailure,
  badResponseFailure,
  connectFailure,
  httpFailure,
  timeoutFailure,
  toOpenAiErrorBody,
  type ErrorBodyNormalizer,
} from './upstream-failures.ts';

export interface UpstreamHttpOptions {
  /** Validated by the provider's options schema (https, or http on loopback). */
  baseUrl: string;
  /** Connect and response-headers timeout; for non-streamed calls also the whole body's deadline. */
  timeoutMs: number;
  /** Streams: longest silence between two chunks. Default 120 s. */
  streamIdleTimeoutMs?: number;
  /** Largest non-streamed body accepted. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Most sockets to the origin; default unlimited (the gateway's limits bound concurrency). */
  connections?: number;
  /** Provider-specific error body shapes; default accepts OpenAI, Anthropic, vLLM, Ollama. */
  normalizeError?: ErrorBodyNormalizer;
}

export interface UpstreamRequest {
  /** Path below the base URL's path, e.g. `/chat/completions?api-version=...`. From config only. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The client's signal: when it aborts, the upstream request is cancelled. */
  signal: AbortSignal;
}

export interface JsonResponse {
  status: number;
  json: unknown;
}

export interface SseResponse {
  status: number;
  /** Parsed events; iterating them may throw `UpstreamFailure` (connection lost, idle timeout). */
  events: AsyncGenerator<SseEvent>;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
const DEFAULT_STREAM_IDLE = 120_000;
/** Error bodies are read only this far: enough for any error JSON. */
const MAX_ERROR_BODY = 64 * 1024;

/** Syscall and TLS error codes that mean "could not talk to the upstream": worth another try. */
const CONNECT_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * @example
 *   const http = new UpstreamHttp({ baseUrl: 'https://api.openai.com/v1', timeoutMs: 30_000 });
 *   const { json } = await http.json({ path: '/embeddings', headers, body, signal });
 *   const { events } = await http.sse({ path: '/chat/completions', headers, body, signal });
 *   for await (const ev of events) ...;
 *   await http.close();
 */
export class UpstreamHttp {
  readonly origin: string;
  /** The base URL's path without its trailing slash ('' for an origin-only base URL). */
  readonly basePath: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;
  readonly #idleMs: number;
  readonly #maxBody: number;
  readonly #normalize: ErrorBodyNormalizer;

  constructor(options: UpstreamHttpOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#idleMs = options.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.#normalize = options.normalizeError ?? toOpenAiErrorBody;
    this.#pool = new Pool(this.origin, {
      connect: { timeout: options.timeoutMs },
      connections: options.connections ?? null,
      headersTimeout: options.timeoutMs,
      bodyTimeout: this.#idleMs,
    });
  }

  /** POSTs JSON and reads a JSON answer, under one deadline of `timeoutMs` for headers and body. */
  async json(req: UpstreamRequest): Promise<JsonResponse> {
    if (req.signal.aborted) throw abortedFailure(req.signal.reason);
    const exchange = new BufferedExchange(this.#maxBody, req.signal);
    const timer = setTimeout(() => exchange.expire(), this.#timeoutMs);
    const onAbort = (): void => exchange.cancel(req.signal.reason);
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.#pool.dispatch(this.#options(req, 'application/json', this.#timeoutMs), exchange);
      const { status, headers, text } = await exchange.done;
      if (status >= 200 && status < 300) {
        if (!isJson(headers['content-type'])) throw badResponseFailure(`HTTP ${status} answer is not JSON`);
        if (text === undefined) throw badResponseFailure(`answer larger than ${this.#maxBody} bytes`);
        const json = parseJson(text);
        if (json === undefined) throw badResponseFailure('answer is not valid JSON');
        return { status, json };
      }
      throw this.#answerFailure(status, headers, text);
    } catch (e) {
      throw classify(e, req.signal, exchange.expired);
    } finally {
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * POSTs JSON and returns the event stream once its headers arrived (within `timeoutMs`); the
   * body then has `streamIdleTimeoutMs` between chunks.
   */
  async sse(req: UpstreamRequest): Promise<SseResponse> {
    if (req.signal.aborted) throw abortedFailure(req.signal.reason);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#send(req, 'text/event-stream', req.signal, this.#idleMs);
      const status = res.statusCode;
      if (status < 200 || status >= 300) throw await this.#failure(res);
      if (!String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
        await discard(res.body);
        throw badResponseFailure(`HTTP ${status} answer to a stream request is not an event stream`);
      }
    } catch (e) {
      throw classify(e, req.signal, false);
    }
    return { status: res.statusCode, events: guardEvents(parseSse(res.body), req.signal) };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #send(req: UpstreamRequest, accept: string, signal: AbortSignal, bodyTimeout: number): Promise<Dispatcher.ResponseData> {
    return this.#pool.request({ ...this.#options(req, accept, bodyTimeout), signal });
  }

  #options(req: UpstreamRequest, accept: string, bodyTimeout: number): Dispatcher.DispatchOptions {
    const p = req.path;
    // Paths are built by providers from config; this keeps a slip from ever producing an
    // absolute-form or protocol-relative target.
    if (p.charCodeAt(0) !== 47 /* / */ || p.charCodeAt(1) === 47) {
      throw badResponseFailure('refused a request path that is not origin-relative');
    }
    return {
      method: 'POST',
      path: this.basePath + p,
      headers: { accept, 'content-type': 'application/json', ...req.headers },
      body: req.body,
      headersTimeout: this.#timeoutMs,
      bodyTimeout,
    };
  }

  /** The failure for a non-2xx streamed answer; its body is read (bounded) to pass an error through. */
  async #failure(res: Dispatcher.ResponseData): Promise<UpstreamFailure> {
    const status = res.statusCode;
    if (status >= 300 && status < 400) {
      await discard(res.body);
      return this.#answerFailure(status, res.headers, undefined);
    }
    return this.#answerFailure(status, res.headers, await readCapped(res.body, MAX_ERROR_BODY, res.headers['content-length']));
  }

  /** The failure for a non-2xx answer and its body (undefined when over the cap): a redirect is refused, an error passed through. */
  #answerFailure(status: number, headers: Record<string, string | string[] | undefined>, text: string | undefined): UpstreamFailure {
    if (status >= 300 && status < 400) return badResponseFailure(`redirect refused (HTTP ${status})`);
    const parsed = text !== undefined && isJson(headers['content-type']) ? parseJson(text) : undefined;
    return httpFailure(status, headers, parsed, this.#normalize);
  }
}

interface BufferedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body; undefined when it was larger than its cap (and was not read to its end). */
  text: string | undefined;
}

/**
 * One non-streamed exchange through undici's dispatch API, the answer collected in memory. It
 * replaces `request()` + reading its body stream, which builds a stream, an async iterator and an
 * abort listener per call: measured at about 9 µs of CPU less per call (30–57 → 22–30 µs in four
 * rounds on a local upstream, 32 calls in flight; docs/benchmarks.md, session 9). A 2xx body may be `maxBody` bytes, any other `MAX_ERROR_BODY`;
 * past its cap the answer settles without a body and the connection is dropped (like
 * `body.destroy()`), never buffered further.
 */
class BufferedExchange implements Dispatcher.DispatchHandler {
  readonly done: Promise<BufferedAnswer>;
  /** Set when `expire` (the deadline) cancelled the exchange. */
  expired = false;
  readonly #maxBody: number;
  readonly #signal: AbortSignal;
  #controller: Dispatcher.DispatchController | null = null;
  #resolve!: (a: BufferedAnswer) => void;
  #reject!: (e: unknown) => void;
  #settled = false;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #cap = 0;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(maxBody: number, signal: AbortSignal) {
    this.#maxBody = maxBody;
    this.#signal = signal;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** The deadline passed: cancel, and remember why (a timeout, not the client's abort). */
  expire(): void {
    this.expired = true;
    this.cancel(new Error('upstream deadline'));
  }

  cancel(reason: unknown): void {
    const err = reason instanceof Error ? reason : new Error('aborted');
    // Not started yet (waiting for a pool connection): onRequestStart aborts it.
    this.#controller?.abort(err);
    this.#fail(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#settled) controller.abort(new Error('aborted'));
    else if (this.#signal.aborted) this.cancel(this.#signal.reason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    this.#status = status;
    this.#headers = headers;
    this.#cap = status >= 200 && status < 300 ? this.#maxBody : MAX_ERROR_BODY;
    const length = headers['content-length'];
    if (Number(Array.isArray(length) ? length[0] : length) > this.#cap) this.#overflow(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.#cap) this.#overflow(controller);
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    const c = this.#chunks;
    const text = c.length === 1 ? c[0]!.toString('utf8') : Buffer.concat(c, this.#size).toString('utf8');
    this.#chunks = [];
    this.#resolve({ status: this.#status, headers: this.#headers, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #overflow(controller: Dispatcher.DispatchController): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.#resolve({ status: this.#status, headers: this.#headers, text: undefined });
    controller.abort(new Error('answer over its size cap'));
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.#reject(error);
  }
}

async function* guardEvents(events: AsyncGenerator<SseEvent>, signal: AbortSignal): AsyncGenerator<SseEvent> {
  try {
    yield* events;
  } catch (e) {
    throw classify(e, signal, false);
  }
}

/** Maps anything thrown while talking to the upstream to an `UpstreamFailure`. */
function classify(e: unknown, signal: AbortSignal, deadline: boolean): UpstreamFailure {
  if (e instanceof UpstreamFailure) return e;
  if (signal.aborted) return abortedFailure(e);
  if (deadline) return timeoutFailure('no complete answer within the timeout', e);
  const code = errorCode(e);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return timeoutFailure('no response headers within the timeout', e);
  if (code === 'UND_ERR_BODY_TIMEOUT') return timeoutFailure('the body stalled', e);
  if (code === 'RAMPART_UPSTREAM_BAD_RESPONSE') return badResponseFailure('event-stream line too long', e);
  if (code !== undefined && (CONNECT_CODES.has(code) || /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code))) {
    return connectFailure(code, e);
  }
  return badResponseFailure(code ?? 'unexpected error', e);
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isJson(contentType: string | string[] | undefined): boolean {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  return ct !== undefined && ct.includes('json');
}

/**
 * JSON.parse that drops `__proto__` and `constructor` keys, so that an upstream answer can never
 * poison a prototype if some code later merges it. Undefined when the text is not JSON.
 */
export function parseJson(text: string): unknown {
  try {
    return sjson.parse(text, null, { protoAction: 'remove', constructorAction: 'remove' }) as unknown;
  } catch {
    return undefined;
  }
}

/** The body as text, or undefined (and the body destroyed) when it is larger than `max` bytes. */
async function readCapped(body: Dispatcher.ResponseData['body'], max: number, contentLength: string | string[] | undefined): Promise<string | undefined> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (declared > max) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}

/** Reads a small body to its end so the socket goes back to the pool; destroys a large one. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  await body.dump({ limit: MAX_ERROR_BODY }).catch(() => undefined);
}
