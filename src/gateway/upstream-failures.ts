/**
 * How an upstream call fails, as `UpstreamFailure`s: which failures the router may retry, what the
 * client sees when one is final, and how upstream error bodies are reduced to OpenAI's
 * `{ error: { message, type, code, param } }` shape.
 *
 * Nothing an upstream says about authentication reaches a client or a log: OpenAI's 401 text
 * quotes the start and end of the key it was sent ("Incorrect API key provided: sk-abc***wxyz").
 * Likewise a 404 is the gateway's misconfiguration (wrong base URL, model or Azure deployment) and
 * its text names configured values, so it becomes a generic 502 too.
 */
import { RampartError, openAiErrorBody, type ErrorCode } from '../core/errors.ts';
import { UpstreamFailure } from './providers/provider.ts';

export type OpenAiErrorBody = NonNullable<UpstreamFailure['body']>;

/** Longest upstream error message passed through; longer ones are cut. */
const MAX_MESSAGE = 4096;

function genericBody(code: ErrorCode, detail?: string): OpenAiErrorBody {
  return openAiErrorBody(new RampartError(code, detail === undefined ? {} : { detail }));
}

export function connectFailure(reason: string, cause?: unknown): UpstreamFailure {
  return new UpstreamFailure({
    kind: 'connect',
    retryable: true,
    status: 502,
    message: `upstream unreachable: ${reason}`,
    body: genericBody('RAMPART_UPSTREAM_UNAVAILABLE'),
    cause,
  });
}

/** No credential for the upstream could be had from the IdP (identity/client-credentials.ts). */
export function credentialFailure(cause: unknown): UpstreamFailure {
  return new UpstreamFailure({
    kind: 'connect',
    retryable: true,
    status: 502,
    message: 'no upstream credential: the identity provider did not issue a token',
    body: genericBody('RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE'),
    cause,
  });
}

export function timeoutFailure(reason: string, cause?: unknown): UpstreamFailure {
  return new UpstreamFailure({
    kind: 'timeout',
    retryable: true,
    status: 504,
    message: `upstream timed out: ${reason}`,
    body: genericBody('RAMPART_UPSTREAM_TIMEOUT'),
    cause,
  });
}

export function abortedFailure(cause?: unknown): UpstreamFailure {
  return new UpstreamFailure({
    kind: 'aborted',
    retryable: false,
    status: 499,
    message: 'the client went away; the upstream request was cancelled',
    body: genericBody('RAMPART_UPSTREAM_UNAVAILABLE'),
    cause,
  });
}

/** The upstream answered, but not with something usable (redirect, not JSON, too large, truncated). */
export function badResponseFailure(reason: string, cause?: unknown): UpstreamFailure {
  return new UpstreamFailure({
    kind: 'bad-response',
    retryable: false,
    status: 502,
    message: `upstream bad response: ${reason}`,
    body: genericBody('RAMPART_UPSTREAM_BAD_RESPONSE'),
    cause,
  });
}

/** Reduces a provider's error body to OpenAI's error shape; undefined when it is not one. */
export type ErrorBodyNormalizer = (parsed: unknown) => OpenAiErrorBody | undefined;

/**
 * Accepts the error shapes of OpenAI and Azure (`{error:{message,type,code,param}}`), Anthropic
 * (`{type:"error",error:{type,message}}`), vLLM (`{object:"error",message,type,code}`) and Ollama's
 * native `{error:"text"}`. Only these four fields are copied: never the upstream's other keys.
 */
export function toOpenAiErrorBody(parsed: unknown): OpenAiErrorBody | undefined {
  if (!isObject(parsed)) return undefined;
  const e = parsed['error'];
  if (isObject(e) && typeof e['message'] === 'string') return shape(e['message'], e['type'], e['code'], e['param']);
  if (typeof e === 'string') return shape(e, undefined, undefined, undefined);
  if (parsed['object'] === 'error' && typeof parsed['message'] === 'string') {
    return shape(parsed['message'], parsed['type'], parsed['code'], parsed['param']);
  }
  return undefined;
}

function shape(message: string, type: unknown, code: unknown, param: unknown): OpenAiErrorBody {
  return {
    error: {
      message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message,
      type: typeof type === 'string' && type !== '' ? type : 'invalid_request_error',
      code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : null,
      param: typeof param === 'string' ? param : null,
    },
  };
}

/**
 * The failure for a non-2xx, non-3xx answer. `parsed` is the upstream body when it was JSON.
 * - 408, 429, 5xx: retryable; the final body is generic (429 keeps its status and Retry-After so
 *   that clients back off; 5xx become 502).
 * - 401, 403, 404: final, 502, generic (see the file comment).
 * - other 4xx: final, the upstream status and its error passed through when it has OpenAI's shape.
 */
export function httpFailure(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  parsed: unknown,
  normalize: ErrorBodyNormalizer = toOpenAiErrorBody,
): UpstreamFailure {
  const message = `upstream answered HTTP ${status}`;
  if (status === 429 || status === 408 || status >= 500) {
    const body = genericBody('RAMPART_UPSTREAM_ERROR', `(HTTP ${status})`);
    if (status === 429) body.error.type = 'rate_limit_error';
    const init: ConstructorParameters<typeof UpstreamFailure>[0] = { kind: 'http', retryable: true, status: status === 429 ? 429 : 502, message, body };
    const retryAfterMs = parseRetryAfter(headers);
    if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
    return new UpstreamFailure(init);
  }
  if (status === 401 || status === 403 || status === 404) {
    return new UpstreamFailure({
      kind: 'http',
      retryable: false,
      status: 502,
      upstreamStatus: status,
      message,
      body: genericBody('RAMPART_UPSTREAM_ERROR', `(HTTP ${status}: check the target's credentials and settings)`),
    });
  }
  const body = normalize(parsed) ?? genericBody('RAMPART_UPSTREAM_ERROR', `(HTTP ${status})`);
  return new UpstreamFailure({ kind: 'http', retryable: false, status, message, body });
}

/**
 * Retry-After in ms: `retry-after-ms` (OpenAI, Azure) first, then `retry-after` as seconds or an
 * HTTP date (RFC 9110 §10.2.3). Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  }
  const ra = first(headers['retry-after']);
  if (ra === undefined) return undefined;
  const trimmed = ra.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  // An HTTP date has a day or month name; without this, Date.parse reads "-5" as the year -5.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A request this provider cannot express upstream (say, audio parts for Anthropic). Nothing was
 * sent; it is final and the client gets a 400 naming the offending parameter.
 */
export function invalidRequestFailure(detail: string, param?: string): UpstreamFailure {
  const body = openAiErrorBody(new RampartError('RAMPART_INVALID_REQUEST', param === undefined ? { detail } : { detail, param }));
  return new UpstreamFailure({ kind: 'http', retryable: false, status: 400, message: `request not translatable: ${detail}`, body });
}
