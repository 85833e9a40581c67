/**
 * The egress proxy alone, driven over its Unix socket by Node's own HTTP client and by raw bytes.
 * This machine has no internet, so "allowed.test" resolves (through the injected resolver) to a
 * test server on 127.0.0.1, and the tests that reach it accept exactly that address; every other
 * test runs with the default address policy.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { startEgressProxy, type EgressAttempt, type EgressProxy, type EgressProxyOptions } from '../../src/sandbox/egress/proxy.ts';

let dir: string;
let origin: Server;
let port: number;
let seq = 0;
/** Every proxy a test starts, closed after the file (also when a test fails half-way). */
const opened: EgressProxy[] = [];

const onlyLoopback = (ip: string) => ip === '127.0.0.1';
const names: Record<string, string[]> = { 'allowed.test': ['127.0.0.1'] };
const resolveTest = async (host: string) => {
  const found = names[host];
  if (found === undefined) throw new Error(`ENOTFOUND ${host}`);
  return found;
};

async function proxyWith(opts: Partial<EgressProxyOptions>): Promise<EgressProxy & { seen: EgressAttempt[] }> {
  const seen: EgressAttempt[] = [];
  const proxy = await startEgressProxy({
    socketPath: join(dir, `p${seq++}.sock`),
    allowHosts: [`allowed.test:${port}`],
    resolve: resolveTest,
    onAttempt: (a) => seen.push(a),
    ...opts,
  });
  opened.push(proxy);
  return Object.assign(proxy, { seen });
}

/** Sends `text` and returns everything the proxy answers until it closes. */
function raw(socketPath: string, text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let out = '';
    s.setTimeout(5_000, () => s.destroy(new Error('no answer')));
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', (e) => (out === '' ? reject(e) : resolve(out)));
    s.on('close', () => resolve(out));
    s.end(text);
  });
}

/** A CONNECT through the proxy: the status line and, on 200, the tunnel socket. */
function tunnel(socketPath: string, authority: string): Promise<{ status: number; reason: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'CONNECT', path: authority, timeout: 5_000 });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode!, reason: res.statusMessage!, socket }));
    req.on('timeout', () => req.destroy(new Error('CONNECT timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A plain HTTP request through the proxy (absolute-form target). */
function viaProxy(socketPath: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; reason: string; body: string }>((resolve, reject) => {
    const req = request({ socketPath, method: init.method ?? 'GET', path: url, headers: init.headers, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, reason: res.statusMessage!, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Writes `text` on an open tunnel and returns everything that comes back until it closes. */
function exchange(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    socket.on('data', (d) => (out += d));
    socket.on('close', () => resolve(out));
    socket.write(text);
  });
}

/** Speaks HTTP/1.0 over an open tunnel and returns the raw answer. */
const getOverTunnel = (socket: Socket, path: string) => exchange(socket, `GET ${path} HTTP/1.0\r\nHost: allowed.test\r\n\r\n`);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-egress-'));
  origin = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })));
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  port = (origin.address() as AddressInfo).port;
});

