import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type OpenAI from 'openai';
import { openaiProvider } from '../../../src/gateway/providers/openai/index.ts';
import type { ProviderTarget } from '../../../src/gateway/providers/provider.ts';
import { startMockUpstream, MOCK_TEXT, MOCK_USAGE, type MockUpstream } from '../../support/mock-upstream.ts';
import { chatAnswer } from '../../support/mock-upstream-answers.ts';
import { callOpts, collect, failure, makeTarget } from './target-helper.ts';
import { sdkOver } from './sdk-harness.ts';

const KEY = 'sk-proj-SECRETSECRETSECRET1234';

describe('openai provider', () => {
  let up: MockUpstream;
  let target: ProviderTarget;

  before(async () => {
    up = await startMockUpstream({ apiKey: KEY });
    target = makeTarget(openaiProvider, { baseUrl: `${up.url}/v1`, apiKey: KEY, organization: 'org-1', model: 'gpt-4o-mini', timeoutMs: 1_000 });
  });
  after(async () => {
    await target.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  it('sends the chat request with the upstream model, its credential and the client body untouched', async () => {
    const content = [
      { type: 'text', text: 'What is in this image?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
    ];
    const tools = [{ type: 'function', function: { name: 'look', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const body = { model: 'my-deployment', messages: [{ role: 'user', content }], tools, tool_choice: 'auto', temperature: 0.2 };
    const frozen = structuredClone(body);
    const r = await target.call('chat.completions', body, callOpts());

    assert.deepEqual(body, frozen, 'the caller body is not mutated');
    const sent = up.requests[0]!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers['authorization'], `Bearer ${KEY}`);
    assert.equal(sent.headers['openai-organization'], 'org-1');
    assert.equal(sent.body?.['model'], 'gpt-4o-mini');
    assert.deepEqual(sent.body?.['messages'], body.messages);
    assert.deepEqual(sent.body?.['tools'], tools);
    assert.equal(sent.body?.['tool_choice'], 'auto');
    assert.equal(sent.body?.['stream'], false);
    assert.equal(r.status, 200);
    assert.deepEqual(r.usage, { promptTokens: 10, completionTokens: 5 });
    assert.equal((r.json as OpenAI.Chat.ChatCompletion).choices[0]!.message.content, MOCK_TEXT);
  });

  it('asks a stream for usage the client did not request, marks that chunk injected and reports the usage', async () => {
    const r = await target.call('chat.completions', { model: 'd', messages: [{ role: 'user', content: 'hi' }], stream: true }, callOpts({ stream: true }));
    assert.deepEqual(up.requests[0]!.body?.['stream_options'], { include_usage: true });
    assert.equal(r.injectedUsage, true);
    const events = await collect(r.events);
    const injected = events.filter((e) => e.injected);
    assert.equal(injected.length, 1);
    assert.deepEqual(JSON.parse(injected[0]!.data).choices, []);
    assert.deepEqual(injected[0]!.usage, { promptTokens: 10, completionTokens: 5 });
    assert.deepEqual(r.streamUsage?.(), { promptTokens: 10, completionTokens: 5 });
    const text = events.filter((e) => !e.injected).map((e) => (JSON.parse(e.data) as OpenAI.Chat.ChatCompletionChunk).choices[0]?.delta.content ?? '').join('');
    assert.equal(text, MOCK_TEXT);
    assert.ok(!events.some((e) => e.data === '[DONE]'), '[DONE] is left to the gateway');
  });

  it('forwards the usage chunk a client asked for and keeps its other stream options', async () => {
    const body = { model: 'd', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } };
    const r = await target.call('chat.completions', body, callOpts({ stream: true }));
    const events = await collect(r.events);
    assert.equal(r.injectedUsage, false);
    assert.ok(!events.some((e) => e.injected));
    assert.equal(events.filter((e) => e.usage !== undefined).length, 1);
  });

  it('passes chunks through exactly as the upstream wrote them', async () => {
    const body = { model: 'd', messages: [], stream: true, stream_options: { include_usage: true } };
    const r = await target.call('chat.completions', body, callOpts({ stream: true }));
    const events = await collect(r.events);
    const upstreamFrames = chatAnswer(up.requests[0]!.body!, { text: MOCK_TEXT, toolCalls: [], usage: MOCK_USAGE, chunks: undefined }, true).frames!;
    assert.deepEqual(
      events.map((e) => `data: ${e.data}\n\n`),
      upstreamFrames.slice(0, -1),
    );
  });

  it('streams tool call deltas that the official SDK assembles into a complete call', async () => {
    up.script({ reply: { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }] } });
    const client = sdkOver(target);
    const stream = client.chat.completions.stream({
      model: 'd',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    assert.equal(call.type, 'function');
    assert.equal(call.type === 'function' && call.function.name, 'get_weather');
    assert.deepEqual(call.type === 'function' && JSON.parse(call.function.arguments), { city: 'Paris', unit: 'c' });
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
  });

  it('embeds through the official SDK, which asks for base64 and decodes it', async () => {
    const res = await sdkOver(target).embeddings.create({ model: 'd', input: ['a', 'b'], dimensions: 4 });
    assert.equal(res.data.length, 2);
    assert.equal(res.data[1]!.embedding.length, 4);
    assert.ok(Math.abs(res.data[1]!.embedding[0]! - 0.2) < 1e-6);
    const sent = up.requests[0]!;
    assert.equal(sent.path, '/v1/embeddings');
    assert.equal(sent.body?.['encoding_format'], 'base64');
    assert.equal('stream' in (sent.body ?? {}), false, 'embeddings carry no stream flag');
  });

  it('answers the Responses API plain and streamed, with usage from response.completed', async () => {
    const plain = await target.call('responses', { model: 'd', input: 'hi' }, callOpts());
    assert.deepEqual(plain.usage, { promptTokens: 10, completionTokens: 5 });
    const r = await target.call('responses', { model: 'd', input: 'hi', stream: true }, callOpts({ stream: true }));
    const events = await collect(r.events);
    assert.equal(events[0]!.event, 'response.created');
    assert.equal(events.at(-1)!.event, 'response.completed');
    assert.deepEqual(r.streamUsage?.(), { promptTokens: 10, completionTokens: 5 });
    const sdkText = await sdkOver(target).responses.create({ model: 'd', input: 'hi' });
    assert.equal(sdkText.output_text, MOCK_TEXT);
  });

  it('retries nothing on a 400 and passes the upstream error through', async () => {
    const error = { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value', extra: 'dropped' };
    up.script({ reply: { status: 400, body: { error } } });
    const f = await failure(target.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
    assert.equal(f.retryable, false);
    assert.equal(f.status, 400);
    assert.deepEqual(f.body, { error: { message: error.message, type: error.type, param: 'temperature', code: 'invalid_value' } });
    assert.equal(up.requests.length, 1);
  });

  it('marks a 429 retryable with its Retry-After', async () => {
    up.script({ reply: { status: 429, retryAfter: 2, body: { error: { message: 'Rate limit reached for org-secretorg', type: 'requests' } } } });
    const f = await failure(target.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
    assert.equal(f.retryable, true);
    assert.equal(f.status, 429);
    assert.equal(f.retryAfterMs, 2000);
    assert.doesNotMatch(JSON.stringify(f.body), /org-secretorg/);
  });

  it('marks a 503 retryable and reports it to the client as a 502', async () => {
    up.script({ reply: { status: 503, body: '<html>down</html>' } });
    const f = await failure(target.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
    assert.equal(f.kind, 'http');
    assert.equal(f.retryable, true);
    assert.equal(f.status, 502);
    assert.equal(f.body?.error.code, 'RAMPART_UPSTREAM_ERROR');
  });

  it('never passes on what the upstream says about a rejected key', async () => {
    const wrong = makeTarget(openaiProvider, { baseUrl: `${up.url}/v1`, apiKey: 'sk-proj-WRONGKEYabcdef9876', model: 'm' });
    try {
      const f = await failure(wrong.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
      assert.match(up.requests[0]!.rawBody, /"model":"m"/);
      assert.equal(f.retryable, false);
      assert.equal(f.status, 502);
      const everything = JSON.stringify(f.body) + f.message + inspect(f);
      assert.doesNotMatch(everything, /sk-pro|9876|Incorrect API key/);
    } finally {
      await wrong.close();
    }
  });

  it('times out a silent upstream as a retryable timeout', async () => {
    up.script({ reply: { hang: true } });
    const fast = makeTarget(openaiProvider, { baseUrl: `${up.url}/v1`, apiKey: KEY, model: 'm', timeoutMs: 150 });
    try {
      const t0 = Date.now();
      const f = await failure(fast.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
      assert.equal(f.kind, 'timeout');
      assert.equal(f.retryable, true);
      assert.equal(f.status, 504);
      assert.ok(Date.now() - t0 < 1_500, 'gave up near the timeout');
    } finally {
      await fast.close();
    }
  });

  it('times out a body that stops halfway when not streamed', async () => {
    up.script({ reply: { bodyDelayMs: 1_000 } });
    const fast = makeTarget(openaiProvider, { baseUrl: `${up.url}/v1`, apiKey: KEY, model: 'm', timeoutMs: 150 });
    try {
      const t0 = Date.now();
      const f = await failure(fast.call('embeddings', { model: 'd', input: 'x' }, callOpts()));
      assert.equal(f.kind, 'timeout');
      assert.ok(Date.now() - t0 < 600, 'one deadline covers headers and body');
      assert.equal(await up.requests[0]!.done, 'aborted');
    } finally {
      await fast.close();
    }
  });

  it('fails a stream that goes silent for longer than the idle timeout', async () => {
    // undici checks body timeouts on a ~0.5 s tick, so the silence here is far longer than that.
    up.script({ reply: { chunkDelayMs: 5_000 } });
    const idle = makeTarget(openaiProvider, { baseUrl: `${up.url}/v1`, apiKey: KEY, model: 'm', streamIdleTimeoutMs: 100 });
    try {
      const t0 = Date.now();
      const r = await idle.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true }));
      const f = await failure(collect(r.events));
      assert.equal(f.kind, 'timeout');
      assert.ok(Date.now() - t0 < 3_000);
    } finally {
      await idle.close();
    }
  });

  it('refuses to follow a redirect', async () => {
    up.script({ path: '/v1/chat/completions', reply: { status: 307, headers: { location: `${up.url}/v1/other` } } });
    const f = await failure(target.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
    assert.equal(f.kind, 'bad-response');
    assert.equal(f.status, 502);
    assert.deepEqual(
      up.requests.map((r) => r.path),
      ['/v1/chat/completions'],
    );
  });

  it('reports a refused connection as a retryable connect failure', async () => {
    const closed = await startMockUpstream();
    const url = closed.url;
    await closed.close();
    const dead = makeTarget(openaiProvider, { baseUrl: `${url}/v1`, model: 'm' });
    try {
      const f = await failure(dead.call('chat.completions', { model: 'd', messages: [] }, callOpts()));
      assert.equal(f.kind, 'connect');
      assert.equal(f.retryable, true);
      assert.equal(f.status, 502);
    } finally {
      await dead.close();
    }
  });

  it('reports a stream cut before [DONE] as a failure, not a short answer', async () => {
    up.script({ reply: { failAfterChunks: 3 } });
    const r = await target.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true }));
    const seen: string[] = [];
    const f = await failure(
      (async () => {
        for await (const ev of r.events!) seen.push(ev.data);
      })(),
    );
    assert.equal(seen.length, 3);
    assert.equal(f.retryable, true);
  });

  it('reports a Responses stream that ends before its terminal event as a failure, not a complete answer', async () => {
    up.script({ reply: { endAfterChunks: 4 } });
    const r = await target.call('responses', { model: 'd', input: 'hi', stream: true }, callOpts({ stream: true }));
    const seen: string[] = [];
    const f = await failure(
      (async () => {
        for await (const ev of r.events!) seen.push(ev.event ?? '');
      })(),
    );
    assert.deepEqual(seen, ['response.created', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta']);
    assert.equal(f.kind, 'bad-response');
    assert.equal(f.status, 502);
  });

  it('accepts a Responses stream whose terminal event has no event name', async () => {
    const completed = { type: 'response.completed', response: { id: 'r', status: 'completed', output: [], usage: { input_tokens: 3, output_tokens: 4 } } };
    const body = `data: {"type":"response.created","response":{"id":"r","status":"in_progress","output":[]}}\n\ndata: ${JSON.stringify(completed)}\n\n`;
    up.script({ reply: { status: 200, body, headers: { 'content-type': 'text/event-stream' } } });
    const r = await target.call('responses', { model: 'd', input: 'hi', stream: true }, callOpts({ stream: true }));
    assert.equal((await collect(r.events)).length, 2);
    assert.deepEqual(r.streamUsage?.(), { promptTokens: 3, completionTokens: 4 });
  });

  it('cancels the upstream request when the client goes away mid-stream', async () => {
    up.script({ reply: { chunks: 50, chunkDelayMs: 20 } });
    const ac = new AbortController();
    const r = await target.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true, signal: ac.signal }));
    let n = 0;
    const f = await failure(
      (async () => {
        for await (const _ of r.events!) if (++n === 2) ac.abort();
      })(),
    );
    assert.equal(f.kind, 'aborted');
    assert.equal(f.retryable, false);
    assert.equal(await up.requests[0]!.done, 'aborted');
  });

  it('closes the upstream stream when the consumer stops reading early', async () => {
    up.script({ times: 1, reply: { chunks: 50, chunkDelayMs: 10 } });
    const r = await target.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true }));
    for await (const _ of r.events!) break;
    assert.equal(await up.requests[0]!.done, 'aborted');
    const full = await target.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true }));
    await collect(full.events);
    assert.equal(await up.requests[1]!.done, 'finished');
  });

  it('cancels the upstream request when the client goes away before the headers', async () => {
    up.script({ reply: { hang: true } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const f = await failure(target.call('chat.completions', { model: 'd', messages: [] }, callOpts({ signal: ac.signal })));
    assert.equal(f.kind, 'aborted');
    assert.equal(await up.requests[0]!.done, 'aborted');
  });

  it('reuses keep-alive connections instead of opening one per call', async () => {
    for (let i = 0; i < 4; i++) {
      await target.call('chat.completions', { model: 'd', messages: [] }, callOpts());
      const r = await target.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true }));
      await collect(r.events);
    }
    const ports = new Set(up.requests.map((q) => q.remotePort));
    assert.equal(up.requests.length, 8);
    // undici may not have released a socket when the next call starts, so allow a second one.
    assert.ok(ports.size <= 2, `${ports.size} connections for 8 calls`);
  });

  it('exposes only the common options on the target, never the key', () => {
    assert.doesNotMatch(JSON.stringify(target.options) + inspect(target), /SECRETSECRET/);
    assert.equal(target.label, 'openai:test-deployment#0');
  });
});

