/**
 * Host names as the tool policy compares them: one canonical form for the hosts written in config
 * (`allowHosts`) and the hosts found in tool-call arguments, so that case, Unicode (IDNA), a
 * trailing dot, percent-encoding or an IPv4 spelled in hex cannot make one host look like another.
 *
 * The canonical form is what the WHATWG URL parser (the one Node's fetch uses) makes of the host:
 * lower-case ASCII, IDNA-mapped (UTS #46, so `EXÄMPLE.com` and `xn--exmple-cua.com` are one host,
 * and the Cyrillic `е` in `еxample.com` is not an `e`), IPv4 in dotted decimal, IPv6 without
 * brackets; plus no trailing dot (RFC 1034 §3.1: `example.com.` is the same absolute name).
 */
import { domainToASCII } from 'node:url';
import { isIPv6 } from 'node:net';

/** The canonical host, or null when it is not a host at all (then it matches no pattern). */
export function canonicalHost(raw: string): string | null {
  let h = raw.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (isIPv6(h)) {
    // The URL parser compresses and lower-cases IPv6; reuse it rather than re-implement RFC 5952.
    return new URL(`http://[${h}]/`).hostname.slice(1, -1);
  }
  const ascii = domainToASCII(h);
  if (ascii === '') return null;
  const out = ascii.replace(/\.+$/, '');
  if (out === '' || out.length > 253) return null;
  // domainToASCII lets empty labels through (`a..b`); a host has none.
  if (out.split('.').some((label) => label === '' || label.length > 63)) return null;
  return out;
}

export interface HostPattern {
  /** `exact`: this host only; `suffix`: any host strictly below `host` (`*.example.com`); `any`: `*`. */
  readonly kind: 'exact' | 'suffix' | 'any';
  readonly host: string;
}

/**
 * `api.example.com`, `*.example.com` (every sub-domain at any depth, not example.com itself),
 * an IP address, or `*` (any host). Throws a plain Error with the reason when malformed.
 */
export function parseHostPattern(pattern: string): HostPattern {
  const p = pattern.trim();
  if (p === '*') return { kind: 'any', host: '' };
  const wildcard = p.startsWith('*.');
  const rest = wildcard ? p.slice(2) : p;
  if (rest.includes('*')) throw new Error('a wildcard may only be a leading "*." label');
  if (/[/:@?#\s]/.test(rest) && !isIPv6(rest.replace(/^\[|\]$/g, ''))) {
    throw new Error('must be a host name without scheme, port, path or user');
  }
  const host = canonicalHost(rest);
  if (host === null) throw new Error('is not a valid host name');
  return { kind: wildcard ? 'suffix' : 'exact', host };
}

/** True when the canonical `host` matches one of the patterns. */
export function hostMatches(host: string | null, patterns: readonly HostPattern[]): boolean {
  for (const p of patterns) {
    if (p.kind === 'any') return true;
    if (host === null) continue;
    if (p.kind === 'exact' ? host === p.host : host.endsWith(`.${p.host}`)) return true;
  }
  return false;
}
