/**
 * Decides whether one URL found in model output points outside the allow-list, and whether it
 * carries data. Hosts are read the way a browser reads them: the WHATWG URL parser (node's `URL`,
 * the same algorithm browsers run) resolves the URL against an https page, so backslashes, user
 * info (`https://allowed.com@evil.com/`), percent-encoded and IDN hosts, decimal/hex/octal IPv4
 * forms and mixed-case schemes all end up as the host the request would really go to. Where
 * another parser could disagree (`https://allowed.com\@evil.com` is `allowed.com` to a browser,
 * `evil.com` to some server-side libraries), both readings must be allowed.
 */
import { canonicalHost, hostMatches, parseHostPattern, type HostPattern } from '../../../config/host-pattern.ts';
import { characterClasses, shannonEntropy } from '../dlp/entropy.ts';

/** Compiled `allowHosts`: the same host patterns (and host canonical form) as tool policies. */
export type HostAllowList = readonly HostPattern[];

export type UrlIssueKind = 'external_host' | 'script_url' | 'data_url' | 'unparseable_url';

export interface UrlIssue {
  readonly kind: UrlIssueKind;
  /** Why the URL looks like it carries data (`long_value`, `encoded_value`, ...); empty if it does not. */
  readonly signals: readonly string[];
  /** For data URLs: the media type, lower-cased (`image/png`). */
  readonly mime?: string;
}

/** Resolving against this page makes relative URLs land here: they are same-origin, not exfiltration. */
const BASE_HOST = 'relative.rampart.invalid';
const BASE = `https://${BASE_HOST}/`;
const HTTP_BASE = `http://${BASE_HOST}/`;
/** Hosts sit at the start of a URL; longer URLs are parsed on their first this many characters. */
const MAX_PARSE = 8192;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]{0,31}):/;
/** Schemes with no host whose links do not send anything anywhere by themselves. */
const HOSTLESS = new Set(['tel:', 'sms:', 'urn:', 'about:', 'blob:', 'cid:', 'mid:', 'news:', 'file:']);
const SCRIPT_SCHEMES = new Set(['javascript', 'vbscript', 'livescript']);