after(async () => {
  await Promise.all(opened.map((p) => p.close()));
  origin.closeAllConnections();
  await new Promise((r) => origin.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('egress proxy: allowed traffic', () => {
  it('tunnels CONNECT to an allowed host and records the attempt', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback });
    const t = await tunnel(proxy.socketPath, `allowed.test:${port}`);
    assert.equal(t.status, 200);
    const answer = await getOverTunnel(t.socket, '/through-tunnel');
    assert.match(answer, /^HTTP\/1\.1 200 OK/);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).url, '/through-tunnel');
    assert.deepEqual(proxy.attempts(), [{ host: 'allowed.test', port, allowed: true, via: 'connect' }]);
    assert.deepEqual(proxy.seen, proxy.attempts());
  });

  it('forwards plain HTTP with Host taken from the URI, without proxy credentials, body intact', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback });
    const res = await viaProxy(proxy.socketPath, `http://ALLOWED.test:${port}/echo?q=1`, {
      method: 'POST',
      headers: { host: 'evil.test', 'proxy-authorization': 'Basic c2VjcmV0', 'content-type': 'text/plain' },
      body: 'payload',
    });
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.body);
    assert.equal(seen.url, '/echo?q=1');
    assert.equal(seen.headers.host, `ALLOWED.test:${port}`);
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(seen.body, 'payload');
    assert.deepEqual(proxy.attempts(), [{ host: 'allowed.test', port, allowed: true, via: 'http' }]);
  });

  it('checks every request on a kept-alive connection on its own', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    const get = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ socketPath: proxy.socketPath, path: url, agent }, (res) => (res.resume(), res.on('end', () => resolve(res.statusCode!))));
        req.on('socket', () => reused.push(req.reusedSocket));
        req.on('error', reject);
        req.end();
      });
    assert.equal(await get(`http://allowed.test:${port}/1`), 200);
    assert.equal(await get('http://other.test/'), 403);
    assert.deepEqual(reused, [false, true]);
    assert.deepEqual(proxy.attempts().map((a) => a.allowed), [true, false]);
    agent.destroy();
  });

  it('resolves once and connects to the address it checked (no DNS rebinding)', async () => {
    let calls = 0;
    const rebinding = async () => (++calls === 1 ? ['127.0.0.1'] : ['169.254.169.254']);
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, resolve: rebinding });
    const res = await viaProxy(proxy.socketPath, `http://allowed.test:${port}/`);
    assert.equal(res.status, 200);
    assert.equal(calls, 1);
  });
});

