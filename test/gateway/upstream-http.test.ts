import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { UpstreamHttp } from '../../src/gateway/upstream-http.ts';
import { httpFailure, parseRetryAfter, toOpenAiErrorBody } from '../../src/gateway/upstream-failures.ts';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream.ts';
import { failure } from './providers/target-helper.ts';

const signal = (): AbortSignal => new AbortController().signal;

describe('upstream HTTP egress', () => {
  let up: MockUpstream;
  let http: UpstreamHttp;

  before(async () => {
    up = await startMockUpstream();
    http = new UpstreamHttp({ baseUrl: `${up.url}/v1/`, timeoutMs: 1_000, maxBodyBytes: 1_000 });
  });
  after(async () => {
    await http.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  it('joins the base path and the provider path, keeping the query', async () => {
    await http.json({ path: '/embeddings?api-version=1', headers: {}, body: '{"input":"x"}', signal: signal() });
    assert.equal(up.requests[0]!.url, '/v1/embeddings?api-version=1');
    assert.equal(up.requests[0]!.headers['content-type'], 'application/json');
  });

  it('refuses a path that could name another host', async () => {
    for (const path of ['//evil.example/x', 'http://evil.example/x', 'embeddings']) {
      const f = await failure(http.json({ path, headers: {}, body: '{}', signal: signal() }));
      assert.equal(f.kind, 'bad-response', path);
    }
    assert.equal(up.requests.length, 0);
  });

  it('refuses a non-streamed body larger than the cap', async () => {
    up.script({ reply: { status: 200, body: { pad: 'x'.repeat(2_000) } } });
    const f = await failure(http.json({ path: '/chat/completions', headers: {}, body: '{}', signal: signal() }));
    assert.equal(f.kind, 'bad-response');
    assert.match(f.message, /larger than 1000 bytes/);
  });

  it('refuses a 200 that is not JSON, or not valid JSON', async () => {
    up.script({ times: 1, reply: { status: 200, body: '<html>captive portal</html>' } });
    up.script({ times: 1, reply: { status: 200, body: '{"half":', headers: { 'content-type': 'application/json' } } });
    for (let i = 0; i < 2; i++) {
      const f = await failure(http.json({ path: '/chat/completions', headers: {}, body: '{}', signal: signal() }));
      assert.equal(f.kind, 'bad-response');
      assert.equal(f.retryable, false);
    }
  });

  it('refuses a JSON answer to a stream request', async () => {
    const f = await failure(http.sse({ path: '/chat/completions', headers: {}, body: '{"stream":false}', signal: signal() }));
    assert.equal(f.kind, 'bad-response');
  });

  it('passes a large error body through as a generic error instead of buffering it', async () => {
    up.script({ reply: { status: 400, body: { error: { message: 'm'.repeat(100_000), type: 'invalid_request_error' } } } });
    const f = await failure(http.json({ path: '/chat/completions', headers: {}, body: '{}', signal: signal() }));
    assert.equal(f.status, 400);
    assert.equal(f.body?.error.code, 'RAMPART_UPSTREAM_ERROR');
  });

  it('hides what a 404 says, since it names configured models and deployments', async () => {
    up.script({ reply: { status: 404, body: { error: { message: 'The model `secret-finetune` does not exist', type: 'invalid_request_error' } } } });
    const f = await failure(http.json({ path: '/chat/completions', headers: {}, body: '{}', signal: signal() }));
    assert.equal(f.status, 502);
    assert.equal(f.retryable, false);
    assert.doesNotMatch(JSON.stringify(f.body), /secret-finetune/);
  });

  it('answers at once when the client signal has already fired, without contacting the upstream', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = await failure(http.json({ path: '/chat/completions', headers: {}, body: '{}', signal: ac.signal }));
    assert.equal(f.kind, 'aborted');
    assert.equal(up.requests.length, 0);
  });
});

describe('upstream error bodies', () => {
  it('keeps only message, type, code and param of the known error shapes', () => {
    assert.deepEqual(toOpenAiErrorBody({ error: { message: 'm', type: 't', code: 'c', param: 'p', internal: 'x' } }), {
      error: { message: 'm', type: 't', code: 'c', param: 'p' },
    });
    assert.deepEqual(toOpenAiErrorBody({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: required' } }), {
      error: { message: 'max_tokens: required', type: 'invalid_request_error', code: null, param: null },
    });
    assert.deepEqual(toOpenAiErrorBody({ object: 'error', message: 'too long', type: 'BadRequestError', code: 400 }), {
      error: { message: 'too long', type: 'BadRequestError', code: '400', param: null },
    });
    assert.deepEqual(toOpenAiErrorBody({ error: 'model "x" not found' }), {
      error: { message: 'model "x" not found', type: 'invalid_request_error', code: null, param: null },
    });
    assert.equal(toOpenAiErrorBody({ detail: 'Not Found' }), undefined);
    assert.equal(toOpenAiErrorBody('text'), undefined);
  });

  it('makes 401 and 403 final generic 502s whatever their body says', () => {
    for (const status of [401, 403]) {
      const f = httpFailure(status, {}, { error: { message: 'Incorrect API key provided: sk-abc***wxyz', type: 'invalid_request_error' } });
      assert.equal(f.status, 502);
      assert.equal(f.retryable, false);
      assert.doesNotMatch(JSON.stringify(f.body) + f.message, /sk-abc|wxyz|Incorrect/);
    }
  });

  it('marks 408, 429 and 5xx retryable, other 4xx final', () => {
    for (const s of [408, 429, 500, 502, 503, 529]) assert.equal(httpFailure(s, {}, undefined).retryable, true, String(s));
    for (const s of [400, 409, 413, 422]) assert.equal(httpFailure(s, {}, undefined).retryable, false, String(s));
  });
});

describe('Retry-After', () => {
  it('reads retry-after-ms first, then seconds, then an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    assert.equal(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now), 250);
    assert.equal(parseRetryAfter({ 'retry-after': '3' }, now), 3000);
    assert.equal(parseRetryAfter({ 'retry-after': '0.5' }, now), 500);
    assert.equal(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, now), 7000);
    assert.equal(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 00:00:00 GMT' }, now), 0);
  });

  it('ignores a missing, negative or unparseable value', () => {
    assert.equal(parseRetryAfter({}), undefined);
    assert.equal(parseRetryAfter({ 'retry-after': 'soon' }), undefined);
    assert.equal(parseRetryAfter({ 'retry-after': '-5' }), undefined);
    assert.equal(parseRetryAfter({ 'retry-after-ms': 'NaN' }), undefined);
  });
});

describe('upstream HTTP egress: answers without a declared length, and the pool queue', () => {
  it('stops reading a chunked answer at the cap, drops that connection and serves the next call', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      calls++;
      if (req.url === '/v1/big') {
        // no content-length: the cap must hold while reading, not only on the declared length
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(`"${'x'.repeat(400)}",`), 5);
        res.on('close', () => clearInterval(timer));
        res.write('[');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const http = new UpstreamHttp({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, timeoutMs: 2_000, maxBodyBytes: 1_000 });
    try {
      const f = await failure(http.json({ path: '/big', headers: {}, body: '{}', signal: signal() }));
      assert.equal(f.kind, 'bad-response');
      assert.match(f.message, /larger than 1000 bytes/);
      const ok = await http.json({ path: '/small', headers: {}, body: '{}', signal: signal() });
      assert.deepEqual(ok.json, { ok: true });
      assert.equal(calls, 2);
    } finally {
      await http.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('cancels a call still waiting for a pooled connection, and never sends it', async () => {
    const up = await startMockUpstream();
    const http = new UpstreamHttp({ baseUrl: `${up.url}/v1`, timeoutMs: 5_000, connections: 1 });
    try {
      up.script({ times: 1, reply: { delayMs: 300 } });
      const first = http.json({ path: '/chat/completions', headers: {}, body: '{"model":"m","messages":[]}', signal: signal() });
      const ac = new AbortController();
      const second = failure(http.json({ path: '/chat/completions', headers: {}, body: '{"model":"m","messages":[]}', signal: ac.signal }));
      setTimeout(() => ac.abort(), 20);
      const t0 = Date.now();
      const f = await second;
      assert.equal(f.kind, 'aborted');
      assert.ok(Date.now() - t0 < 250, 'settled when the client gave up, not when the connection came free');
      const r = await first;
      assert.equal(r.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(up.requests.length, 1, 'the cancelled call never reached the upstream');
    } finally {
      await http.close();
      await up.close();
    }
  });
});

