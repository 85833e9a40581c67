/**
 * RFC 9449 §4.3 point 9: the proof's `htu` must match the request URI, ignoring query and
 * fragment, after syntax-based and scheme-based normalisation (RFC 3986 §6.2.2, §6.2.3). The
 * WHATWG URL parser does the scheme-based part (scheme and host case, default port, empty path,
 * dot segments); percent-encodings are then normalised (upper-case hex, unreserved characters
 * decoded).
 */

const PERCENT_ENCODED = /%[0-9A-Fa-f]{2}/g;
/** RFC 3986 §2.3 unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function normalisePercent(encoded: string): string {
  const c = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
  return UNRESERVED.test(c) ? c : encoded.toUpperCase();
}

/**
 * The comparable form of an absolute http(s) URL without its query and fragment, or undefined
 * when `raw` is not one.
 *
 * @example
 *   comparableHtu('HTTPS://API.Example.com:443/v1/%7euser?x=1#f') === comparableHtu('https://api.example.com/v1/~user')
 */
export function comparableHtu(raw: string): string | undefined {
  const url = URL.parse(raw);
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
  url.search = '';
  url.hash = '';
  return url.href.replace(PERCENT_ENCODED, normalisePercent);
}
