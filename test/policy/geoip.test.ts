/**
 * The geo-IP country lookup over real MaxMind DB files (written by test/support/mmdb-writer.ts,
 * read by the `maxmind` package): lookups as tables of hits and hard negatives, the files it must
 * refuse, and reloading when the operator replaces the file.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it, type TestContext } from 'node:test';
import { RampartError } from '../../src/core/errors.ts';
import { openCountryDatabase, type CountryLookup } from '../../src/policy/geoip.ts';
import { buildMmdb, writeMmdb, type MmdbEntry, type MmdbOptions } from '../support/mmdb-writer.ts';

const COUNTRY: MmdbOptions = { databaseType: 'GeoLite2-Country', buildEpoch: 1_767_225_600 };

const ENTRIES: MmdbEntry[] = [
  { cidr: '203.0.113.0/24', country: 'DE' },
  { cidr: '203.0.113.128/25', country: 'AT', registeredCountry: 'DE' }, // more specific, written later
  { cidr: '198.51.100.0/24', registeredCountry: 'US' }, // e.g. anycast: registrant only
  { cidr: '192.0.2.0/25', country: 'fr' },
  { cidr: '192.0.2.128/25', record: { country: { iso_code: 42 }, registered_country: { iso_code: 'GB' } } },
  { cidr: '2001:db8::/32', country: 'JP' },
  { cidr: '2001:db8:ca00::/40', country: 'CA' },
  { cidr: '2001:db8:bad::/48', record: { continent: { code: 'EU' } } },
  { cidr: '3fff::/20', record: { country: { iso_code: 'DEU' } } },
  // Local ranges some operators map in custom builds: never a country.
  { cidr: '10.0.0.0/8', country: 'DE' },
  { cidr: '127.0.0.0/8', country: 'DE' },
  { cidr: 'fc00::/7', country: 'DE' },
];

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-geoip-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

async function assertConfigInvalid(path: string, why: RegExp): Promise<void> {
  await assert.rejects(openCountryDatabase(path), (err: unknown) => {
    assert.ok(err instanceof RampartError);
    assert.equal(err.code, 'RAMPART_CONFIG_INVALID');
    assert.ok(err.detail?.includes(path), `detail names the path: ${err.detail}`);
    assert.match(err.detail ?? '', why);
    return true;
  });
}

describe('geo-IP country lookup', () => {
  let dir: string;
  let geo: CountryLookup;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-geoip-'));
    const file = join(dir, 'country.mmdb');
    // No ::ffff:0:0/96 alias in this file: mapped addresses must be unmapped by the lookup itself.
    await writeMmdb(file, ENTRIES, { ...COUNTRY, aliasIpv4Mapped: false });
    geo = await openCountryDatabase(file);
  });
  after(async () => {
    geo.close();
    await rm(dir, { recursive: true, force: true });
  });

  const table: [string, string | null, string][] = [
    ['203.0.113.7', 'DE', 'IPv4'],
    ['203.0.113.127', 'DE', 'last address before the more specific network'],
    ['203.0.113.128', 'AT', 'the more specific network wins'],
    ['203.0.113.255', 'AT', 'last address of the network'],
    ['203.0.112.255', null, 'just below the network'],
    ['203.0.114.0', null, 'just above the network'],
    ['2001:db8::1', 'JP', 'IPv6'],
    ['2001:DB8:0:0:0:0:0:1', 'JP', 'IPv6, long form, upper case'],
    ['2001:db8:caff::1', 'CA', 'IPv6, more specific'],
    ['2001:db8:cb00::1', 'JP', 'IPv6, just past the more specific network'],
    ['2001:db9::1', null, 'IPv6 outside any network'],
    ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', null, 'IPv6 just below the network'],
    ['::ffff:203.0.113.7', 'DE', 'IPv4-mapped'],
    ['::FFFF:203.0.113.200', 'AT', 'IPv4-mapped, upper case'],
    ['::ffff:cb00:7107', 'DE', 'IPv4-mapped in hex'],
    ['0:0:0:0:0:ffff:203.0.113.7', 'DE', 'IPv4-mapped, long form'],
    ['0000:0000:0000:0000:0000:FFFF:CB00:7107', 'DE', 'IPv4-mapped, long hex form'],
    ['::ffff:8.8.8.8', null, 'IPv4-mapped outside any network'],
    ['8.8.8.8', null, 'IPv4 outside any network'],
    ['1.1.1.1', null, 'IPv4 outside any network'],
    ['2606:4700::1111', null, 'IPv6 outside any network'],
    ['198.51.100.1', 'US', 'no country: the registered country'],
    ['203.0.113.129', 'AT', 'both: the country, not the registered one'],
    ['192.0.2.200', 'GB', 'a country code that is not a string: the registered country'],
    ['192.0.2.1', 'FR', 'lower case in the file comes out upper case'],
    ['2001:db8:bad::1', null, 'a record without any country'],
    ['3fff::1', null, 'a code that is not ISO 3166-1 alpha-2'],
    ['10.1.2.3', null, 'RFC 1918, even though the file maps it'],
    ['::ffff:10.1.2.3', null, 'RFC 1918, mapped'],
    ['127.0.0.1', null, 'loopback, even though the file maps it'],
    ['fd00::1', null, 'unique local, even though the file maps it'],
    ['::1', null, 'IPv6 loopback'],
    ['fe80::1', null, 'IPv6 link-local'],
    ['172.16.0.1', null, 'RFC 1918'],
    ['100.64.0.1', null, 'carrier-grade NAT'],
  ];
  for (const [ip, want, why] of table) {
    it(`${ip} → ${want ?? 'null'} (${why})`, () => {
      assert.equal(geo.lookup(ip), want);
    });
  }

  const malformed = [
    '',
    'localhost',
    '203.0.113',
    '203.0.113.7.1',
    '203.0.113.256',
    '203.0.113.07',
    ' 203.0.113.7',
    '203.0.113.7 ',
    '203.0.113.7/24',
    '203.0.113.7:443',
    '[2001:db8::1]',
    '2001:db8::g',
    '2001:db8:::1',
    '2001:db8::1%eth0',
    'fe80::1%eth0',
    '::ffff:203.0.113.7'.padStart(200, '0'),
    '1'.repeat(10_000),
  ];
  for (const ip of malformed) {
    it(`answers null for the malformed address ${JSON.stringify(ip.length > 40 ? `${ip.slice(0, 20)}…` : ip)}`, () => {
      assert.equal(geo.lookup(ip), null);
    });
  }

  it('answers null for values that are not strings', () => {
    for (const v of [undefined, null, 42, {}, ['203.0.113.7']]) assert.equal(geo.lookup(v as unknown as string), null);
  });

  it('reports the database type and build time', () => {
    assert.equal(geo.databaseType, 'GeoLite2-Country');
    assert.equal(geo.buildEpoch, 1_767_225_600);
  });
});

describe('geo-IP database files', () => {
  it('refuses a file that does not exist', async (t) => {
    const dir = await tempDir(t);
    await assertConfigInvalid(join(dir, 'missing.mmdb'), /does not exist/);
  });

  it('refuses a directory', async (t) => {
    const dir = await tempDir(t);
    await mkdir(join(dir, 'GeoLite2-Country.mmdb'));
    await assertConfigInvalid(join(dir, 'GeoLite2-Country.mmdb'), /not a regular file/);
  });

  const notMmdb: [string, () => Buffer][] = [
    ['an empty file', () => Buffer.alloc(0)],
    ['a text file', () => Buffer.from('203.0.113.0/24,DE\n2001:db8::/32,JP\n')],
    ['random bytes', () => randomBytes(64 * 1024)],
    ['a gzipped database', () => gzipSync(buildMmdb(ENTRIES, COUNTRY))],
    ['the first half of a database', () => buildMmdb(ENTRIES, COUNTRY).subarray(0, 700)],
    ['a database without its last byte', () => buildMmdb(ENTRIES, COUNTRY).subarray(0, -1)],
  ];
  for (const [what, bytes] of notMmdb) {
    it(`refuses ${what}`, async (t) => {
      const file = join(await tempDir(t), 'country.mmdb');
      await writeFile(file, bytes());
      await assertConfigInvalid(file, /not a MaxMind DB file|corrupt|larger than the file/);
    });
  }

  it('refuses a database whose metadata claims more tree than the file holds', async (t) => {
    const file = join(await tempDir(t), 'country.mmdb');
    await writeMmdb(file, ENTRIES, { ...COUNTRY, metadata: { node_count: 5_000_000 } });
    await assertConfigInvalid(file, /larger than the file/);
  });

  it('refuses a binary format major version other than 2', async (t) => {
    const file = join(await tempDir(t), 'country.mmdb');
    await writeMmdb(file, ENTRIES, { ...COUNTRY, metadata: { binary_format_major_version: 3 } });
    await assertConfigInvalid(file, /binary format version 3/);
  });

  const wrongTypes = [
    'GeoLite2-ASN',
    'GeoIP2-ISP',
    'GeoIP2-Anonymous-IP',
    'GeoIP2-Connection-Type',
    'DBIP-ASN-Lite',
    'ipinfo country.mmdb', // another schema (a bare `country` string): not read, so refused
    '',
  ];
  for (const databaseType of wrongTypes) {
    it(`refuses a database of type ${JSON.stringify(databaseType)}`, async (t) => {
      const file = join(await tempDir(t), 'db.mmdb');
      await writeMmdb(file, [{ cidr: '203.0.113.0/24', record: { autonomous_system_number: 64500 } }], { databaseType });
      await assertConfigInvalid(file, /has no countries/);
    });
  }

  const rightTypes = ['GeoLite2-Country', 'GeoIP2-Country', 'GeoLite2-City', 'GeoIP2-City', 'DBIP-Country-Lite', 'DBIP-City-Lite'];
  for (const databaseType of rightTypes) {
    it(`opens a database of type ${databaseType}`, async (t) => {
      const file = join(await tempDir(t), 'db.mmdb');
      await writeMmdb(file, ENTRIES, { databaseType });
      const geo = await openCountryDatabase(file);
      t.after(() => geo.close());
      assert.equal(geo.databaseType, databaseType);
      assert.equal(geo.lookup('203.0.113.7'), 'DE');
    });
  }

  it('reads the country of a city record', async (t) => {
    const file = join(await tempDir(t), 'city.mmdb');
    const record = {
      city: { geoname_id: 2867714, names: { en: 'Munich', de: 'München' } },
      continent: { code: 'EU', geoname_id: 6255148 },
      country: { geoname_id: 2921044, is_in_european_union: true, iso_code: 'DE' },
      location: { accuracy_radius: 20, latitude: 48.1374, longitude: 11.5755, time_zone: 'Europe/Berlin' },
      subdivisions: [{ iso_code: 'BY', names: { en: 'Bavaria' } }],
    };
    await writeMmdb(file, [{ cidr: '2001:db8::/32', record }], { databaseType: 'GeoLite2-City' });
    const geo = await openCountryDatabase(file);
    t.after(() => geo.close());
    assert.equal(geo.lookup('2001:db8::1'), 'DE');
  });

  for (const recordSize of [24, 28, 32] as const) {
    it(`reads ${recordSize}-bit records`, async (t) => {
      const file = join(await tempDir(t), 'country.mmdb');
      await writeMmdb(file, ENTRIES, { ...COUNTRY, recordSize });
      const geo = await openCountryDatabase(file);
      t.after(() => geo.close());
      assert.deepEqual(['203.0.113.7', '203.0.113.200', '2001:db8::1', '198.51.100.1', '8.8.8.8'].map((ip) => geo.lookup(ip)), ['DE', 'AT', 'JP', 'US', null]);
    });
  }

  it('answers through the ::ffff:0:0/96 alias that MaxMind databases carry', async (t) => {
    const file = join(await tempDir(t), 'country.mmdb');
    await writeMmdb(file, ENTRIES, COUNTRY); // the writer aliases by default
    const geo = await openCountryDatabase(file);
    t.after(() => geo.close());
    assert.deepEqual(['::ffff:203.0.113.7', '::ffff:cb00:7107', '203.0.113.7'].map((ip) => geo.lookup(ip)), ['DE', 'DE', 'DE']);
  });

  it('answers null for IPv6 from an IPv4-only database', async (t) => {
    const file = join(await tempDir(t), 'v4.mmdb');
    await writeMmdb(file, [{ cidr: '0.0.0.0/1', country: 'DE' }, { cidr: '128.0.0.0/1', country: 'NL' }], { ...COUNTRY, ipVersion: 4 });
    const geo = await openCountryDatabase(file);
    t.after(() => geo.close());
    assert.equal(geo.lookup('8.8.8.8'), 'DE');
    assert.equal(geo.lookup('::ffff:203.0.113.7'), 'NL');
    // An IPv4 tree would read the first 32 bits of these as an IPv4 address.
    assert.equal(geo.lookup('2001:db8::1'), null);
    assert.equal(geo.lookup('8.8.8.8::'), null);
  });

  it('refuses a poll interval that is not a positive integer', async (t) => {
    const file = join(await tempDir(t), 'country.mmdb');
    await writeMmdb(file, ENTRIES, COUNTRY);
    for (const pollIntervalMs of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(openCountryDatabase(file, { pollIntervalMs }), { code: 'RAMPART_CONFIG_INVALID' });
    }
  });
});

describe('geo-IP database reload', () => {
  const POLL = { pollIntervalMs: 20 };

  async function setup(t: TestContext) {
    const dir = await tempDir(t);
    const file = join(dir, 'GeoLite2-Country.mmdb');
    await writeMmdb(file, [{ cidr: '203.0.113.0/24', country: 'DE' }], { ...COUNTRY, buildEpoch: 1_700_000_000 });
    const warnings: { obj: object; msg: string }[] = [];
    const geo = await openCountryDatabase(file, { ...POLL, logger: { warn: (obj, msg) => warnings.push({ obj, msg }) } });
    t.after(() => geo.close());
    assert.equal(geo.lookup('203.0.113.7'), 'DE');
    /** Replaces the file the way geoipupdate does: write a temporary file, rename it over. */
    const replace = async (bytes: Buffer) => {
      const tmp = join(dir, `.next-${Math.random().toString(36).slice(2)}`);
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    };
    return { dir, file, geo, warnings, replace };
  }

  const NEXT: MmdbEntry[] = [
    { cidr: '203.0.113.0/24', country: 'NL' },
    { cidr: '2001:db8::/32', country: 'SE' },
  ];

  it('loads a database renamed over the file', async (t) => {
    const { geo, replace } = await setup(t);
    await replace(buildMmdb(NEXT, { ...COUNTRY, buildEpoch: 1_800_000_000 }));
    await eventually(() => geo.lookup('203.0.113.7') === 'NL', 'the new database is loaded');
    assert.equal(geo.lookup('2001:db8::1'), 'SE');
    assert.equal(geo.buildEpoch, 1_800_000_000);
  });

  it('loads a database written over the file in place', async (t) => {
    const { geo, file } = await setup(t);
    await writeMmdb(file, NEXT, COUNTRY);
    await eventually(() => geo.lookup('203.0.113.7') === 'NL', 'the new database is loaded');
  });

  it('keeps the loaded database and warns when the new file is not a MaxMind DB, then loads a good one', async (t) => {
    const { geo, warnings, replace } = await setup(t);
    await replace(Buffer.from('not a database'));
    await eventually(() => warnings.length > 0, 'the failed reload is reported');
    assert.match(warnings[0]!.msg, /reloading the geo-IP database failed/);
    assert.equal((warnings[0]!.obj as { err?: RampartError }).err?.code, 'RAMPART_CONFIG_INVALID');
    assert.equal(geo.lookup('203.0.113.7'), 'DE');
    assert.equal(geo.buildEpoch, 1_700_000_000);

    await replace(buildMmdb(NEXT, COUNTRY));
    await eventually(() => geo.lookup('203.0.113.7') === 'NL', 'the good database is loaded');
  });

  it('keeps the loaded database when the new file has no countries', async (t) => {
    const { geo, warnings, replace } = await setup(t);
    await replace(buildMmdb([{ cidr: '203.0.113.0/24', record: { autonomous_system_number: 64500 } }], { databaseType: 'GeoLite2-ASN' }));
    await eventually(() => warnings.length > 0, 'the failed reload is reported');
    assert.equal(geo.databaseType, 'GeoLite2-Country');
    assert.equal(geo.lookup('203.0.113.7'), 'DE');
  });

  it('keeps the loaded database when the file is deleted', async (t) => {
    const { geo, file, warnings } = await setup(t);
    await rm(file);
    await eventually(() => warnings.length > 0, 'the missing file is reported');
    assert.equal(geo.lookup('203.0.113.7'), 'DE');
  });

  it('stops watching when closed, and keeps answering', async (t) => {
    const { geo, replace } = await setup(t);
    geo.close();
    await replace(buildMmdb(NEXT, COUNTRY));
    await sleep(1000); // many poll intervals and settle delays
    assert.equal(geo.lookup('203.0.113.7'), 'DE');
  });
});
