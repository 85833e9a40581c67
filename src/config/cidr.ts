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

/** A matcher over validated entries. */
export function networkMatcher(entries: readonly string[]): (ip: string | null) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const p = parse(entry);
    if (p === null) throw new TypeError(`not a CIDR: ${entry}`);
    if (p.bits === undefined) list.addAddress(p.addr, p.family);
    else list.addSubnet(p.addr, p.bits, p.family);
  }
  return (ip) => {
    if (ip === null) return false;
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const v = isIP(plain);
    if (v === 0) return false;
    return list.check(plain, v === 6 ? 'ipv6' : 'ipv4');
  };
}
