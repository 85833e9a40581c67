/**
 * The provider seam. A provider is one folder under providers/ exporting one `ProviderDescriptor`:
 * its id, its options schema (validated when the config loads) and a factory that turns one
 * configured target into a `ProviderTarget`. The gateway speaks OpenAI's wire format to clients;
 * a provider translates to and from its upstream and never sees the client's credential.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';

export type Operation = 'chat.completions' | 'embeddings' | 'responses';

/** Fields every target has, whatever its provider (added by the config schema). */
export interface CommonTargetOptions {
  provider: string;
  /** Lower runs first; equal priorities share traffic by weight. */
  priority: number;
  weight: number;
  /** Time allowed for the upstream's response headers (and, when not streamed, its body). */
  timeoutMs: number;
  /** Streams: longest silence allowed between two chunks (default 120 s; reasoning models pause). */
  streamIdleTimeoutMs?: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface UpstreamCallOptions {
  stream: boolean;
  signal: AbortSignal;
  requestId: string;
}

/**
 * What a provider's call returns when the upstream accepted the request (2xx).
 * - non-streamed: `json` is the answer in OpenAI's shape for the operation;
 * - streamed: `events` yields OpenAI-shaped SSE `data:` payloads (the JSON text of each
 *   `chat.completion.chunk` / responses event), without the final `[DONE]`, which the gateway adds.
 *   For responses streams each item carries its SSE `event:` name.
 *
 * Stream usage: the provider finds it without parsing every chunk (it parses only the chunk that
 * carries a `"usage": {` object) and exposes it twice: on that `SseOut` (`usage`) and through
 * `streamUsage()`, complete once `events` is exhausted. Chat streams always ask the upstream for
 * usage (`stream_options.include_usage`); when the client did not ask, `injectedUsage` is true
 * and the usage-only chunk is marked `injected: true`: the gateway must not forward that chunk.
 */
export interface UpstreamSuccess {
  status: number;
  json?: unknown;
  events?: AsyncIterable<SseOut>;
  /** Non-streamed: usage read from the answer. */
  usage?: TokenUsage | undefined;
  /** Streamed: the usage seen so far; final once `events` has been iterated to its end. */
  streamUsage?: () => TokenUsage | undefined;
  /** Streamed: the provider asked the upstream for a usage chunk the client did not ask for. */
  injectedUsage?: boolean;
}

export interface SseOut {
  event?: string;
  data: string;
  /** Set on the event that carried token usage. */
  usage?: TokenUsage;
  /** The event exists only because the provider asked for usage: do not send it to the client. */
  injected?: true;
}

/**
 * A failed upstream call. `retryable` failures (connect errors, timeouts, 429, 5xx) let the router
 * try again or fail over; the others are final. `status`/`body` describe what the client gets when
 * the failure is final: an OpenAI-style error body, already stripped of anything secret (upstream
 * 401/403 texts can quote a partial provider key, so those are replaced by a generic message).
 * Kind `aborted` means the client's signal fired (it went away): never retry it; status 499 is
 * the nginx convention for "client closed request" and only ever reaches logs and audit.
 * Thrown from `events` too, when a stream breaks after it started.
 */
export class UpstreamFailure extends Error {
  readonly retryable: boolean;
  readonly status: number;
  readonly kind: 'connect' | 'timeout' | 'http' | 'bad-response' | 'aborted';
  readonly body: { error: { message: string; type: string; code: string | null; param?: string | null } } | undefined;
  /** Retry-After of a 429, in ms, when the upstream gave one. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status the upstream answered with (kind http), which `status` may map to another. */
  readonly upstreamStatus: number | undefined;

  constructor(init: {
    kind: UpstreamFailure['kind'];
    retryable: boolean;
    status: number;
    message: string;
    body?: UpstreamFailure['body'];
    retryAfterMs?: number;
    upstreamStatus?: number;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = 'UpstreamFailure';
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.body = init.body;
    this.retryAfterMs = init.retryAfterMs;
    this.upstreamStatus = init.upstreamStatus;
  }
}

export interface ProviderTarget {
  /** `<provider>:<deployment>#<index>`, used in logs, metrics and audit; never contains secrets. */
  readonly label: string;
  readonly provider: string;
  readonly options: CommonTargetOptions;
  supports(op: Operation): boolean;
  /**
   * Sends one request upstream. `body` is the client's OpenAI-format request with `model` already
   * replaced by the target's model where the provider needs it. Resolves on 2xx, throws
   * `UpstreamFailure` otherwise.
   */
  call(op: Operation, body: Record<string, unknown>, opts: UpstreamCallOptions): Promise<UpstreamSuccess>;
  close(): Promise<void>;
}

export interface ProviderContext {
  logger: Logger;
  /** Deployment name, for the label. */
  deployment: string;
  index: number;
}

export interface ProviderDescriptor<O extends CommonTargetOptions = CommonTargetOptions> {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly operations: readonly Operation[];
  /**
   * Options schema: a z.object with `provider: z.literal(id)` and the provider's own fields
   * (baseUrl, apiKey, model, ...). The config schema adds the common fields.
   */
  readonly optionsSchema: z.ZodObject;
  create(options: O, ctx: ProviderContext): ProviderTarget;
}
