/**
 * Request and token limits and budgets as clients meet them: 429 with Retry-After and OpenAI's
 * x-ratelimit-* headers; and one limit held across two Rampart instances sharing Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { ManualClock } from '../../src/core/clock.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { REDIS_URL, randomName, redisSkipReason } from '../support/backends.ts';

const body = (content = 'hi') => ({ model: 'chat', messages: [{ role: 'user', content }] });

async function post(gw: TestGateway, key: string, payload: unknown = body()) {
  const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as { error?: { code: string; message: string } } };
}

describe('limits on one instance', () => {
  let gw: TestGateway;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 12, 0, 0));
  before(async () => {
    gw = await startTestGateway(
      (url, dir) => ({
        ...defaultConfig(url, dir),
        limits: { principal: { requestsPerMinute: 3 } },
        deployments: [
          ...(defaultConfig(url, dir).deployments as object[]).filter((d) => (d as { name: string }).name !== 'chat'),
          { name: 'chat', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, apiKey: 'sk-x', model: 'm' }], limits: { tokensPerMinute: 1000 } },
        ],
      }),
      { clock },
    );
  });
  after(() => gw?.close());

  it('answers 429 with Retry-After and x-ratelimit headers once requests per minute are used up', async () => {
    const key = await gw.key(['user']);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(gw, key);
      seen.push(r.status);
      assert.equal(r.headers.get('x-ratelimit-limit-requests'), '3');
      assert.equal(r.headers.get('x-ratelimit-remaining-requests'), String(2 - i));
    }
    assert.deepEqual(seen, [200, 200, 200]);
    const denied = await post(gw, key);
    assert.equal(denied.status, 429);
    assert.equal(denied.json.error?.code, 'RAMPART_RATE_LIMITED');
    assert.ok(Number(denied.headers.get('retry-after')) >= 1);
    assert.equal(denied.headers.get('x-ratelimit-remaining-requests'), '0');
    // Retry-After is honest: once it has passed, the sliding window has room again.
    clock.advance(Number(denied.headers.get('retry-after')) * 1000 - 2000);
    assert.equal((await post(gw, key)).status, 429, 'still limited just before Retry-After');
    clock.advance(2000);
    assert.equal((await post(gw, key)).status, 200);
  });

  it('counts each principal separately', async () => {
    const a = await gw.key(['user']);
    const b = await gw.key(['user']);
    for (let i = 0; i < 3; i++) assert.equal((await post(gw, a)).status, 200);
    assert.equal((await post(gw, a)).status, 429);
    assert.equal((await post(gw, b)).status, 200);
  });

  it('refuses a request whose estimated tokens exceed the deployment token limit, before calling upstream', async () => {
    clock.advance(120_000);
    const key = await gw.key(['user']);
    gw.upstream.reset();
    const r = await post(gw, key, { ...body('word '.repeat(2000)) });
    assert.equal(r.status, 429);
    assert.match(r.json.error?.message ?? '', /larger than the limit/);
    assert.equal(gw.upstream.requests.length, 0);
  });

  it('enforces an API key monthly budget with RAMPART_BUDGET_EXCEEDED, reconciled with real usage', async () => {
    clock.advance(120_000);
    // The mock reports 15 tokens per call; the estimate for "hi" is 8 (framing + 1 token).
    const key = await gw.key(['user'], { limits: { tokensPerMonth: 35 } });
    assert.equal((await post(gw, key)).status, 200);
    assert.equal((await post(gw, key)).status, 200);
    await new Promise((r) => setTimeout(r, 20)); // reconciliation runs after the answer
    const third = await post(gw, key);
    assert.equal(third.status, 429, 'the reconciled usage (30) plus the next estimate (8) passes 35');
    assert.equal(third.json.error?.code, 'RAMPART_BUDGET_EXCEEDED');
    // Next month the budget is fresh.
    clock.set(Date.UTC(2026, 11, 1, 0, 0, 1));
    assert.equal((await post(gw, key)).status, 200);
  });

  it('the openai client surfaces the 429 as a RateLimitError', async () => {
    clock.advance(120_000);
    const key = await gw.key(['user']);
    const client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: key, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.chat.completions.create(body() as never);
    await assert.rejects(client.chat.completions.create(body() as never), OpenAI.RateLimitError);
  });
});

describe('one limit across two instances sharing Redis', async () => {
  const skip = await redisSkipReason();
  let a: TestGateway;
  let b: TestGateway;
  const prefix = randomName('rampart-test-') + ':';
  const shared = (url: string, dir: string) => ({
    ...defaultConfig(url, dir),
    counters: { kind: 'redis', url: REDIS_URL, keyPrefix: prefix },
    limits: { principal: { requestsPerMinute: 10 } },
  });
  before(async () => {
    if (skip) return;
    a = await startTestGateway(shared);
    b = await startTestGateway(shared);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('lets the principal make 10 requests in all, not 10 per instance', { skip }, async () => {
    // Each instance has its own embedded store; the keys act as the same principal.
    const keyA = await a.key(['user'], { principalId: 'app:shared-billing' });
    const keyB = await b.key(['user'], { principalId: 'app:shared-billing' });
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 ? b : a, i % 2 ? keyB : keyA)));
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429).length;
    assert.equal(ok, 10);
    assert.equal(limited, 6);
  });
});

describe('charging answers that end badly', () => {
  // Tokens spent upstream are charged even when the answer does not reach its end: otherwise a
  // caller who disconnects mid-stream, or whose answers the output guard blocks, is never charged.
  let gw: TestGateway;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 12, 0, 30));
  const LIMIT = 1_000_000;
  before(async () => {
    gw = await startTestGateway(
      (url, dir) => ({
        ...defaultConfig(url, dir),
        guard: { defaultProfile: 'out', profiles: { out: { detectors: [{ id: 'secret-cloud-keys' }], actions: { secret: 'block', '*': 'annotate' }, timeBudgetMs: 10_000 } } },
      }),
      { clock },
    );
  });
  after(() => gw?.close());

  /** Tokens the key has been charged: the probe's own estimate included (a few tokens). */
  async function charged(key: string): Promise<number> {
    await new Promise((r) => setTimeout(r, 150)); // reconciliation runs after the answer
    const probe = await post(gw, key);
    return LIMIT - Number(probe.headers.get('x-ratelimit-remaining-tokens'));
  }
  const stream = (key: string, signal?: AbortSignal) =>
    fetch(`${gw.app.url}/v1/chat/completions`, {
      method: 'POST',
      ...(signal ? { signal } : {}),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'write a long essay' }] }),
    });

  it('a complete stream is charged its usage', async () => {
    const key = await gw.key(['user'], { limits: { tokensPerMinute: LIMIT } });
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { usage: { prompt: 10, completion: 5000 }, chunks: 5 } });
    await (await stream(key)).text();
    assert.ok((await charged(key)) >= 5010);
  });

  it('a stream cut after its usage chunk is charged that usage', async () => {
    const key = await gw.key(['user'], { limits: { tokensPerMinute: LIMIT } });
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { usage: { prompt: 10, completion: 5000 }, pieces: Array(20).fill('x '), text: 'x '.repeat(20), failAfterChunks: 23 } });
    await (await stream(key)).text();
    assert.ok((await charged(key)) >= 5010, 'not refunded to zero');
  });

  it('a client that disconnects mid-stream is charged its prompt and what it was sent', async () => {
    const key = await gw.key(['user'], { limits: { tokensPerMinute: LIMIT } });
    // Long enough that the output guard's hold-back window (256 characters) releases text early.
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { usage: { prompt: 10, completion: 5000 }, pieces: Array(200).fill('lorem ipsum '), text: 'lorem ipsum '.repeat(200), chunkDelayMs: 10 } });
    const ac = new AbortController();
    const res = await stream(key, ac.signal);
    const reader = res.body!.getReader();
    let events = 0;
    while (events < 10) {
      const { value, done } = await reader.read();
      if (done) break;
      events += new TextDecoder().decode(value).split('data: ').length - 1;
    }
    ac.abort();
    const c = await charged(key);
    const probeOnly = await charged(await gw.key(['user'], { limits: { tokensPerMinute: LIMIT } }));
    assert.ok(c - probeOnly >= events, `at least one token per event sent (${events}) and the prompt: ${c - probeOnly}`);
  });

  it('an answer the output guard blocks is still charged its usage', async () => {
    const key = await gw.key(['user'], { limits: { tokensPerMinute: LIMIT } });
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { text: 'here: AKIAQ3EGT5LKRZ7VWX4M and secret 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', usage: { prompt: 10, completion: 5000 } } });
    const blocked = await post(gw, key, body('print the aws key'));
    assert.equal(blocked.status, 502);
    assert.equal(blocked.json.error?.code, 'RAMPART_GUARD_OUTPUT_BLOCKED');
    assert.ok((await charged(key)) >= 5010);
  });
});
