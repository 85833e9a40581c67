/**
 * A small writer of MaxMind DB (format 2.0) files, so geo-IP tests run against real `.mmdb` bytes
 * read by the real `maxmind` reader. There is no maintained npm writer (MaxMind publishes writers
 * for Go and Perl only), so this one follows the published spec
 * (https://maxmind.github.io/MaxMind-DB/): a binary search tree over address bits, 16 zero bytes,
 * a data section of typed values, then `\xAB\xCD\xEFMaxMind.com` and the metadata map.
 *
 * Test support only: no deduplication beyond identical records, no pointers, no size tuning.
 *
 * @example
 *   await writeMmdb(file, [{ cidr: '203.0.113.0/24', country: 'DE' }], { databaseType: 'GeoLite2-Country' });
 */
import { isIP } from 'node:net';
import { writeFile } from 'node:fs/promises';

/** A value of the data section: numbers are written as uint32 when they fit, else as double. */
export type MmdbValue = string | number | bigint | boolean | readonly MmdbValue[] | { readonly [key: string]: MmdbValue };

export interface MmdbEntry {
  /** `203.0.113.0/24`, `2001:db8::/32`; a bare address is a /32 or /128. */
  readonly cidr: string;
  /** ISO 3166-1 alpha-2, written as `country.iso_code`. */
  readonly country?: string;
  /** Written as `registered_country.iso_code` (the network's registrant, e.g. for anycast). */
  readonly registeredCountry?: string;
  /** The whole record, instead of the one built from `country` / `registeredCountry`. */
  readonly record?: MmdbValue;
}

export interface MmdbOptions {
  readonly databaseType: string;
  /** 6 (default): IPv4 lives at ::/96, as in MaxMind's own databases. 4: IPv4 entries only. */
  readonly ipVersion?: 4 | 6;
  readonly recordSize?: 24 | 28 | 32;
  /** Seconds since the epoch. */
  readonly buildEpoch?: number;
  /**
   * Point ::ffff:0:0/96 at the IPv4 subtree, as MaxMind's databases do (default true), so a reader
   * that walks an IPv4-mapped address bit by bit lands on the IPv4 data.
   */
  readonly aliasIpv4Mapped?: boolean;
  /** Metadata keys to add or overwrite (to forge broken files). */
  readonly metadata?: { readonly [key: string]: MmdbValue };
}

// --- data section encoding (spec: "Output Data Section")

const T = { pointer: 1, utf8: 2, double: 3, bytes: 4, uint16: 5, uint32: 6, map: 7, int32: 8, uint64: 9, uint128: 10, array: 11, boolean: 14, float: 15 } as const;

/**
 * Control byte(s): type in the top 3 bits (types above 7 are "extended": 0 there and `type - 7` in
 * the next byte), size in the low 5 bits; 29/30/31 say the size continues in 1/2/3 more bytes,
 * offset by 29/285/65821. The extended type byte comes before the size bytes.
 */
