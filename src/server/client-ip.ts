/**
 * The client's address. X-Forwarded-For is believed only when the socket peer is a configured
 * trusted proxy; then the right-most address that is not itself a trusted proxy is the client
 * (entries to its left were written by the client and can be forged).
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { networkMatcher, plainIp } from '../config/cidr.ts';

/**
 * The client's socket address. A request a data-plane thread forwarded to the main thread over its
 * private socket (server/threads.ts) carries the address the thread saw, under this symbol.
 */
export const FORWARDED_PEER = Symbol('rampart.forwardedPeer');

export function peerAddress(req: IncomingMessage): string | null {
  const a = (req as IncomingMessage & { [FORWARDED_PEER]?: string })[FORWARDED_PEER] ?? req.socket.remoteAddress;
  return a ? plainIp(a) : null;
}

export function clientIpResolver(trusted: readonly string[]): (req: IncomingMessage) => string | null {
  // Entries were validated with the config (cidrSchema); the matcher folds mapped IPv4 spellings.
  const isTrusted = networkMatcher(trusted);
  return (req) => {
    const peer = peerAddress(req);
    if (!peer || trusted.length === 0 || !isTrusted(peer)) return peer;
    const xff = req.headers['x-forwarded-for'];
    if (typeof xff !== 'string') return peer;
    const hops = xff.split(',').map((h) => plainIp(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(hop) === 0) return peer; // garbage in the header: fall back to what we know
      if (!isTrusted(hop)) return hop;
    }
    return hops[0] ?? peer;
  };
}

/**
 * A header that only a trusted proxy may set (e.g. its geo-IP country, `cf-ipcountry`): read when
 * the socket peer is one of `trusted`, ignored otherwise, so a client cannot claim it.
 */
export function trustedHeaderReader(trusted: readonly string[], name: string): (req: IncomingMessage) => string | null {
  const isTrusted = networkMatcher(trusted);
  return (req) => {
    const peer = peerAddress(req);
    if (!peer || trusted.length === 0 || !isTrusted(peer)) return null;
    const v = req.headers[name];
    return typeof v === 'string' ? v.trim() : null;
  };
}
