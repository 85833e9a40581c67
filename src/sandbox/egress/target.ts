/**
 * What the sandbox asks the egress proxy for (a CONNECT authority or an absolute http:// URI),
 * parsed strictly, and the per-agent allow-list it is checked against.
 *
 * Allow-list entries are the host patterns of the tool policy (src/config/host-pattern.ts:
 * `api.example.com`, `*.example.com`, an IP address, `*`) with an optional port:
 * `host` allows ports 80 and 443 only; `host:8443` (`[2001:db8::1]:8443` for IPv6) allows that one
 * port only. To allow 443 and 8443, list the host twice.
 */
import { isIP } from 'node:net';
import { RampartError } from '../../core/errors.ts';
import { canonicalHost, hostMatches, type HostPattern } from '../../config/host-pattern.ts';
import { parseAllowHost, splitHostPort } from '../../config/sandbox.ts';

/** Ports an entry without an explicit port allows: HTTP and HTTPS. */
export const DEFAULT_PORTS: readonly number[] = [80, 443];

export interface EgressRule {
  readonly pattern: HostPattern;
  /** Null: DEFAULT_PORTS. */
  readonly port: number | null;
}

export interface EgressTarget {
  /** Canonical host (host-pattern.ts): lower-case ASCII, IPv4 dotted decimal, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** The host is an IP address (no DNS). */
  readonly literal: boolean;
}

/**
 * Compiles the allow-list once; a malformed entry throws RAMPART_CONFIG_INVALID naming its index.
 * Entries are read by config/sandbox.ts's parseAllowHost, the one the config check uses.
 */
export function parseEgressAllowList(entries: readonly string[]): EgressRule[] {
  if (!Array.isArray(entries)) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'egress allowHosts must be an array.' });
  return entries.map((entry, i) => {
    try {
      if (typeof entry !== 'string') throw new Error('must be a non-empty string');
      return parseAllowHost(entry);
    } catch (e) {
      throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `egress allowHosts[${i}] ${(e as Error).message}.`, cause: e });
    }
  });
}

/** Why the allow-list refuses `target`, or null when a rule allows it. */
export function checkTarget(rules: readonly EgressRule[], target: EgressTarget): 'host-not-allowed' | 'port-not-allowed' | null {
  let hostListed = false;
  for (const rule of rules) {
    if (!hostMatches(target.host, [rule.pattern])) continue;
    hostListed = true;
    if (rule.port === null ? DEFAULT_PORTS.includes(target.port) : rule.port === target.port) return null;
  }
  return hostListed ? 'port-not-allowed' : 'host-not-allowed';
}

// RFC 3986 §3.2.2 host, narrowed: a DNS name in LDH form (plus `_`, seen in real names), an IPv4
// literal (matched by the same class), or a bracketed IPv6 literal without zone id. Clients send
// IDNs as A-labels, so nothing else needs to pass; percent-encoding and userinfo never do.
const NAME = /^[A-Za-z0-9._-]{1,253}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * A CONNECT request target (RFC 9112 §3.2.3 authority-form, `host:port`), or the authority of an
 * absolute URI when `defaultPort` is given (the port may then be omitted). Null when malformed.
 */
export function parseAuthority(authority: string, defaultPort: number | null): EgressTarget | null {
  const split = splitHostPort(authority);
  if (split === null || split.port === null) return null;
  const port = split.port ?? defaultPort;
  if (port === null) return null;
  const bracketed = authority.startsWith('[');
  if (bracketed ? !(IPV6.test(split.host) && isIP(split.host) === 6) : !NAME.test(split.host)) return null;
  // canonicalHost turns `0x7f.1` or `2130706433` into 127.0.0.1, so such spellings are IP literals.
  const host = canonicalHost(split.host);
  if (host === null) return null;
  return { host, port, literal: isIP(host) !== 0 };
}

/**
 * An absolute-form request target (RFC 9112 §3.2.2) with the http scheme: the target and the
 * origin-form path to send upstream. https:// is refused (clients tunnel it with CONNECT), so
 * are userinfo, fragments and anything that is not visible ASCII.
 */
export function parseAbsoluteHttpUri(uri: string): { target: EgressTarget; authority: string; path: string } | null {
  const m = /^http:\/\/([^/?#]+)([/?][\x21-\x7e]*)?$/i.exec(uri);
  if (m === null || uri.includes('#')) return null;
  const authority = m[1]!;
  const target = parseAuthority(authority, 80);
  if (target === null) return null;
  const rest = m[2] ?? '/';
  return { target, authority, path: rest.startsWith('?') ? `/${rest}` : rest };
}