describe('egress proxy: hostile upstreams', () => {
  /** An upstream that answers every connection with `answer`, raw. */
  async function rawUpstream(t: { after(fn: () => void): void }, answer: string): Promise<number> {
    const server = createNetServer((s) => {
      s.on('error', () => s.destroy());
      s.once('data', () => s.end(answer, 'latin1'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    return (server.address() as AddressInfo).port;
  }

  const answers: [string, string][] = [
    ['a status below 100', 'HTTP/1.1 099 x\r\ncontent-length: 2\r\n\r\nok'],
    ['a status of 000', 'HTTP/1.1 000 x\r\ncontent-length: 2\r\n\r\nok'],
    ['a control byte in the reason phrase', 'HTTP/1.1 200 O\x01K\r\ncontent-length: 2\r\n\r\nok'],
  ];
  for (const [label, answer] of answers) {
    it(`answers 502 to ${label}, and keeps serving`, async (t) => {
      const badPort = await rawUpstream(t, answer);
      const proxy = await proxyWith({ allowHosts: [`allowed.test:${badPort}`, `allowed.test:${port}`], allowAddresses: onlyLoopback });
      const res = await viaProxy(proxy.socketPath, `http://allowed.test:${badPort}/`);
      assert.equal(res.status, 502);
      assert.equal((await viaProxy(proxy.socketPath, `http://allowed.test:${port}/after`)).status, 200, 'the proxy still works');
    });
  }

  it('passes an unusual but valid status on with the standard reason phrase, never the upstream\'s', async (t) => {
    const oddPort = await rawUpstream(t, 'HTTP/1.1 299 Totally Fine\r\ncontent-length: 2\r\n\r\nok');
    const teaPort = await rawUpstream(t, 'HTTP/1.1 418 Login at evil.example\r\ncontent-length: 2\r\n\r\nok');
    const proxy = await proxyWith({ allowHosts: [`allowed.test:${oddPort}`, `allowed.test:${teaPort}`], allowAddresses: onlyLoopback });
    const odd = await viaProxy(proxy.socketPath, `http://allowed.test:${oddPort}/`);
    assert.deepEqual([odd.status, odd.reason, odd.body], [299, 'unknown', 'ok']);
    const tea = await viaProxy(proxy.socketPath, `http://allowed.test:${teaPort}/`);
    assert.deepEqual([tea.status, tea.reason, tea.body], [418, "I'm a Teapot", 'ok']);
  });
});

describe('egress proxy: refusals', () => {
  it('refuses a host not on the allow-list with 403, without resolving it', async () => {
    let calls = 0;
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, resolve: async (h) => (calls++, resolveTest(h)) });
    const t = await tunnel(proxy.socketPath, 'other.test:443');
    assert.deepEqual([t.status, t.reason], [403, 'host not allowed']);
    const res = await viaProxy(proxy.socketPath, 'http://other.test/');
    assert.deepEqual([res.status, res.body], [403, 'rampart egress: host not allowed\n']);
    assert.equal(calls, 0);
    assert.deepEqual(proxy.seen, [
      { host: 'other.test', port: 443, allowed: false, reason: 'host-not-allowed', via: 'connect' },
      { host: 'other.test', port: 80, allowed: false, reason: 'host-not-allowed', via: 'http' },
    ]);
  });

  it('refuses a port the entry does not allow', async () => {
    const proxy = await proxyWith({ allowHosts: ['allowed.test'], allowAddresses: onlyLoopback });
    const t = await tunnel(proxy.socketPath, 'allowed.test:22');
    assert.deepEqual([t.status, t.reason], [403, 'port not allowed']);
    assert.equal(proxy.seen[0]?.reason, 'port-not-allowed');
  });

  const private_: [string, string[]][] = [
    ['loopback', ['127.0.0.1']], ['RFC 1918', ['10.0.0.1']], ['metadata endpoint', ['169.254.169.254']],
    ['IPv6 loopback', ['::1']], ['IPv4-mapped loopback', ['::ffff:127.0.0.1']], ['CGNAT', ['100.64.0.1']],
    ['ULA', ['fd00::1']], ['one private among public', ['93.184.215.14', '192.168.0.10']], ['not an address', ['localhost']],
  ];
  for (const [label, addresses] of private_) {
    it(`refuses an allowed name that resolves to a non-public address: ${label}`, async () => {
      const proxy = await proxyWith({ allowHosts: ['allowed.test'], resolve: async () => addresses });
      const t = await tunnel(proxy.socketPath, 'allowed.test:443');
      assert.deepEqual([t.status, t.reason], [403, 'address not allowed']);
      const res = await viaProxy(proxy.socketPath, 'http://allowed.test/latest/meta-data/');
      assert.equal(res.status, 403);
      assert.deepEqual(proxy.seen.map((a) => [a.allowed, a.reason]), [[false, 'address-not-allowed'], [false, 'address-not-allowed']]);
    });
  }

  it('refuses IP literals of non-public addresses even when every host is allowed', async () => {
    const proxy = await proxyWith({ allowHosts: ['*'], resolve: async () => assert.fail('an IP literal is not resolved') });
    for (const authority of ['127.0.0.1:443', '[::1]:443', '169.254.169.254:80', '2130706433:443', '0x7f.1:443', '[::ffff:7f00:1]:443', '10.1.2.3:443']) {
      const t = await tunnel(proxy.socketPath, authority);
      assert.deepEqual([t.status, t.reason], [403, 'address not allowed'], authority);
    }
    const res = await viaProxy(proxy.socketPath, 'http://169.254.169.254/latest/meta-data/iam/');
    assert.equal(res.status, 403);
    assert.ok(proxy.seen.every((a) => !a.allowed && a.reason === 'address-not-allowed'));
    assert.equal(proxy.seen[3]?.host, '127.0.0.1');
  });

  it('refuses malformed requests with 400 and other methods with 405', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback });
    const cases: [string | Buffer, number][] = [
      ['HELLO\r\n\r\n', 400],
      [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]), 400],
      [`CONNECT allowed.test HTTP/1.1\r\n\r\n`, 400],
      [`CONNECT user@allowed.test:${port} HTTP/1.1\r\n\r\n`, 400],
      [`CONNECT allowed.test:${port}/x HTTP/1.1\r\n\r\n`, 400],
      [`CONNECT allowed.test:99999 HTTP/1.1\r\n\r\n`, 400],
      ['GET /relative HTTP/1.1\r\nHost: allowed.test\r\n\r\n', 400],
      [`GET https://allowed.test:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`, 400],
      [`GET http://u:p@allowed.test:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`, 400],
      [`GET http://allowed.test:${port}/ HTTP/1.1 extra\r\n\r\n`, 400],
      [`GET http://allowed.test:${port}/ HTTP/1.1\nHost: x\n\n`, 400],
      [`GET http://allowed.test:${port}/ HTTP/1.1\r\nBad Header: x\r\n\r\n`, 400],
      [`TRACE http://allowed.test:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`, 405],
      [`PROPFIND http://allowed.test:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`, 405],
    ];
    for (const [text, status] of cases) {
      const answer = await raw(proxy.socketPath, text);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), JSON.stringify(text.toString()));
    }
    assert.deepEqual(proxy.attempts(), []);
  });

  it('refuses a WebSocket upgrade over plain HTTP with 501', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback });
    const answer = await raw(proxy.socketPath, `GET http://allowed.test:${port}/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 501 upgrade not supported/);
  });

  it('answers 431 to a request head larger than maxHeaderBytes', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, maxHeaderBytes: 4_096 });
    const answer = await raw(proxy.socketPath, `GET http://allowed.test:${port}/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    const connectAnswer = await raw(proxy.socketPath, `CONNECT allowed.test:${port} HTTP/1.1\r\nX-Big: ${'a'.repeat(8_000)}\r\n\r\n`);
    assert.match(connectAnswer, /^HTTP\/1\.1 431 /);
  });

  it('answers 502 when the name does not resolve, and records it as refused', async () => {
    const proxy = await proxyWith({ allowHosts: ['nx.test', 'empty.test'], resolve: async (h) => (h === 'empty.test' ? [] : resolveTest(h)) });
    const t = await tunnel(proxy.socketPath, 'nx.test:443');
    assert.deepEqual([t.status, t.reason], [502, 'dns lookup failed']);
    const res = await viaProxy(proxy.socketPath, 'http://empty.test/');
    assert.equal(res.status, 502);
    assert.deepEqual(proxy.seen.map((a) => a.reason), ['dns-failed', 'dns-failed']);
  });

  it('answers 504 when the resolver does not answer within connectTimeoutMs', async () => {
    const proxy = await proxyWith({ allowHosts: ['slow.test'], connectTimeoutMs: 200, resolve: () => new Promise(() => {}) });
    const started = Date.now();
    const t = await tunnel(proxy.socketPath, 'slow.test:443');
    assert.deepEqual([t.status, t.reason], [504, 'upstream timeout']);
    assert.ok(Date.now() - started < 2_000);
  });

  it('answers 502 when the upstream refuses the connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const proxy = await proxyWith({ allowHosts: [`allowed.test:${deadPort}`], allowAddresses: onlyLoopback });
    const t = await tunnel(proxy.socketPath, `allowed.test:${deadPort}`);
    assert.deepEqual([t.status, t.reason], [502, 'upstream connect failed']);
  });

  it('answers 504 when the upstream does not accept within connectTimeoutMs', async (t) => {
    // A listener with a full accept queue drops further SYNs, so connecting hangs.
    const py: ChildProcess = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True);time.sleep(30)']);
    t.after(() => py.kill());
    const stuckPort = Number(await new Promise<string>((r) => py.stdout!.once('data', (d) => r(String(d).trim()))));
    const filler = connect(stuckPort, '127.0.0.1');
    await new Promise((r) => filler.once('connect', r));
    t.after(() => filler.destroy());
    const proxy = await proxyWith({ allowHosts: [`allowed.test:${stuckPort}`], allowAddresses: onlyLoopback, connectTimeoutMs: 300 });
    const res = await tunnel(proxy.socketPath, `allowed.test:${stuckPort}`);
    assert.deepEqual([res.status, res.reason], [504, 'upstream timeout']);
    assert.equal(proxy.seen[0]?.allowed, true);
  });
});

