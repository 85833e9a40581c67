/**
 * The HTTP edge from the attacker's side, on the one-thread server: malformed requests, oversize
 * headers and slow headers get a bare status line (the one Node itself would send), never a stack
 * trace, within the configured time; and the server goes on serving.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

/** Writes `bytes` (without ending the connection unless `end`), resolves with what the server sent before it closed, and when. */
function raw(url: string, bytes: string, end = true): Promise<{ text: string; ms: number }> {
  const { port } = new URL(url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(Number(port), '127.0.0.1', () => (end ? socket.end(bytes) : socket.write(bytes)));
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (text += c));
    socket.on('close', () => resolve({ text, ms: performance.now() - t0 }));
    socket.on('error', reject);
  });
}

describe('the HTTP edge (one thread)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway((upstream, dataDir) => ({ ...defaultConfig(upstream, dataDir), server: { port: 0, requestTimeoutMs: 1_000 } }));
  });
  after(async () => gw?.close());

  it('answers malformed HTTP with 400, oversize headers with 431, and no stack trace', async () => {
    const cases: [string, RegExp][] = [
      ['NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n/],
      ['POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: -5\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n/],
      ['GET /v1/models HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\nabc', /^HTTP\/1\.1 400 Bad Request\r\n/],
      [`GET / HTTP/1.1\r\nhost: x\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/],
    ];
    for (const [bytes, status] of cases) {
      const { text } = await raw(gw.app.url, bytes);
      assert.match(text, status, JSON.stringify(bytes.slice(0, 40)));
      assert.doesNotMatch(text, /at \w+ \(|node:|Error/);
    }
  });

  it('cuts a client that sends its headers too slowly with 408, about when the limit says', async () => {
    // Headers never finished: server.requestTimeoutMs (1 s here) bounds the headers too.
    const { text, ms } = await raw(gw.app.url, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n', false);
    assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    // Node's default check every 30 s would let it stay up to 31 s; a quarter of the limit, at most 1.25 s (plus a busy machine's slack).
    assert.ok(ms >= 900 && ms < 5_000, `cut after ${Math.round(ms)} ms`);
  });

  it('answers a complete request whole when garbage follows it on the connection', async () => {
    // The garbage fails to parse before or after the answer went out; a status line must never
    // land inside the answer, and the answer must arrive whole.
    const { text } = await raw(gw.app.url, 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\nGARBAGE\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r\n]+\r\n)+\r\n\{"status":"ok"\}(?:HTTP\/1\.1 400 Bad Request\r\n(?:[^\r\n]+\r\n)+\r\n)?$/, JSON.stringify(text));
  });

  it('goes on serving afterwards', async () => {
    const { text } = await raw(gw.app.url, 'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 /);
  });
});
