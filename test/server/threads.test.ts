/**
 * server.threads: data-plane threads on the one port. What must hold: every thread serves, limits
 * hold across threads (shared counters), admin routes reach the main thread from any thread with
 * the client's address, an admin change takes effect on every thread at once, and close stops them.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, flushAudit, startTestGateway, type TestGateway } from '../support/gateway.ts';

/** One request on a connection of its own (so the kernel may hand it to any thread). */
function call(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, { method, agent: false, headers: { ...headers, connection: 'close', ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Raw bytes on a connection of its own; resolves with everything the server sent before closing. */
function raw(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (text += c));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Chat completions the connection-shares test made (a number of rounds that depends on the kernel's placement). */
let sharesRequests = 0;

const chat = { model: 'chat', messages: [{ role: 'user', content: 'hello' }] };

describe('data-plane threads (server.threads: 2)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway((upstream, dataDir) => {
      const c = defaultConfig(upstream, dataDir);
      return { ...c, server: { port: 0, threads: 2 } };
    });
  });
  after(async () => gw?.close());

  it('serves on every thread: audit events come from two chains', async () => {
    const key = await gw.key(['user']);
    const results = await Promise.all(Array.from({ length: 40 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat)));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    // The other thread's events reach the store on its own flush.
    let chains = new Set<string>();
    for (let i = 0; i < 50 && chains.size < 2; i++) {
      await flushAudit(gw);
      const page = await gw.app.store.audit.list({ limit: 500 });
      chains = new Set(page.items.filter((e) => e.plane === 'data').map((e) => (e as { chainId?: string }).chainId ?? ''));
      if (chains.size < 2) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(chains.size, 2, `chains: ${[...chains].join(', ')}`);
  });

  it('holds one limit across threads', async () => {
    const key = await gw.key(['user'], { limits: { requestsPerMinute: 7 } });
    const results = await Promise.all(Array.from({ length: 20 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat)));
    assert.equal(results.filter((r) => r.status === 200).length, 7);
    assert.equal(results.filter((r) => r.status === 429).length, 13);
  });

  it('answers admin routes from any thread, with the client address, and refuses without credentials', async () => {
    const admin = await gw.key(['admin']);
    const ok = await Promise.all(Array.from({ length: 16 }, () => call(gw.app.url, 'GET', '/admin/v1/keys', { authorization: `Bearer ${admin}` })));
    assert.deepEqual(new Set(ok.map((r) => r.status)), new Set([200]));
    const refused = await Promise.all(Array.from({ length: 16 }, () => call(gw.app.url, 'GET', '/admin/v1/keys', {})));
    assert.deepEqual(new Set(refused.map((r) => r.status)), new Set([401]));
    // A client cannot claim an address through the threads' private header.
    const spoofed = await Promise.all(Array.from({ length: 8 }, () => call(gw.app.url, 'GET', '/admin/v1/keys', { authorization: `Bearer ${admin}`, 'x-rampart-thread-peer': '203.0.113.9' })));
    assert.deepEqual(new Set(spoofed.map((r) => r.status)), new Set([200]));
    await flushAudit(gw);
    const page = await gw.app.store.audit.list({ limit: 500 });
    const adminEvents = page.items.filter((e) => e.plane === 'admin');
    assert.ok(adminEvents.length >= 40);
    assert.deepEqual(new Set(adminEvents.map((e) => e.sourceIp)), new Set(['127.0.0.1']));
    // Unknown routes and wrong methods are answered as the main thread answers them.
    const missing = await Promise.all(Array.from({ length: 8 }, () => call(gw.app.url, 'GET', '/nope', {})));
    assert.deepEqual(new Set(missing.map((r) => r.status)), new Set([404]));
    const wrong = await Promise.all(Array.from({ length: 8 }, () => call(gw.app.url, 'GET', '/v1/chat/completions', {})));
    assert.deepEqual(new Set(wrong.map((r) => r.status)), new Set([405]));
  });

  it('answers malformed HTTP on every thread with a bare 400 (431 for oversize headers) and goes on serving', async () => {
    const garbage: [string, RegExp][] = [
      ['NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n/],
      ['POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: -5\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n/],
      [`GET / HTTP/1.1\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/],
      ['GET /v1/models HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\nabc', /^HTTP\/1\.1 400 Bad Request\r\n/],
    ];
    // Sixteen connections of each kind: the kernel hands them to both threads.
    const answers = await Promise.all(garbage.flatMap(([g, status]) => Array.from({ length: 16 }, async () => ({ a: await raw(gw.app.url, g), status }))));
    for (const { a, status } of answers) {
      assert.match(a, status);
      assert.doesNotMatch(a, /at \w+ \(|node:|Error/); // never a stack trace
    }
    const key = await gw.key(['user']);
    const results = await Promise.all(Array.from({ length: 16 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat)));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
  });

  it('evens out the threads\' shares of keep-alive connections, streamed or not', async () => {
    const key = await gw.key(['user']);
    for (const stream of [false, true]) {
      const agent = new Agent({ keepAlive: true, maxSockets: 24 });
      const one = (): Promise<{ connection: string; requestId: string }> =>
        new Promise((resolve, reject) => {
          const body = JSON.stringify({ ...chat, stream });
          const req = request(`${gw.app.url}/v1/chat/completions`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => resolve({ connection: String(res.headers.connection), requestId: String(res.headers['x-request-id']) }));
          });
          req.on('error', reject);
          req.end(body);
        });
      // Rounds of 24 requests at once, one per connection, until two rounds in a row let no
      // connection go: the second then ran on connections that had all served a request before,
      // so every thread judged every one of them.
      let round: { connection: string; requestId: string }[] = [];
      let quiet = 0;
      for (let i = 0; i < 16 && quiet < 2; i++) {
        round = await Promise.all(Array.from({ length: 24 }, one));
        sharesRequests += 24;
        quiet = round.every((r) => r.connection === 'keep-alive') ? quiet + 1 : 0;
      }
      assert.ok(round.every((r) => r.connection === 'keep-alive'), `still letting connections go: ${round.map((r) => r.connection).join(',')}`);
      // The last round: each thread served one request per connection it holds.
      const ids = new Set(round.map((r) => r.requestId));
      let perChain = new Map<string, number>();
      for (let i = 0; i < 50; i++) {
        await flushAudit(gw);
        const page = await gw.app.store.audit.list({ limit: 1000 });
        perChain = new Map();
        for (const e of page.items) if (ids.has(e.requestId)) perChain.set(e.chainId, (perChain.get(e.chainId) ?? 0) + 1);
        if ([...perChain.values()].reduce((a, b) => a + b, 0) === 24) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const counts = [...perChain.values()];
      assert.equal(counts.reduce((a, b) => a + b, 0), 24, `stream ${stream}: ${JSON.stringify([...perChain])}`);
      // Even within the slack: the mean (12) plus an eighth of it, at least one.
      assert.equal(counts.length, 2, `stream ${stream}: ${JSON.stringify([...perChain])}`);
      assert.ok(Math.max(...counts) <= 13, `stream ${stream}: ${JSON.stringify([...perChain])}`);
      agent.destroy();
    }
  });

  it('applies a revocation on every thread at once', async () => {
    const admin = await gw.key(['admin']);
    const issued = await gw.app.identity.keys.create({ name: 'to-revoke', principalKind: 'app', roles: ['user'], limits: null, createdBy: 'test' } as never);
    const key = issued.plaintext.reveal();
    // Every thread has the key cached.
    const warm = await Promise.all(Array.from({ length: 16 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat)));
    assert.deepEqual(new Set(warm.map((r) => r.status)), new Set([200]));
    const event = { apiKeyId: issued.record.id };
    const revoked = await call(gw.app.url, 'POST', `/admin/v1/keys/${event.apiKeyId}/revoke`, { authorization: `Bearer ${admin}` });
    assert.ok(revoked.status === 200 || revoked.status === 204, `revoke: ${revoked.status}`);
    await new Promise((r) => setTimeout(r, 20));
    const after = await Promise.all(Array.from({ length: 16 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat)));
    assert.deepEqual(new Set(after.map((r) => r.status)), new Set([401]));
  });

  it('serves the metrics of every thread together', async () => {
    const text = (await new Promise<string>((resolve, reject) => {
      request(`${gw.app.url}/metrics`, { agent: false }, (res) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => resolve(t));
      }).on('error', reject).end();
    }));
    const ok = text.split('\n').filter((l) => l.startsWith('rampart_requests_total{') && l.includes('plane="data"') && l.includes('status="200"'));
    const total = ok.reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    // 40 + 7 + 16 + 16 successful chat completions so far and those of the shares test, whichever thread served them.
    assert.equal(total, 79 + sharesRequests);
  });
  // Last: a crashed thread's metrics go with it.
  it('restarts a thread that crashes under load; the others go on serving and limits still hold', async () => {
    const threads = gw.app.threads!;
    assert.deepEqual(threads.running, [1]);
    const key = await gw.key(['user']);
    const statuses: number[] = [];
    const refused: unknown[] = [];
    let connectionErrors = 0;
    let loading = true;
    const load = async () => {
      while (loading) {
        try {
          const r = await call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat);
          statuses.push(r.status);
          if (r.status !== 200) refused.push(r.json);
        } catch {
          connectionErrors++; // a request that was on the thread when it died
        }
      }
    };
    const workers = Array.from({ length: 4 }, load);
    let crashedAt: number;
    try {
      await new Promise((r) => setTimeout(r, 300));
      await threads.terminate(1);
      crashedAt = Date.now();
      // Restarted after a second; starting a thread takes longer on a busy machine (CI shares two cores).
      for (let i = 0; i < 300 && !threads.running.includes(1); i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(threads.running, [1], 'thread 1 was not started again');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      // Stop the load whatever happened above: left running, it keeps the test process busy forever.
      loading = false;
      await Promise.all(workers);
    }
    assert.ok(statuses.length > 20, `only ${statuses.length} answers`);
    assert.deepEqual(new Set(statuses), new Set([200]), JSON.stringify(refused));
    assert.ok(connectionErrors <= 4, `${connectionErrors} requests failed`);
    // The new thread serves: its audit chain gains events written after the crash.
    const after = await Promise.all(Array.from({ length: 40 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${key}` }, chat)));
    assert.deepEqual(new Set(after.map((r) => r.status)), new Set([200]));
    let fresh = 0;
    for (let i = 0; i < 50 && fresh === 0; i++) {
      await flushAudit(gw);
      const page = await gw.app.store.audit.list({ limit: 500 });
      fresh = page.items.filter((e) => e.chainId.endsWith('.t1') && e.time > crashedAt + 300).length;
      if (fresh === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(fresh > 0, 'the restarted thread wrote no audit events');
    // The shared counters survived the crash: one limit across both threads, exactly.
    const limited = await gw.key(['user'], { limits: { requestsPerMinute: 7 } });
    const results = await Promise.all(Array.from({ length: 20 }, () => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${limited}` }, chat)));
    assert.equal(results.filter((r) => r.status === 200).length, 7);
  });
});

describe('a full shared counter table (server.threads: 2)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway((upstream, dataDir) => ({ ...defaultConfig(upstream, dataDir), server: { port: 0, threads: 2 }, counters: { kind: 'memory', maxKeys: 1_000 } }));
  });
  after(async () => gw?.close());

  it('fails closed on every thread with a coded 503 once the table is full', async () => {
    // Each new API key with limits adds its own request and token buckets: 700 keys need more
    // than the 1 000 live buckets allowed.
    const keys: string[] = [];
    for (let i = 0; i < 700; i++) keys.push(await gw.key(['user'], { limits: { requestsPerMinute: 100, tokensPerMinute: 100_000 } }));
    const results: { status: number; json: unknown }[] = [];
    for (let i = 0; i < keys.length; i += 16) {
      results.push(...(await Promise.all(keys.slice(i, i + 16).map((k) => call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${k}` }, chat)))));
    }
    const statuses = new Set(results.map((r) => r.status));
    assert.deepEqual(statuses, new Set([200, 503]), `statuses: ${[...statuses].join(', ')}`);
    for (const r of results.filter((x) => x.status === 503)) {
      assert.equal((r.json as { error: { code: string } }).error.code, 'RAMPART_COUNTERS_UNAVAILABLE');
    }
    assert.ok(results.filter((r) => r.status === 200).length >= 100, 'the first keys were served');
    // Refused on both threads, and each refusal audited as an error.
    let chains = new Set<string>();
    for (let i = 0; i < 50 && chains.size < 2; i++) {
      await flushAudit(gw);
      const page = await gw.app.store.audit.list({ limit: 1000 });
      chains = new Set(page.items.filter((e) => e.code === 'RAMPART_COUNTERS_UNAVAILABLE').map((e) => e.chainId));
      if (chains.size < 2) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(chains.size, 2, `refused on: ${[...chains].join(', ')}`);
    // Full is full for everyone until buckets expire (counters.memory.maxKeys): a key counted
    // before is refused the same way, never let through uncounted.
    const first = await call(gw.app.url, 'POST', '/v1/chat/completions', { authorization: `Bearer ${keys[0]}` }, chat);
    assert.equal(first.status, 503);
  });
});
