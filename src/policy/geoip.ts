/**
 * The country of a client address, from a MaxMind DB file the operator supplies (GeoIP2 /
 * GeoLite2 Country or City, or DB-IP's country and city lite databases in mmdb form): the source of
 * the `countries` condition of conditional access when no trusted proxy sends a country header.
 *
 * The file is read once into memory by the `maxmind` package's reader (with its LRU cache of
 * decoded records), so a lookup is a walk of at most 128 tree nodes with no IO. The file is
 * validated when opened and again on every reload; the path is polled (fs.watchFile, like
 * maxmind's own `watchForUpdates`, which works for in-place writes, rename-over updates such as
 * geoipupdate's, and symlink swaps such as Kubernetes volume updates), and a changed file is
 * loaded after a short settle delay. A reload that fails keeps the database already loaded and
 * warns. maxmind's `watchForUpdates` itself is not used: a failed reload there is an unhandled
 * rejection, it cannot be stopped, and it skips these checks.
 *
 * @example
 *   const geo = await openCountryDatabase('/var/lib/GeoIP/GeoLite2-Country.mmdb', { logger });
 *   geo.lookup('::ffff:203.0.113.7'); // 'DE', or null when unknown
 *   geo.close(); // at shutdown: stops watching the file
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { open, type CountryResponse, type Reader } from 'maxmind';
import { RampartError } from '../core/errors.ts';
import { plainIp } from '../config/cidr.ts';

export interface CountryLookup {
  /**
   * ISO 3166-1 alpha-2 code (uppercase) of the network `ip` belongs to: the country where it is
   * used, else the country it is registered to; null for a malformed, private or unknown address.
   */
  lookup(ip: string): string | null;
  /** The loaded database's `database_type`, e.g. `GeoLite2-Country`. */
  readonly databaseType: string;
  /** The loaded database's `build_epoch`: seconds since the Unix epoch. */
  readonly buildEpoch: number;
  /** Stops watching the file. Lookups keep answering from the database loaded last. */
  close(): void;
}

export interface CountryDatabaseOptions {
  /** Where a failed reload is reported; without one it is silent. */
  readonly logger?: { warn(obj: object, msg: string): void };
  /** How often the file is checked for changes, in ms (default 5000; at least 10). */
  readonly pollIntervalMs?: number;
}

/** Wait after a change is seen, so a file still being copied in place is read once it is whole. */
const SETTLE_MS = 250;
/** Decoded records kept; a country database has a few hundred distinct ones. */
const CACHE_ENTRIES = 10_000;
/** Longer than any spelling of an IPv6 address (45 characters) with room to spare. */
const MAX_ADDRESS_LENGTH = 64;

/**
 * Addresses for local use, which have no country: a database may map them (operators' custom
 * builds do) but a client seen from one is on the operator's own network or behind it. Networks
 * conditions are the tool for those. Documentation ranges (RFC 5737, RFC 3849) are deliberately
 * not listed, so examples and tests can use them.
 */
const LOCAL_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // RFC 791 "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // RFC 1122 loopback
  ['169.254.0.0', 16], // RFC 3927 link-local
  ['172.16.0.0', 12], // RFC 1918
  ['192.168.0.0', 16], // RFC 1918
];
const LOCAL_V6: readonly (readonly [string, number])[] = [
  ['::', 128], // RFC 4291 unspecified
  ['::1', 128], // RFC 4291 loopback
  ['fc00::', 7], // RFC 4193 unique local
  ['fe80::', 10], // RFC 4291 link-local
];
const local = { v4: new BlockList(), v6: new BlockList() };
for (const [a, n] of LOCAL_V4) local.v4.addSubnet(a, n, 'ipv4');
for (const [a, n] of LOCAL_V6) local.v6.addSubnet(a, n, 'ipv6');

/**
 * The address as the reader should see it, or null when it is not one: IPv4-mapped IPv6
 * (RFC 4291 §2.5.5.2, `::ffff:1.2.3.4` however spelled) becomes the IPv4 address, so it is found
 * in the IPv4 data whether or not the database aliases ::ffff:0:0/96 to it. Scoped addresses
 * (`fe80::1%eth0`) are link-local: null.
 */
function normalize(ip: string): { addr: string; v6: boolean } | null {
  if (typeof ip !== 'string' || ip.length > MAX_ADDRESS_LENGTH || ip.includes('%')) return null;
  const family = isIP(ip);
  if (family === 4) return { addr: ip, v6: false };
  if (family !== 6) return null;
  const plain = plainIp(ip.toLowerCase());
  return isIP(plain) === 4 ? { addr: plain, v6: false } : { addr: plain, v6: true };
}

const ISO_ALPHA2 = /^[A-Z]{2}$/;

/** `record[key].iso_code` when it is two letters; the record comes from a file, so nothing is assumed. */
function isoCode(record: unknown, key: 'country' | 'registered_country'): string | null {
  if (typeof record !== 'object' || record === null || !Object.hasOwn(record, key)) return null;
  const place = (record as Record<string, unknown>)[key];
  if (typeof place !== 'object' || place === null || !Object.hasOwn(place, 'iso_code')) return null;
  const code = (place as Record<string, unknown>)['iso_code'];
  if (typeof code !== 'string') return null;
  const upper = code.toUpperCase();
  return ISO_ALPHA2.test(upper) ? upper : null;
}

/** Accepted `database_type`s: MaxMind's and DB-IP's country and city databases name themselves so. */
const ACCEPTED_TYPE = /Country|City/;