/** Lower-case, IDNA (UTS #46) to punycode, IPv4 forms canonicalized, trailing dots removed; null if not a host. */
export function normalizeHost(host: string): string | null {
  if (host.length === 0 || host.length > 255 || /[\s/?#@\\]/.test(host)) return null;
  return canonicalHost(host);
}

/**
 * Compiles `allowHosts` entries: exact hosts (`docs.acme.com`, `10.0.0.5`, `bücher.de`) and
 * `*.acme.com` wildcards. Throws on an entry that is not a host, so a typo stops start-up.
 */
export function compileAllowList(entries: readonly string[]): HostAllowList {
  return entries.map((entry) => {
    // `*` (any host) is meaningful for tool policies, not here: an allow-list of everything is no check.
    if (entry.trim() === '*') throw new Error(`'*' is not a host name, IP address or *.domain pattern`);
    try {
      return parseHostPattern(entry);
    } catch {
      throw new Error(`'${entry}' is not a host name, IP address or *.domain pattern`);
    }
  });
}

export function isAllowedHost(host: string, list: HostAllowList): boolean {
  return hostMatches(canonicalHost(host), list);
}

function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

const HEX = /^[0-9a-fA-F]+$/;
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Base64/base64url or hex that looks like an encoding of something rather than a word or an id. */
function looksEncoded(s: string, minB64: number, minHex: number, minEntropy: number): boolean {
  if (s.length >= minHex && HEX.test(s)) return true;
  if (s.length < minB64 || !B64.test(s)) return false;
  const mixed = characterClasses(s.replace(/[+/_=-]/g, '')) >= 3 || (/[+/=]/.test(s) && characterClasses(s) >= 3);
  return mixed && shannonEntropy(s) >= minEntropy;
}

function words(s: string): number {
  const t = s.trim();
  return t ? t.split(/\s+/).length : 0;
}

/** Query and fragment values: shorter thresholds than paths, where ids and slugs are normal. */
function valueSignals(raw: string, out: Set<string>): void {
  const v = decodeLoose(raw);
  if (v.length >= 64) out.add('long_value');
  if (looksEncoded(v.replace(/\s+/g, ''), 20, 32, 3.5)) out.add('encoded_value');
  if (words(v) >= 6) out.add('text_value');
}

/**
 * Signs that a URL carries data out: long or encoded query values, path segments or subdomain
 * labels, many parameters, prose in a parameter, credentials. Ordinary links (docs pages, search
 * results with a short query, a commit hash in a path) stay below every threshold.
 */
export function dataSignals(u: URL, includeFragment: boolean): string[] {
  const out = new Set<string>();
  if (u.username || u.password) out.add('credentials');
  const query = u.search.slice(1);
  if (query) {
    if (query.length >= 256) out.add('long_query');
    const params = query.split('&');
    if (params.length >= 6) out.add('many_params');
    for (const p of params.slice(0, 64)) {
      const eq = p.indexOf('=');
      valueSignals(eq < 0 ? p : p.slice(eq + 1), out);
      if (eq > 0) valueSignals(p.slice(0, eq), out);
    }
  }
  if (includeFragment && u.hash.length > 1) valueSignals(u.hash.slice(1), out);
  for (const seg of u.pathname.split('/').slice(0, 64)) {
    if (!seg) continue;
    const v = decodeLoose(seg);
    if (v.length >= 64) out.add('long_path_segment');
    // Hex: 40 and 64 digits are SHA-1/SHA-256 (commit and blob links); longer or odd lengths are data.
    if (looksEncoded(v, 32, 999, 4) || (HEX.test(v) && v.length >= 48 && v.length !== 64)) out.add('encoded_path');
    if (/\s/.test(v) && words(v) >= 6) out.add('text_path');
  }
  const labels = u.hostname.split('.');
  // Hosts are lower-cased by the parser, so base64 shows as long letter-digit labels (DNS exfiltration).
  for (const label of labels.slice(0, -2)) {
    if (label.length >= 24 && /^[a-z0-9]+$/.test(label) && (label.match(/\d/g)?.length ?? 0) >= 3 && shannonEntropy(label) >= 3.5) out.add('encoded_subdomain');
  }
  return [...out];
}

/** The host after the last '@' of the authority as a naive parser reads it (up to '/', '?', '#'). */
function naiveHost(url: string): string | null {
  const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)/.exec(url);
  if (!m) return null;
  let auth = m[1]!;
  auth = auth.slice(auth.lastIndexOf('@') + 1);
  if (!auth.startsWith('[')) auth = auth.replace(/:\d*$/, '');
  return normalizeHost(auth.replace(/\\/g, ''));
}

/**
 * Checks one URL as written in a link, image or tag (entities and escapes already decoded by the
 * caller). Returns null when it is fine: relative (same origin), hostless (`tel:`), or on an
 * allowed host. `context` says whether a fragment reaches the other side (a clicked link's page
 * can read it; an image fetch does not send it).
 * @example
 *   checkUrl('https://allowed.com@evil.com/x.png', 'image', compileAllowList(['allowed.com'])); // { kind: 'external_host', signals: [] }
 */
export function checkUrl(written: string, context: 'image' | 'link', allow: HostAllowList): UrlIssue | null {
  // WHATWG URL §4.4: leading/trailing C0 controls and spaces are stripped, tabs and newlines
  // removed anywhere; any other whitespace cannot be part of a host, so it is dropped too.
  const tooLong = written.length > MAX_PARSE;
  let url = (tooLong ? written.slice(0, MAX_PARSE) : written).replace(/[\s\u0000-\u001f\u007f]+/g, '');
  if (!url) return null;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme && SCRIPT_SCHEMES.has(scheme)) return { kind: 'script_url', signals: [] };
  if (scheme === 'data') {
    const mime = /^data:([a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64})?/i.exec(url)?.[1]?.toLowerCase() ?? 'text/plain';
    return { kind: 'data_url', signals: [], mime };
  }
  if (scheme === 'mailto') {
    // `mailto:x@evil.com?body=<data>`: a click sends mail, with whatever the body carries.
    const addr = url.slice(7).split('?')[0]!;
    const host = normalizeHost(decodeLoose(addr.slice(addr.lastIndexOf('@') + 1)));
    if (host && isAllowedHost(host, allow)) return null;
    const out = new Set<string>();
    const q = url.indexOf('?');
    if (q >= 0) for (const p of url.slice(q + 1).split('&').slice(0, 16)) valueSignals(p.slice(p.indexOf('=') + 1), out);
    return { kind: 'external_host', signals: [...out] };
  }
  const absolute = scheme !== undefined || /^[/\\]{2}/.test(url);
  let u = parse(url, BASE);
  if (!u) return absolute ? { kind: 'unparseable_url', signals: [] } : null;
  // `http:evil.com/x` is same-origin on an http page but goes to evil.com from an https one
  // (WHATWG URL "special relative or authority" state): read it from both kinds of page.
  if (u.hostname === BASE_HOST && scheme !== undefined) {
    const fromHttp = parse(url, HTTP_BASE);
    if (fromHttp && fromHttp.hostname !== BASE_HOST) u = fromHttp;
  }
  if (HOSTLESS.has(u.protocol)) return null;
  const host = u.hostname;
  if (!host) return null;
  if (host === BASE_HOST && !url.toLowerCase().includes(BASE_HOST)) return null;
  const naive = naiveHost(url);
  const allowed = isAllowedHost(host, allow) && (naive === null || isAllowedHost(naive, allow));
  if (allowed) return redirectIssue(u, context, allow);
  const signals = dataSignals(u, context === 'link');
  if (tooLong) signals.push('long_url');
  return { kind: 'external_host', signals };
}

function parse(url: string, base: string): URL | null {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

/** An allowed page that forwards to a URL given in its query (`/redirect?url=https://evil/...`). */
function redirectIssue(u: URL, context: 'image' | 'link', allow: HostAllowList): UrlIssue | null {
  if (!u.search.includes('%2F') && !u.search.includes('//')) return null;
  for (const p of u.search.slice(1).split('&').slice(0, 32)) {
    const v = decodeLoose(p.slice(p.indexOf('=') + 1)).trim();
    if (!/^(?:https?:)?[/\\]{2}/i.test(v)) continue;
    const inner = checkUrl(v, context, allow);
    if (inner?.kind === 'external_host') return { kind: 'external_host', signals: ['redirect', ...inner.signals] };
  }
  return null;
}