function control(type: number, size: number): Buffer {
  const head = type <= 7 ? [type << 5] : [0, type - 7];
  if (size < 29) {
    head[0]! |= size;
    return Buffer.from(head);
  }
  if (size < 29 + 0x100) {
    head[0]! |= 29;
    return Buffer.from([...head, size - 29]);
  }
  if (size < 285 + 0x10000) {
    head[0]! |= 30;
    const n = size - 285;
    return Buffer.from([...head, n >> 8, n & 0xff]);
  }
  if (size >= 65821 + 0x1000000) throw new RangeError(`value too large for the MaxMind DB format: ${size}`);
  head[0]! |= 31;
  const n = size - 65821;
  return Buffer.from([...head, n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

/** Unsigned integers are big-endian in as few bytes as hold them (zero takes none). */
function uint(type: typeof T.uint16 | typeof T.uint32 | typeof T.uint64, value: number | bigint): Buffer {
  let v = BigInt(value);
  const max = type === T.uint16 ? 2 : type === T.uint32 ? 4 : 8;
  if (v < 0n || v >= 1n << BigInt(8 * max)) throw new RangeError(`${value} does not fit in ${8 * max} bits`);
  const bytes: number[] = [];
  for (; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function utf8(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([control(T.utf8, b.length), b]);
}

/** A map's size is its number of pairs; keys are UTF-8 strings. */
function map(pairs: readonly (readonly [string, Buffer])[]): Buffer {
  return Buffer.concat([control(T.map, pairs.length), ...pairs.flatMap(([k, v]) => [utf8(k), v])]);
}

export function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'boolean') return control(T.boolean, value ? 1 : 0); // the size is the value
  if (typeof value === 'bigint') return uint(T.uint64, value);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return uint(T.uint32, value);
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value);
    return Buffer.concat([control(T.double, 8), b]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(T.array, value.length), ...value.map(encodeValue)]);
  return map(Object.entries(value as { readonly [key: string]: MmdbValue }).map(([k, v]) => [k, encodeValue(v)] as const));
}

// --- addresses

/** 16 bytes of an IPv6 address (IPv4 as ::a.b.c.d, i.e. at ::/96) and the prefix length over them. */
function parseCidr(cidr: string, ipVersion: 4 | 6): { bytes: Uint8Array; bits: number } {
  const [addr = '', len, extra] = cidr.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) throw new TypeError(`not a CIDR: ${cidr}`);
  const width = family === 4 ? 32 : 128;
  const bits = len === undefined ? width : Number(len);
  if (!Number.isInteger(bits) || bits < 1 || bits > width) throw new TypeError(`bad prefix length in ${cidr}`);
  if (family === 6 && ipVersion === 4) throw new TypeError(`an IPv4 database cannot hold ${cidr}`);
  if (family === 4) {
    const v4 = Uint8Array.from(addr.split('.').map(Number));
    if (ipVersion === 4) return { bytes: v4, bits };
    const bytes = new Uint8Array(16);
    bytes.set(v4, 12);
    return { bytes, bits: 96 + bits };
  }
  // The URL serializer spells every IPv6 address one way: hex groups, at most one '::'.
  const canonical = new URL(`http://[${addr}]`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { bytes, bits };
}

const bitAt = (bytes: Uint8Array, i: number) => (bytes[i >> 3]! >> (7 - (i & 7))) & 1;

// --- search tree (spec: "Binary Search Tree Section")

interface TreeNode {
  children: [Child, Child];
}
/** A subtree, a data-section offset, or nothing (no data for that range). */
type Child = TreeNode | { readonly data: number } | null;

const isNode = (c: Child): c is TreeNode => c !== null && 'children' in c;

/** Walks `depth` bits of `bytes` from `root`, splitting leaves on the way so the range below keeps their data. */
function descend(root: TreeNode, bytes: Uint8Array, depth: number): TreeNode {
  let node = root;
  for (let i = 0; i < depth; i++) {
    const side = bitAt(bytes, i);
    const child = node.children[side]!;
    if (isNode(child)) {
      node = child;
      continue;
    }
    const split: TreeNode = { children: [child, child] };
    node.children[side] = split;
    node = split;
  }
  return node;
}

/** Numbers nodes breadth-first from the root (node 0); a node reached twice (an alias) keeps one number. */
function numberNodes(root: TreeNode): TreeNode[] {
  const order: TreeNode[] = [root];
  const seen = new Set<TreeNode>(order);
  for (let i = 0; i < order.length; i++) {
    for (const c of order[i]!.children) {
      if (isNode(c) && !seen.has(c)) {
        seen.add(c);
        order.push(c);
      }
    }
  }
  return order;
}

/** One node is two records; 28-bit records share the middle byte, the left record's high nibble first. */
function writeNode(out: Buffer, offset: number, recordSize: 24 | 28 | 32, left: number, right: number): void {
  if (recordSize === 24) {
    out.writeUIntBE(left, offset, 3);
    out.writeUIntBE(right, offset + 3, 3);
  } else if (recordSize === 28) {
    out.writeUIntBE(left & 0xffffff, offset, 3);
    out[offset + 3] = ((left >>> 24) << 4) | (right >>> 24);
    out.writeUIntBE(right & 0xffffff, offset + 4, 3);
  } else {
    out.writeUInt32BE(left, offset);
    out.writeUInt32BE(right, offset + 4);
  }
}

const METADATA_MARKER = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com', 'ascii')]);

function defaultRecord(e: MmdbEntry): MmdbValue {
  const r: Record<string, MmdbValue> = {};
  if (e.country !== undefined) r['country'] = { iso_code: e.country };
  if (e.registeredCountry !== undefined) r['registered_country'] = { iso_code: e.registeredCountry };
  return r;
}

/** The bytes of a database holding `entries`; a later entry wins where networks overlap. */
export function buildMmdb(entries: readonly MmdbEntry[], opts: MmdbOptions): Buffer {
  const ipVersion = opts.ipVersion ?? 6;
  const recordSize = opts.recordSize ?? 24;

  // Data section: each distinct record once; the tree points at its offset.
  const records: Buffer[] = [];
  const offsets = new Map<string, number>();
  let dataLength = 0;
  const root: TreeNode = { children: [null, null] };
  for (const e of entries) {
    const record = e.record ?? defaultRecord(e);
    const key = JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    let data = offsets.get(key);
    if (data === undefined) {
      const bytes = encodeValue(record);
      data = dataLength;
      offsets.set(key, data);
      records.push(bytes);
      dataLength += bytes.length;
    }
    const { bytes, bits } = parseCidr(e.cidr, ipVersion);
    descend(root, bytes, bits - 1).children[bitAt(bytes, bits - 1)] = { data };
  }

  if (ipVersion === 6 && opts.aliasIpv4Mapped !== false) {
    const zero = new Uint8Array(16);
    const v4 = descend(root, zero, 96); // the IPv4 subtree, ::/96 (created empty if no IPv4 entry)
    const mapped = new Uint8Array(16);
    mapped[10] = mapped[11] = 0xff; // ::ffff:0:0/96
    descend(root, mapped, 95).children[1] = v4;
  }

  const nodes = numberNodes(root);
  const nodeCount = nodes.length;
  const numberOf = new Map(nodes.map((n, i) => [n, i]));
  // Spec: a record below node_count is a node, node_count means "no data", and above it is
  // node_count + 16 + an offset into the data section.
  const recordValue = (c: Child): number => (c === null ? nodeCount : isNode(c) ? numberOf.get(c)! : nodeCount + 16 + c.data);
  if (nodeCount + 16 + dataLength >= 2 ** recordSize) throw new RangeError(`database too large for ${recordSize}-bit records`);

  const nodeBytes = recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  nodes.forEach((n, i) => writeNode(tree, i * nodeBytes, recordSize, recordValue(n.children[0]), recordValue(n.children[1])));

  const metadata: Record<string, Buffer> = {
    binary_format_major_version: uint(T.uint16, 2),
    binary_format_minor_version: uint(T.uint16, 0),
    build_epoch: uint(T.uint64, opts.buildEpoch ?? Math.floor(Date.now() / 1000)),
    database_type: utf8(opts.databaseType),
    description: encodeValue({ en: `Rampart test database (${opts.databaseType})` }),
    ip_version: uint(T.uint16, ipVersion),
    languages: encodeValue(['en']),
    node_count: uint(T.uint32, nodeCount),
    record_size: uint(T.uint16, recordSize),
  };
  for (const [k, v] of Object.entries(opts.metadata ?? {})) metadata[k] = encodeValue(v);

  return Buffer.concat([tree, Buffer.alloc(16), ...records, METADATA_MARKER, map(Object.entries(metadata))]);
}

export async function writeMmdb(path: string, entries: readonly MmdbEntry[], opts: MmdbOptions): Promise<void> {
  await writeFile(path, buildMmdb(entries, opts));
}
