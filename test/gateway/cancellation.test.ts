/**
 * Calls that end before their answer: a client that goes away (recorded as 499, never as a server
 * error) and the end-to-end limit server.requestTimeoutMs, which also holds for a stream the
 * upstream keeps alive. Either way the upstream call is cancelled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;
let key: string;

before(async () => {
  gw = await startTestGateway((url, dir) => {
    const base = defaultConfig(url, dir);
    return {
      ...base,
      server: { ...(base.server as object), requestTimeoutMs: 1000 },
      guard: { defaultProfile: 'off' },
      roles: { ...(base.roles as object), user: { deployments: ['*'] } },
      deployments: [
        ...(base.deployments as object[]),
        { name: 'patient', retry: { attempts: 3, backoffMs: 5000, maxBackoffMs: 5000 }, targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
      ],
    };
  });
  key = await gw.key(['user']);
});
after(() => gw?.close());

const post = (payload: unknown, signal?: AbortSignal) =>
  fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    ...(signal ? { signal } : {}),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });

async function lastEvent() {
  await new Promise((r) => setTimeout(r, 100));
  await gw.app.audit.flush();
  return (await gw.app.store.audit.list({ action: 'chat.completions', limit: 1 })).items[0]!;
}

describe('cancellation', () => {
  it('a client that goes away mid-stream is recorded as 499, and the upstream call is cancelled', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { chunks: 100, chunkDelayMs: 20 } });
    const ac = new AbortController();
    const res = await post({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] }, ac.signal);
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    assert.equal(await gw.upstream.requests[0]!.done, 'aborted');
    const ev = await lastEvent();
    assert.equal(ev.status, 499);
    assert.equal(ev.code, 'RAMPART_CLIENT_CLOSED');
    assert.match(await gw.app.metrics.registry.metrics(), /rampart_requests_total\{[^}]*status="499"/);
  });

  it('a client that goes away while the router backs off is recorded as 499, not as an internal error', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { status: 503 } });
    const ac = new AbortController();
    const pending = post({ model: 'patient', messages: [{ role: 'user', content: 'hi' }] }, ac.signal).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await pending;
    const ev = await lastEvent();
    assert.equal(ev.status, 499);
    assert.equal(ev.code, 'RAMPART_CLIENT_CLOSED');
  });

  it('a stream the upstream keeps alive ends at server.requestTimeoutMs with a coded error', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { chunks: 100, chunkDelayMs: 100 } });
    const t0 = performance.now();
    const res = await post({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    const text = await res.text();
    const took = performance.now() - t0;
    assert.ok(took < 5000, `cut near the 1 s limit, not after the 10 s stream: ${took} ms`);
    assert.match(text, /RAMPART_REQUEST_TIMEOUT/);
    assert.match(text, /data: \[DONE\]\n\n$/, 'the client sees a well-formed end');
    assert.equal(await gw.upstream.requests[0]!.done, 'aborted');
    const ev = await lastEvent();
    assert.equal(ev.status, 504);
    assert.equal(ev.code, 'RAMPART_REQUEST_TIMEOUT');
  });

  it('a plain call past the limit gets a 504 RAMPART_REQUEST_TIMEOUT', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { delayMs: 4000 } });
    const res = await post({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'RAMPART_REQUEST_TIMEOUT');
    assert.equal(await gw.upstream.requests[0]!.done, 'aborted');
  });
});
