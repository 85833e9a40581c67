/**
 * IPv4 and IPv6 addresses, confirmed by `node:net` `isIP` (which refuses leading zeros and
 * out-of-range octets). Strings shaped like addresses that are not: four-part versions
 * ("version 10.0.19041.1", "v1.2.3.4", "Chrome/120.0.0.1"), outline numbers ("section 2.1.3.4"),
 * subnet masks, longer dotted runs, MAC/EUI-64 strings, `std::` paths and clock times.
 * Special-purpose ranges (RFC 6890) can be skipped by name; loopback and unspecified are by default.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { contextWords, hasContext } from './dlp/context.ts';
import { dlpFinding } from './dlp/finding.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

/** RFC 6890 special-purpose blocks, by the names profiles use. */
const RANGES = {
  private: [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['fc00::', 7]],
  loopback: [['127.0.0.0', 8], ['::1', 128]],
  link_local: [['169.254.0.0', 16], ['fe80::', 10]],
  unspecified: [['0.0.0.0', 8], ['::', 128]],
  documentation: [['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['2001:db8::', 32]],
  multicast: [['224.0.0.0', 4], ['255.255.255.255', 32], ['ff00::', 8]],
} as const satisfies Record<string, readonly (readonly [string, number])[]>;
type RangeName = keyof typeof RANGES;
const RANGE_NAMES = Object.keys(RANGES) as [RangeName, ...RangeName[]];

const optionsSchema = z
  .object({
    minScore: minScoreOption,
    contextWindow: contextWindowOption,
    /** Special-purpose ranges not to report. */
    skipRanges: z.array(z.enum(RANGE_NAMES)).default(['loopback', 'unspecified']),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-ip-address', version: '1.0.0' } as const;
const CONTEXT = contextWords(['ip', 'ips', 'ipv4', 'ipv6', 'address', 'addr', 'host', 'server', 'client', 'remote', 'src', 'dst', 'source', 'peer', 'from', 'gateway', 'proxy', 'dns', 'connect', 'connected', 'login', 'logged']);
const NOT_AN_ADDRESS = contextWords([
  'version', 'ver', 'release', 'build', 'rev', 'revision', 'sdk', 'patch', 'firmware', 'section', 'chapter', 'clause',
  'figure', 'fig', 'table', 'step', 'paragraph', 'article', 'art', 'netmask', 'mask', 'subnet mask', 'oid',
]);

const IPV4 = /(?<![\w.\-])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?![\w\-]|\.\d)/g;
/** Colon-terminated hex groups then a tail: every step ends on ':', so the scan cannot backtrack. */
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:\/\d{1,3})?(?![\w:.])/g;

function isSubnetMask(ip: string): boolean {
  const bits = ip.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return ip.startsWith('255.') && /^1+0*$/.test(bits);
}

function ipv6LooksReal(ip: string): boolean {
  const groups = ip.split(':');
  let hexDigits = 0;
  for (const g of groups) hexDigits += g.length;
  if (hexDigits < 3 && ip !== '::1') return false;
  // MAC-48 / EUI-64 written with colons: six or eight groups of exactly two hex digits.
  return !((groups.length === 6 || groups.length === 8) && groups.every((g) => g.length === 2));
}

export const ipAddressDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'IPv4 and IPv6 addresses (node:net isIP), skipping versions, masks and chosen special-purpose ranges.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.ip_address'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    const skip = new BlockList();
    const privateBlocks = new BlockList();
    for (const [name, blocks] of Object.entries(RANGES)) {
      for (const [net, prefix] of blocks) {
        const family = net.includes(':') ? 'ipv6' : 'ipv4';
        if (options.skipRanges.includes(name as RangeName)) skip.addSubnet(net, prefix, family);
        if (name === 'private') privateBlocks.addSubnet(net, prefix, family);
      }
    }
    const report = (text: string, out: Finding[], start: number, end: number, address: string, family: 4 | 6) => {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (skip.check(address, type)) return;
      if (hasContext(text, start, end, NOT_AN_ADDRESS, 24)) return;
      // "Chrome/120.0.0.1": a product token then a slash is a version, a URL's "//" is not.
      if (text[start - 1] === '/' && text[start - 2] !== '/') return;
      const context = hasContext(text, start, end, CONTEXT, contextWindow);
      const isPrivate = privateBlocks.check(address, type);
      const score = context ? 0.95 : isPrivate ? 0.7 : 0.85;
      if (score < minScore) return;
      out.push(
        dlpFinding(META, {
          category: 'pii.ip_address',
          start,
          end,
          score,
          severity: 'low',
          rule: type,
          explanation: `${family === 4 ? 'IPv4' : 'IPv6'} address${isPrivate ? ' in a private range' : ''}${context ? ', with network context nearby' : ''}.`,
        }),
      );
    };
    return ({ text }) => {
      const out: Finding[] = [];
      if (text.includes('.')) {
        for (const m of text.matchAll(IPV4)) {
          const [address, prefix] = m[0].split('/') as [string, string | undefined];
          if (isIP(address) !== 4 || isSubnetMask(address) || (prefix !== undefined && Number(prefix) > 32)) continue;
          report(text, out, m.index, m.index + m[0].length, address, 4);
        }
      }
      if (text.includes(':')) {
        for (const m of text.matchAll(IPV6)) {
          const [address, prefix] = m[0].split('/') as [string, string | undefined];
          if (isIP(address) !== 6 || !ipv6LooksReal(address) || (prefix !== undefined && Number(prefix) > 128)) continue;
          report(text, out, m.index, m.index + m[0].length, address, 6);
        }
      }
      return out;
    };
  },
};
