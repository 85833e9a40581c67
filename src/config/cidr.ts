/**
 * IP networks given as CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses, validated when
 * the config or an API key is read, and matched with node:net's BlockList (no string compares,
 * so `::ffff:10.0.0.1` and `10.0.0.1` are the same client).
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

function parse(entry: string): { addr: string; bits: number | undefined; family: 'ipv4' | 'ipv6' } | null {
  const [addr, bits, extra] = entry.split('/');
  if (extra !== undefined || !addr) return null;
  const v = isIP(addr);
  if (v === 0) return null;
  if (bits === undefined) return { addr, bits: undefined, family: v === 6 ? 'ipv6' : 'ipv4' };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (v === 6 ? 128 : 32)) return null;
  return { addr, bits: Number(bits), family: v === 6 ? 'ipv6' : 'ipv4' };
}

export const cidrSchema = z
  .string()
  .max(64)
  .refine((v) => parse(v) !== null, { error: 'must be an IP address or a CIDR such as 10.0.0.0/8' });

export const networkListSchema = z.array(cidrSchema).min(1).max(64);

/**
 * `::ffff:10.0.0.1` is the IPv4 client 10.0.0.1 (a dual-stack socket's view of it), in any
 * spelling of the mapped address (`::ffff:a00:1`, `0:0:0:0:0:ffff:10.0.0.1`): otherwise a proxy
 * writing one of those could take an IPv4 client out of reach of IPv4 rules.
 */
export function plainIp(addr: string): string {
  const lower = addr.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  if (!lower.includes('ffff') || lower.includes('%') || isIP(lower) !== 6) return addr;
  // The URL serializer writes an IPv6 address one way: "[::ffff:a00:1]" for every mapped spelling.
  const m = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(new URL(`http://[${lower}]`).hostname);
  if (!m) return addr;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * A matcher over validated entries. IPv4 and IPv6 ranges are kept in two lists, so an IPv4
 * client is never compared with IPv6 ranges through Node's own mapping rules; an IPv4-mapped
 * entry counts as IPv4 (`::ffff:10.0.0.0/104` is `10.0.0.0/8`), and so does a mapped client.
 */
export function networkMatcher(entries: readonly string[]): (ip: string | null) => boolean {
  const v4 = new BlockList();
  const v6 = new BlockList();
  for (const entry of entries) {
    const p = parse(entry);
    if (p === null) throw new TypeError(`not a CIDR: ${entry}`);
    const addr = plainIp(p.addr);
    const mapped = addr !== p.addr;
    const family = mapped ? 'ipv4' : p.family;
    const bits = p.bits === undefined ? undefined : mapped ? Math.max(0, p.bits - 96) : p.bits;
    const list = family === 'ipv4' ? v4 : v6;
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, bits, family);
  }
  return (ip) => {
    if (ip === null) return false;
    const plain = plainIp(ip);
    const v = isIP(plain);
    return v === 4 ? v4.check(plain, 'ipv4') : v === 6 ? v6.check(plain, 'ipv6') : false;
  };
}