/** Loads and checks one version of the file; throws a coded error naming the path and the reason. */
async function load(path: string): Promise<Reader<CountryResponse>> {
  const invalid = (why: string, cause?: unknown) =>
    new RampartError('RAMPART_CONFIG_INVALID', { detail: `geo-IP database ${path}: ${why}`, cause });
  let st: Stats;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? 'error'})`, err);
  }
  if (!st.isFile()) throw invalid('not a regular file');
  let reader: Reader<CountryResponse>;
  try {
    reader = await open<CountryResponse>(path, { cache: { max: CACHE_ENTRIES } });
  } catch (err) {
    throw invalid(`not a MaxMind DB file (${err instanceof Error ? err.message : 'unreadable'})`, err);
  }
  const m = reader.metadata;
  // MaxMind DB spec 2.0: these metadata keys are required; a reader of major version 2 must refuse others.
  if (m.binaryFormatMajorVersion !== 2) throw invalid(`binary format version ${String(m.binaryFormatMajorVersion)} is not supported (2 is)`);
  if (m.ipVersion !== 4 && m.ipVersion !== 6) throw invalid(`ip_version ${String(m.ipVersion)} is not 4 or 6`);
  if (!Number.isFinite(m.buildEpoch.getTime())) throw invalid('the metadata has no build_epoch');
  if (!Number.isSafeInteger(m.nodeCount) || m.nodeCount < 1 || m.searchTreeSize + 16 > st.size) throw invalid('the search tree is larger than the file (truncated or corrupt)');
  if (typeof m.databaseType !== 'string' || !ACCEPTED_TYPE.test(m.databaseType)) {
    throw invalid(`database type '${String(m.databaseType).slice(0, 100)}' has no countries: use a Country or City database (GeoIP2, GeoLite2, or DB-IP lite in mmdb form)`);
  }
  try {
    // One walk through the IPv4 part and one through the IPv6 part, so a grossly corrupt file
    // fails here rather than on requests (where a failed walk answers null).
    reader.get('1.1.1.1');
    if (m.ipVersion === 6) reader.get('2001:4860::1');
  } catch (err) {
    throw invalid(`the database is corrupt (${err instanceof Error ? err.message : 'lookup failed'})`, err);
  }
  return reader;
}

class CountryDatabase implements CountryLookup {
  readonly #path: string;
  readonly #logger: CountryDatabaseOptions['logger'];
  readonly #onChange: (curr: Stats, prev: Stats) => void;
  #reader: Reader<CountryResponse>;
  #settle: NodeJS.Timeout | null = null;
  #reloading = false;
  #again = false;
  #closed = false;

  constructor(path: string, reader: Reader<CountryResponse>, logger: CountryDatabaseOptions['logger'], intervalMs: number) {
    this.#path = path;
    this.#reader = reader;
    this.#logger = logger;
    this.#onChange = (curr) => {
      if (curr.nlink === 0 && curr.mtimeMs === 0) {
        // Gone (deleted, or between the two steps of a non-atomic replace): keep what is loaded.
        this.#logger?.warn({ path }, 'geo-IP database file disappeared: keeping the loaded database');
        return;
      }
      if (this.#settle) clearTimeout(this.#settle);
      this.#settle = setTimeout(() => this.#reload(), SETTLE_MS);
      this.#settle.unref();
    };
    // Not persistent: the watch alone must not keep the process alive.
    watchFile(path, { persistent: false, interval: intervalMs }, this.#onChange);
  }

  get databaseType(): string {
    return this.#reader.metadata.databaseType;
  }

  get buildEpoch(): number {
    return Math.floor(this.#reader.metadata.buildEpoch.getTime() / 1000);
  }

  lookup(ip: string): string | null {
    const a = normalize(ip);
    if (a === null) return null;
    if (a.v6 ? local.v6.check(a.addr, 'ipv6') : local.v4.check(a.addr, 'ipv4')) return null;
    const reader = this.#reader;
    // An IPv4-only tree is 32 bits deep: an IPv6 address would be read as its first 32 bits.
    if (a.v6 && reader.metadata.ipVersion === 4) return null;
    let record: CountryResponse | null;
    try {
      record = reader.get(a.addr);
    } catch {
      return null; // a damaged region of a database that passed the checks: unknown, not a crash
    }
    return isoCode(record, 'country') ?? isoCode(record, 'registered_country');
  }

  close(): void {
    this.#closed = true;
    unwatchFile(this.#path, this.#onChange);
    if (this.#settle) clearTimeout(this.#settle);
    this.#settle = null;
  }

  /** One reload at a time; a change seen meanwhile reloads again afterwards. */
  #reload(): void {
    this.#settle = null;
    if (this.#closed) return;
    if (this.#reloading) {
      this.#again = true;
      return;
    }
    this.#reloading = true;
    load(this.#path)
      .then(
        (reader) => {
          if (!this.#closed) this.#reader = reader;
        },
        (err: unknown) => {
          this.#logger?.warn({ path: this.#path, err }, 'reloading the geo-IP database failed: keeping the loaded one');
        },
      )
      .finally(() => {
        this.#reloading = false;
        if (this.#again) {
          this.#again = false;
          this.#reload();
        }
      });
  }
}

/**
 * Opens a MaxMind DB country or city database and watches it for updates.
 * Throws RAMPART_CONFIG_INVALID (naming the path and why) when the file is missing, is not a
 * MaxMind DB, or has no countries (an ASN or ISP database).
 */
export async function openCountryDatabase(path: string, opts: CountryDatabaseOptions = {}): Promise<CountryLookup> {
  if (typeof path !== 'string' || path === '') throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'geo-IP database: no path given' });
  const interval = opts.pollIntervalMs ?? 5000;
  if (!Number.isInteger(interval) || interval < 10) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `geo-IP database ${path}: pollIntervalMs must be an integer of at least 10` });
  }
  const reader = await load(path);
  return new CountryDatabase(path, reader, opts.logger, interval);
}
