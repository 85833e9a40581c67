/**
 * The client's address. X-Forwarded-For is believed only when the socket peer is a configured
 * trusted proxy; then the right-most address that is not itself a trusted proxy is the client
 * (entries to its left were written by the client and can be forged).
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { RampartError } from '../core/errors.ts';

function family(addr: string): 'ipv4' | 'ipv6' {
  return isIP(addr) === 6 ? 'ipv6' : 'ipv4';
}

function normalize(addr: string): string {
  return addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

export function buildTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    if (!addr || isIP(addr) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `server.trustedProxies: '${entry}' is not an IP address or CIDR` });
    }
    if (bits === undefined) list.addAddress(addr, family(addr));
    else list.addSubnet(addr, Number(bits), family(addr));
  }
  return list;
}

export function clientIpResolver(trusted: readonly string[]): (req: IncomingMessage) => string | null {
  const list = buildTrustedProxies(trusted);
  const isTrusted = (a: string) => isIP(a) !== 0 && list.check(a, family(a));
  return (req) => {
    const peer = req.socket.remoteAddress ? normalize(req.socket.remoteAddress) : null;
    if (!peer || trusted.length === 0 || !isTrusted(peer)) return peer;
    const xff = req.headers['x-forwarded-for'];
    if (typeof xff !== 'string') return peer;
    const hops = xff.split(',').map((h) => normalize(h.trim()));
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
  const list = buildTrustedProxies(trusted);
  return (req) => {
    const peer = req.socket.remoteAddress ? normalize(req.socket.remoteAddress) : null;
    if (!peer || trusted.length === 0 || isIP(peer) === 0 || !list.check(peer, family(peer))) return null;
    const v = req.headers[name];
    return typeof v === 'string' ? v.trim() : null;
  };
}
