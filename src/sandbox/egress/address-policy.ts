/**
 * Which resolved addresses sandboxed code may reach through the egress proxy: globally routable
 * unicast only. Everything else (the host's loopback, the cloud metadata endpoint, the operator's
 * private networks, multicast, documentation and benchmark ranges) is refused, whatever name
 * pointed at it.
 *
 * IPv6 is an allow-list: only global unicast (RFC 4291 §2.4, 2000::/3) minus its special blocks,
 * so ULA, link-local, site-local, multicast, NAT64 (64:ff9b::/96) and IPv4-compatible forms fall
 * out without being listed. IPv4 has no such prefix, so its special-purpose registry (RFC 6890 and
 * updates) is refused block by block. An IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2)
 * is judged, and connected to, as the IPv4 address it carries.
 */
import { BlockList, isIP } from 'node:net';

const REFUSED_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'RFC 791 "this network", incl. the unspecified 0.0.0.0'],
  ['10.0.0.0', 8, 'RFC 1918 private'],
  ['100.64.0.0', 10, 'RFC 6598 shared address space (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'RFC 1122 loopback'],
  ['169.254.0.0', 16, 'RFC 3927 link-local, incl. the 169.254.169.254 metadata endpoint'],
  ['172.16.0.0', 12, 'RFC 1918 private'],
  ['192.0.0.0', 24, 'RFC 6890 IETF protocol assignments'],
  ['192.0.2.0', 24, 'RFC 5737 documentation (TEST-NET-1)'],
  ['192.88.99.0', 24, 'RFC 7526 deprecated 6to4 relay anycast'],
  ['192.168.0.0', 16, 'RFC 1918 private'],
  ['198.18.0.0', 15, 'RFC 2544 benchmarking'],
  ['198.51.100.0', 24, 'RFC 5737 documentation (TEST-NET-2)'],
  ['203.0.113.0', 24, 'RFC 5737 documentation (TEST-NET-3)'],
  ['224.0.0.0', 4, 'RFC 5771 multicast'],
  ['240.0.0.0', 4, 'RFC 1112 reserved, incl. the limited broadcast 255.255.255.255 (RFC 919)'],
];

const GLOBAL_UNICAST_V6: readonly [string, number] = ['2000::', 3];

const REFUSED_V6: readonly (readonly [string, number, string])[] = [
  ['2001::', 23, 'RFC 2928 IETF protocol assignments: Teredo (embeds an IPv4), benchmarking, ORCHID'],
  ['2001:db8::', 32, 'RFC 3849 documentation'],
  ['2002::', 16, 'RFC 3056 6to4 (embeds an IPv4 address, which may be private)'],
  ['3fff::', 20, 'RFC 9637 documentation'],
];

const refusedV4 = new BlockList();
for (const [net, bits] of REFUSED_V4) refusedV4.addSubnet(net, bits, 'ipv4');
const globalV6 = new BlockList();
globalV6.addSubnet(GLOBAL_UNICAST_V6[0], GLOBAL_UNICAST_V6[1], 'ipv6');
const refusedV6 = new BlockList();
for (const [net, bits] of REFUSED_V6) refusedV6.addSubnet(net, bits, 'ipv6');

/**
 * The address in the one form the proxy checks and connects to, or null when it is not a plain
 * IP address (zone ids such as `fe80::1%eth0` included). IPv6 is compressed and lower-cased by
 * the WHATWG URL parser; an IPv4-mapped IPv6 becomes its IPv4 (`::ffff:7f00:1` → `127.0.0.1`).
 */
export function normalizeAddress(ip: string): string | null {
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6 || ip.includes('%')) return null;
  const v6 = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped === null) return v6;
  const hi = Number.parseInt(mapped[1]!, 16);
  const lo = Number.parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * True when `ip` is a globally routable unicast address the proxy may connect to.
 *
 * @example isPublicAddress('93.184.215.14') // true
 * @example isPublicAddress('::ffff:169.254.169.254') // false
 */
export function isPublicAddress(ip: string): boolean {
  const addr = normalizeAddress(ip);
  if (addr === null) return false;
  if (isIP(addr) === 4) return !refusedV4.check(addr, 'ipv4');
  return globalV6.check(addr, 'ipv6') && !refusedV6.check(addr, 'ipv6');
}
