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
import { contextWords, hasContext, isWordChar } from './dlp/context.ts';
import { textStats } from './dlp/text-stats.ts';
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
  'version', 'ver', 'release', 'build', 'rev', 'revision', 'sdk', 'patch', 'firmware', 'upgrade from', 'upgrade to',
  'upgraded from', 'upgraded to', 'downgrade from', 'downgrade to', 'section', 'chapter', 'clause',
  'figure', 'fig', 'table', 'step', 'paragraph', 'article', 'art', 'netmask', 'mask', 'subnet mask', 'oid',
]);

const IPV4 = /(?<![\w.\-])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?![\w\-]|\.\d)/g;
/** Colon-terminated hex groups then a tail, tried on the maximal hex/colon run around each ':'. */
const IPV6 = /^(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})$/;
const MAX_IPV6 = 45;

function isV6Char(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
}

/**
 * Runs of hex digits, colons and dots around each ':' (bounded, and scanning resumes after each
 * run, so the work is linear). Returns [start, end, prefix end] of runs not glued to other words.
 */
function ipv6Runs(text: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = text.indexOf(':'); i !== -1; ) {
    let s = i;
    while (s > 0 && i - s <= MAX_IPV6 && isV6Char(text.charCodeAt(s - 1))) s--;
    // Forward scans never revisit a character: the next search starts where this run ends.
    let e = i + 1;
    while (e < text.length && isV6Char(text.charCodeAt(e))) e++;
    const next = text.indexOf(':', e);
    if (e - s > MAX_IPV6 || i - s > MAX_IPV6) {
      i = next;
      continue;
    }
    // Sentence punctuation after an address is not part of it.
    let end = e;
    while (end > s && text[end - 1] === '.') end--;
    let prefixEnd = end;
    const prefix = /^\/\d{1,3}/.exec(text.slice(end, end + 4));
    if (prefix) prefixEnd = end + prefix[0].length;
    if (!isWordChar(text, s - 1) && text[s - 1] !== ':' && text[s - 1] !== '.' && !isWordChar(text, prefixEnd) && (prefixEnd !== e || !isV6Char(text.charCodeAt(e)))) out.push([s, end, prefixEnd]);
    i = next;
  }
  return out;
}

function isSubnetMask(ip: string): boolean {
  if (!ip.startsWith('255.')) return false;
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
      if (textStats(text).digits >= 4 && text.includes('.')) {
        for (const m of text.matchAll(IPV4)) {
          const [address, prefix] = m[0].split('/') as [string, string | undefined];
          if (isIP(address) !== 4 || isSubnetMask(address) || (prefix !== undefined && Number(prefix) > 32)) continue;
          // The tail of an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is reported with the IPv6 one.
          if (/[0-9A-Fa-f:]:$/.test(text.slice(Math.max(0, m.index - 2), m.index))) continue;
          report(text, out, m.index, m.index + m[0].length, address, 4);
        }
      }
      if (text.includes(':')) {
        for (const [start, end, prefixEnd] of ipv6Runs(text)) {
          const address = text.slice(start, end);
          if (!IPV6.test(address) || isIP(address) !== 6 || !ipv6LooksReal(address) || (prefixEnd > end && Number(text.slice(end + 1, prefixEnd)) > 128)) continue;
          report(text, out, start, prefixEnd, address, 6);
        }
      }
      return out;
    };
  },
};
