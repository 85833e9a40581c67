/**
 * The egress proxy's pure decisions: which addresses are public, how request targets are parsed,
 * and how allow-list entries (host pattern + optional port) match. Tables of positives and hard
 * negatives; the proxy tests (egress.test.ts) drive the same rules over a socket.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress, normalizeAddress } from '../../src/sandbox/egress/address-policy.ts';
import { checkTarget, parseAbsoluteHttpUri, parseAuthority, parseEgressAllowList } from '../../src/sandbox/egress/target.ts';
import { filterHeaders, requestHeaders } from '../../src/sandbox/egress/headers.ts';
import { isRampartError } from '../../src/core/errors.ts';

describe('egress address policy', () => {
  const refused = [
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '100.64.0.1', '100.127.255.255', '169.254.169.254', '169.254.0.1', '0.0.0.0', '0.1.2.3',
    '224.0.0.1', '239.255.255.250', '255.255.255.255', '240.0.0.1', '192.0.0.8', '192.0.2.10',
    '198.51.100.7', '203.0.113.9', '198.18.0.1', '198.19.255.255', '192.88.99.1',
    '::', '::1', 'fe80::1', 'febf::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '::ffff:0.0.0.0',
    '::127.0.0.1', '64:ff9b::a00:1', '100::1', '2001:db8::1', '2001::1', '2002:a00:1::1', '3fff::1',
    'fe80::1%eth0', 'not-an-ip', '', '1.2.3', '010.0.0.1',
  ];
  for (const ip of refused) {
    it(`refuses ${JSON.stringify(ip)}`, () => assert.equal(isPublicAddress(ip), false));
  }

  const allowed = [
    '1.1.1.1', '8.8.8.8', '93.184.215.14', '100.63.255.255', '100.128.0.0', '172.15.255.255',
    '172.32.0.0', '169.253.255.255', '192.0.1.255', '198.17.255.255', '198.20.0.0', '223.255.255.255',
    '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e', '2001:4860:4860::8888',
  ];
  for (const ip of allowed) {
    it(`allows ${ip}`, () => assert.equal(isPublicAddress(ip), true));
  }

  it('normalizes IPv4-mapped IPv6 to the IPv4 it carries, and IPv6 to one spelling', () => {
    assert.equal(normalizeAddress('::ffff:7f00:1'), '127.0.0.1');
    assert.equal(normalizeAddress('::FFFF:169.254.169.254'), '169.254.169.254');
    assert.equal(normalizeAddress('2001:0DB8:0000::1'), '2001:db8::1');
    assert.equal(normalizeAddress('fe80::1%lo'), null);
  });
});

describe('egress request targets', () => {
  it('parses CONNECT authorities strictly: host and port required', () => {
    assert.deepEqual(parseAuthority('Example.COM.:443', null), { host: 'example.com', port: 443, literal: false });
    assert.deepEqual(parseAuthority('[2606:4700::1]:443', null), { host: '2606:4700::1', port: 443, literal: true });
    assert.deepEqual(parseAuthority('1.1.1.1:80', null), { host: '1.1.1.1', port: 80, literal: true });
    for (const bad of ['example.com', 'example.com:', 'example.com:0', 'example.com:65536', 'example.com:0443', 'example.com:+443',
      'user@example.com:443', 'exa mple.com:443', 'example.com:443/x', '::1:443', '[::1]', '[fe80::1%eth0]:443', '[example.com]:443',
      'ex%41mple.com:443', 'a..b:443', '-:443:1', '', ':443', 'éxample.com:443']) {
      assert.equal(parseAuthority(bad, null), null, bad);
    }
  });

  it('treats numeric spellings of an address as IP literals', () => {
    assert.deepEqual(parseAuthority('2130706433:443', null), { host: '127.0.0.1', port: 443, literal: true });
    assert.deepEqual(parseAuthority('0x7f.1:443', null), { host: '127.0.0.1', port: 443, literal: true });
  });

  it('parses absolute http:// URIs and refuses every other form', () => {
    assert.deepEqual(parseAbsoluteHttpUri('http://example.com/a/b?c=d'), {
      target: { host: 'example.com', port: 80, literal: false }, authority: 'example.com', path: '/a/b?c=d',
    });
    assert.deepEqual(parseAbsoluteHttpUri('HTTP://example.com:8080'), {
      target: { host: 'example.com', port: 8080, literal: false }, authority: 'example.com:8080', path: '/',
    });
    assert.equal(parseAbsoluteHttpUri('http://example.com?x')?.path, '/?x');
    for (const bad of ['/relative', 'https://example.com/', 'http://user:pw@example.com/', 'http://example.com/#frag',
      'http:///path', 'http://example.com:99999/', 'ftp://example.com/', 'http://[::1/', 'http://example.com\\@evil/', '*']) {
      assert.equal(parseAbsoluteHttpUri(bad), null, bad);
    }
  });
});

describe('egress allow-list', () => {
  const rules = parseEgressAllowList(['api.example.com', '*.cdn.example.org', 'api.example.com:8443', '[2606:4700::1]:8443']);
  const check = (host: string, port: number) => checkTarget(rules, parseAuthority(`${host}:${port}`, null)!);

  it('allows ports 80 and 443 for an entry without a port, and only the named port otherwise', () => {
    assert.equal(check('api.example.com', 443), null);
    assert.equal(check('api.example.com', 80), null);
    assert.equal(check('api.example.com', 8443), null);
    assert.equal(check('api.example.com', 22), 'port-not-allowed');
    assert.equal(check('[2606:4700::1]', 8443), null);
    assert.equal(check('[2606:4700::1]', 443), 'port-not-allowed');
  });

  it('matches host patterns as the tool policy does', () => {
    assert.equal(check('x.y.cdn.example.org', 443), null);
    assert.equal(check('cdn.example.org', 443), 'host-not-allowed');
    assert.equal(check('api.example.com.evil.test', 443), 'host-not-allowed');
  });

  it('lets `*` with a port allow any host on that port only', () => {
    const any = parseEgressAllowList(['*:9999']);
    assert.equal(checkTarget(any, parseAuthority('evil.test:9999', null)!), null);
    assert.equal(checkTarget(any, parseAuthority('evil.test:443', null)!), 'port-not-allowed');
  });

  it('refuses everything when empty', () => {
    assert.equal(checkTarget(parseEgressAllowList([]), { host: 'example.com', port: 443, literal: false }), 'host-not-allowed');
  });

  it('rejects malformed entries with a coded error naming the index', () => {
    for (const bad of ['', 'https://example.com', 'example.com:0', 'example.com:x', 'ex*ample.com', 'example.com/path', 'a@b.com', '[::1']) {
      assert.throws(() => parseEgressAllowList(['ok.example.com', bad]), (e: unknown) => isRampartError(e) && e.code === 'RAMPART_CONFIG_INVALID' && /allowHosts\[1\]/.test(e.message), bad);
    }
  });
});

describe('egress forwarded headers', () => {
  it('drops hop-by-hop fields and those Connection names, but never Content-Length', () => {
    const raw = ['Host', 'evil.test', 'Proxy-Authorization', 'Basic eA==', 'Connection', 'keep-alive, X-Secret, content-length',
      'X-Secret', 's', 'Content-Length', '3', 'Accept', '*/*', 'Expect', '100-continue', 'Proxy-Connection', 'keep-alive'];
    assert.deepEqual(requestHeaders(raw, 'api.example.com:8080'), ['host', 'api.example.com:8080', 'Content-Length', '3', 'Accept', '*/*']);
    assert.deepEqual(filterHeaders(['Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a', 'Set-Cookie', 'b']), ['Set-Cookie', 'a', 'Set-Cookie', 'b']);
  });

  it('forwards a chunked body as chunked and refuses other transfer codings', () => {
    assert.deepEqual(requestHeaders(['Transfer-Encoding', 'chunked'], 'h'), ['host', 'h', 'transfer-encoding', 'chunked']);
    assert.equal(requestHeaders(['Transfer-Encoding', 'gzip, chunked'], 'h'), null);
  });
});