describe('egress proxy: limits and lifecycle', () => {
  it('answers 503 past maxConnections and accepts again once one closes', async () => {
    const proxy = await proxyWith({ maxConnections: 2, allowAddresses: onlyLoopback });
    const held = [connect(proxy.socketPath), connect(proxy.socketPath)];
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    assert.match(await raw(proxy.socketPath, `GET http://other.test/ HTTP/1.1\r\nHost: x\r\n\r\n`), /^HTTP\/1\.1 503 too many connections/);
    const closed = new Promise((r) => held[0]!.once('close', r));
    held[0]!.destroy();
    await closed;
    await new Promise((r) => setTimeout(r, 50));
    assert.match(await raw(proxy.socketPath, `GET http://other.test/ HTTP/1.1\r\nHost: x\r\n\r\n`), /^HTTP\/1\.1 403 host not allowed/);
    held[1]!.destroy();
  });

  it('closes a tunnel that stays idle for idleTimeoutMs', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, idleTimeoutMs: 200 });
    const t = await tunnel(proxy.socketPath, `allowed.test:${port}`);
    const started = Date.now();
    await new Promise((r) => t.socket.once('close', r));
    assert.ok(Date.now() - started < 3_000);
  });

  it('keeps a tunnel with traffic open past the headers and idle timeouts', async (t) => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, idleTimeoutMs: 300, headersTimeoutMs: 200 });
    const tun = await tunnel(proxy.socketPath, `allowed.test:${port}`);
    t.after(() => tun.socket.destroy());
    // A request trickled through the tunnel: 1.2 s in all, never 300 ms without a byte.
    tun.socket.write('GET /slow HTTP/1.0\r\n');
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 200));
      tun.socket.write(`X-Part-${i}: ${i}\r\n`);
    }
    const answer = await exchange(tun.socket, 'Host: allowed.test\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 200 OK/);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).url, '/slow');
  });

  it('fails closed when onAttempt throws', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, onAttempt: () => { throw new Error('audit down'); } });
    const t = await tunnel(proxy.socketPath, `allowed.test:${port}`);
    assert.equal(t.status, 500);
  });

  it('keeps at most maxRecordedRefused refusals and counts the rest', async () => {
    const proxy = await proxyWith({ maxRecordedRefused: 2 });
    for (let i = 0; i < 3; i++) await viaProxy(proxy.socketPath, `http://n${i}.test/`);
    assert.deepEqual(proxy.attempts().map((a) => a.host), ['n0.test', 'n1.test']);
    assert.deepEqual(proxy.droppedAttempts(), { allowed: 0, refused: 1 });
    assert.equal(proxy.seen.length, 3);
  });

  it('keeps refusals that come after the allowed attempts filled their cap', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback, maxRecordedAllowed: 3 });
    for (let i = 0; i < 5; i++) await viaProxy(proxy.socketPath, `http://allowed.test:${port}/${i}`);
    assert.equal((await viaProxy(proxy.socketPath, 'http://evil.test/')).status, 403);
    const refused = proxy.attempts().filter((a) => !a.allowed);
    assert.deepEqual(refused, [{ host: 'evil.test', port: 80, allowed: false, reason: 'host-not-allowed', via: 'http' }]);
    assert.equal(proxy.attempts().length, 4);
    assert.deepEqual(proxy.droppedAttempts(), { allowed: 2, refused: 0 });
  });

  it('close() ends open tunnels and removes the socket', async () => {
    const proxy = await proxyWith({ allowAddresses: onlyLoopback });
    const t = await tunnel(proxy.socketPath, `allowed.test:${port}`);
    const closed = new Promise((r) => t.socket.once('close', r));
    await proxy.close();
    await closed;
    assert.equal(existsSync(proxy.socketPath), false);
  });

  it('creates its socket for its owner only, or for the sandbox user it is given', async (t) => {
    const proxy = await proxyWith({});
    const own = await stat(proxy.socketPath);
    assert.ok(own.isSocket());
    assert.equal(own.mode & 0o777, 0o600);
    assert.equal(own.uid, process.getuid?.());
    if (process.getuid?.() !== 0) return t.skip('chown to another user needs root');
    const forUser = await proxyWith({ socketOwner: { uid: 65_534, gid: 65_534 }, socketMode: 0o660 });
    const st = await stat(forUser.socketPath);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [65_534, 65_534, 0o660]);
  });

  it('checks its options when started: bad entries, paths and limits throw coded errors', async () => {
    const bad: Partial<EgressProxyOptions>[] = [
      { allowHosts: ['https://example.com'] },
      { allowHosts: ['example.com:0'] },
      { socketPath: 'relative.sock' },
      { socketPath: `/${'x'.repeat(120)}` },
      { maxConnections: 0 },
      { connectTimeoutMs: 1.5 },
      { socketMode: 0o755 },
      { socketOwner: { uid: -1, gid: 0 } },
    ];
    for (const opts of bad) {
      await assert.rejects(proxyWith(opts), (e: unknown) => isRampartError(e) && e.code === 'RAMPART_CONFIG_INVALID', JSON.stringify(opts));
    }
    const proxy = await proxyWith({});
    await assert.rejects(proxyWith({ socketPath: proxy.socketPath }), (e: unknown) => isRampartError(e) && e.code === 'RAMPART_INTERNAL');
  });
});
