/**
 * The one way identity code talks to an IdP: GET a JSON document from an https (or loopback http)
 * URL, with a timeout that covers the body, a size cap, and no redirects. Every failure becomes
 * RAMPART_AUTH_IDP_UNAVAILABLE; the URL goes into the internal cause only (it is config).
 */
import { RampartError } from '../core/errors.ts';
import { idpUrlProblem } from '../config/idp-url.ts';

export interface IdpFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Aborts the request early (jose passes its own timeout signal). */
  signal?: AbortSignal;
}

/** Fetch signature, injectable for tests; defaults to the global (undici) fetch. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

function unavailable(reason: string, url: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_AUTH_IDP_UNAVAILABLE', { cause: new Error(`${reason} (${url})`, { cause }) });
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw unavailable(`response larger than ${maxBytes} bytes`, url);
  if (res.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await res.body.cancel().catch(() => {});
      throw unavailable(`response larger than ${maxBytes} bytes`, url);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** GETs `url` and parses its JSON body; throws RAMPART_AUTH_IDP_UNAVAILABLE on any failure. */
export async function fetchIdpJson(url: string, opts: IdpFetchOptions, fetchImpl: FetchLike = fetch): Promise<unknown> {
  return (await requestIdpJson(url, { method: 'GET', headers: { accept: 'application/json, application/jwk-set+json' } }, opts, fetchImpl, [200])).json;
}

/**
 * POSTs a form (an OAuth token request, RFC 6749 §4.4) and parses the JSON answer. 200 and 400
 * (the token endpoint's error answer, §5.2) are returned with their status; anything else throws
 * RAMPART_AUTH_IDP_UNAVAILABLE.
 */
export async function postIdpForm(url: string, form: URLSearchParams, opts: IdpFetchOptions, fetchImpl: FetchLike = fetch): Promise<{ status: number; json: unknown }> {
  const init = { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
  return requestIdpJson(url, init, opts, fetchImpl, [200, 400, 401]);
}

async function requestIdpJson(url: string, init: RequestInit, opts: IdpFetchOptions, fetchImpl: FetchLike, statuses: readonly number[]): Promise<{ status: number; json: unknown }> {
  const problem = idpUrlProblem(url);
  if (problem !== null) throw unavailable(`refused URL: ${problem}`, url);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let body: Uint8Array;
  let status: number;
  try {
    // Redirects are not followed: metadata, keys and tokens come from the configured origin only.
    const res = await fetchImpl(url, { ...init, redirect: 'manual', signal });
    status = res.status;
    if (!statuses.includes(status)) {
      await res.body?.cancel().catch(() => {});
      throw unavailable(`HTTP ${status}`, url);
    }
    body = await readCapped(res, opts.maxBytes, url);
  } catch (e) {
    if (e instanceof RampartError) throw e;
    throw unavailable(timeout.aborted ? `timed out after ${opts.timeoutMs} ms` : 'request failed', url, e);
  }
  try {
    return { status, json: JSON.parse(Buffer.from(body).toString('utf8')) as unknown };
  } catch (e) {
    throw unavailable('response is not JSON', url, e);
  }
}
