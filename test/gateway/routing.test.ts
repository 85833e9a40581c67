/**
 * Routing across targets, failover, timeouts and stream failures, through the real gateway; and
 * the Anthropic and Azure OpenAI providers end to end with the official openai client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startMockUpstream, MOCK_TEXT, type MockUpstream } from '../support/mock-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;
let second: MockUpstream;
let client: OpenAI;

before(async () => {
  second = await startMockUpstream();
  gw = await startTestGateway((url, dir) => ({
    storage: { kind: 'embedded', dataDir: dir },
    server: { port: 0 },
    log: { level: 'silent' },
    roles: { user: { deployments: ['*'] } },
    deployments: [
      {
        name: 'failover',
        retry: { attempts: 2, backoffMs: 1, maxBackoffMs: 5 },
        targets: [
          { provider: 'openai', baseUrl: `${url}/v1`, model: 'primary', priority: 0 },
          { provider: 'openai', baseUrl: `${second.url}/v1`, model: 'secondary', priority: 1 },
        ],
      },
      {
        name: 'dead-first',
        retry: { attempts: 1, backoffMs: 1 },
        targets: [
          { provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'nowhere', priority: 0 },
          { provider: 'openai', baseUrl: `${second.url}/v1`, model: 'secondary', priority: 1 },
        ],
      },
      { name: 'slow', retry: { attempts: 0 }, targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'slow', timeoutMs: 300 }] },
      { name: 'idle', retry: { attempts: 0 }, targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'idle', streamIdleTimeoutMs: 1000 }] },
      { name: 'weighted', retry: { attempts: 0 }, targets: [
        { provider: 'openai', baseUrl: `${url}/v1`, model: 'heavy', weight: 3 },
        { provider: 'openai', baseUrl: `${second.url}/v1`, model: 'light', weight: 1 },
      ] },
      { name: 'claude', targets: [{ provider: 'anthropic', baseUrl: url, apiKey: 'sk-ant-test', model: 'claude-test' }] },
      { name: 'azure', targets: [{ provider: 'azure-openai', endpoint: url, deployment: 'gpt4o', apiKey: 'azure-key' }] },
    ],
  }));
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['user']), maxRetries: 0 });
});
after(async () => {
  await gw?.close();
  await second?.close();
});

const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('routing', () => {
  it('fails over to the next priority when the first target keeps answering 5xx', async () => {
    gw.upstream.reset();
    second.reset();
    gw.upstream.script({ reply: { status: 503 } });
    const answer = await ask('failover');
    assert.equal(answer.choices[0]?.message.content, MOCK_TEXT);
    assert.equal(gw.upstream.requests.length, 1);
    assert.equal(second.requests[0]?.body?.model, 'secondary');
    gw.upstream.reset();
  });

  it('fails over when the first target refuses connections', async () => {
    second.reset();
    const answer = await ask('dead-first');
    assert.equal(answer.choices[0]?.message.content, MOCK_TEXT);
    assert.equal(second.requests.length, 1);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: { hang: true } });
    await assert.rejects(ask('slow'), (e: unknown) => e instanceof OpenAI.APIError && e.status === 504 && e.code === 'RAMPART_UPSTREAM_TIMEOUT');
  });

  it('ends a stream whose upstream falls silent for longer than the target\'s streamIdleTimeoutMs', async () => {
    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: { chunks: 3, chunkDelayMs: 10_000 } });
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'idle', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    await assert.rejects(async () => {
      for await (const _ of stream);
    });
    // The 1 s of the config, not the 120 s default, and well before the next chunk was due.
    assert.ok(performance.now() - started < 5000, `took ${Math.round(performance.now() - started)} ms`);
  });

  it('shares traffic by weight among targets of equal priority', async () => {
    gw.upstream.reset();
    second.reset();
    for (let i = 0; i < 80; i++) await ask('weighted');
    const heavy = gw.upstream.requests.length;
    const light = second.requests.length;
    assert.equal(heavy + light, 80);
    assert.ok(heavy > 45 && heavy < 75, `3:1 weights gave ${heavy}:${light}`);
  });

  it('never retries a stream that already started: the client gets an error event, not a hang', async () => {
    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: { chunks: 6, failAfterChunks: 3 } });
    const stream = await client.chat.completions.create({ model: 'failover', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })(),
    );
    assert.ok(text.length > 0, 'the first chunks arrived before the failure');
    assert.equal(gw.upstream.requests.length, 1, 'no retry after the first byte');
  });

  it('cancels the upstream call when the client goes away mid-stream', async () => {
    gw.upstream.reset();
    // 200 frames 20 ms apart: the upstream would need 4 s to finish on its own.
    gw.upstream.script({ times: 1, reply: { chunks: 200, chunkDelayMs: 20 } });
    const ctrl = new AbortController();
    const stream = await client.chat.completions.create({ model: 'failover', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { signal: ctrl.signal });
    let n = 0;
    try {
      for await (const _ of stream) if (++n === 3) ctrl.abort();
    } catch {
      // the SDK may end the iteration or throw an abort error: either way the client is gone
    }
    assert.ok(n < 200, 'the client stopped reading early');
    const outcome = await Promise.race([gw.upstream.requests[0]!.done, new Promise((r) => setTimeout(() => r('timeout'), 3000))]);
    assert.equal(outcome, 'aborted');
  });
});

describe('providers end to end', () => {
  it('translates chat completions to Anthropic Messages and back', async () => {
    gw.upstream.reset();
    const answer = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.equal(answer.choices[0]?.message.content, MOCK_TEXT);
    assert.equal(answer.choices[0]?.finish_reason, 'stop');
    const sent = gw.upstream.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], 'sk-ant-test');
    assert.equal(sent.body?.system, 'be brief');
    assert.equal(sent.body?.model, 'claude-test');
  });

  it('streams from Anthropic as chat.completion.chunk events', async () => {
    const stream = await client.chat.completions.create({ model: 'claude', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, MOCK_TEXT);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0);
  });

  it('calls Azure OpenAI with its deployment path, api-version and api-key header', async () => {
    gw.upstream.reset();
    const answer = await ask('azure');
    assert.equal(answer.choices[0]?.message.content, MOCK_TEXT);
    const sent = gw.upstream.requests.at(-1)!;
    assert.match(sent.url, /^\/openai\/deployments\/gpt4o\/chat\/completions\?api-version=/);
    assert.equal(sent.headers['api-key'], 'azure-key');
    assert.equal(sent.headers.authorization, undefined);
  });

  it('refuses embeddings on an Anthropic deployment with a clear error', async () => {
    await assert.rejects(client.embeddings.create({ model: 'claude', input: 'x' }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'RAMPART_UNSUPPORTED_OPERATION');
  });
});
