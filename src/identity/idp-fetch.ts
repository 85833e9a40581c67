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
  const problem = idpUrlProblem(url);
  if (problem !== null) throw unavailable(`refused URL: ${problem}`, url);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let body: Uint8Array;
  try {
    // Redirects are not followed: metadata and keys come from the configured origin only.
    const res = await fetchImpl(url, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: { accept: 'application/json, application/jwk-set+json' },
    });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw unavailable(`HTTP ${res.status}`, url);
    }
    body = await readCapped(res, opts.maxBytes, url);
  } catch (e) {
    if (e instanceof RampartError) throw e;
    throw unavailable(timeout.aborted ? `timed out after ${opts.timeoutMs} ms` : 'request failed', url, e);
  }
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch (e) {
    throw unavailable('response is not JSON', url, e);
  }
}