describe('openai provider options', () => {
  const schema = openaiProvider.optionsSchema;

  it('refuses a plain-http base URL to a non-loopback host unless allowHttp is set', () => {
    const r = schema.safeParse({ provider: 'openai', model: 'm', baseUrl: 'http://vllm.internal:8000/v1' });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ['baseUrl']);
    assert.match(r.error?.issues[0]?.message ?? '', /https URL or a loopback http URL/);
    assert.equal(schema.safeParse({ provider: 'openai', model: 'm', baseUrl: 'http://vllm.internal:8000/v1', allowHttp: true }).success, true);
    assert.equal(schema.safeParse({ provider: 'openai', model: 'm', baseUrl: 'http://127.0.0.1:11434/v1' }).success, true);
  });

  it('refuses credentials, queries and other schemes in the base URL', () => {
    for (const baseUrl of ['https://user:pw@api.example/v1', 'https://api.example/v1?x=1', 'ftp://api.example', 'not a url']) {
      assert.equal(schema.safeParse({ provider: 'openai', model: 'm', baseUrl }).success, false, baseUrl);
    }
  });

  it('defaults to the OpenAI API and refuses unknown fields', () => {
    const ok = schema.parse({ provider: 'openai', model: 'gpt-4o' }) as { baseUrl: string; streamUsage: boolean };
    assert.equal(ok.baseUrl, 'https://api.openai.com/v1');
    assert.equal(ok.streamUsage, true);
    assert.equal(schema.safeParse({ provider: 'openai', model: 'm', apikey: 'typo' }).success, false);
  });
});
