/**
 * Rampart on an ephemeral port in front of a mock upstream, driven with the official `openai`
 * client the way applications use it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { MOCK_TEXT } from '../support/mock-upstream.ts';
import { flushAudit, startTestGateway, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;
let userKey: string;
let client: OpenAI;

before(async () => {
  gw = await startTestGateway();
  userKey = await gw.key(['user']);
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: userKey, maxRetries: 0 });
});
after(async () => {
  await gw?.close();
});

describe('chat completions through the openai client', () => {
  it('answers a plain request and sends the upstream its own model name and credential', async () => {
    gw.upstream.reset();
    const answer = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(answer.choices[0]?.message.content, MOCK_TEXT);
    assert.equal(answer.usage?.prompt_tokens, 10);
    const seen = gw.upstream.requests.at(-1)!;
    assert.equal(seen.body?.model, 'gpt-4o-mini');
    assert.equal(seen.headers.authorization, 'Bearer sk-upstream-secret-123456');
    assert.ok(!JSON.stringify(seen.headers).includes(userKey), 'the client credential must not reach the upstream');
  });

  it('streams chunk by chunk and leaves out the usage chunk the client did not ask for', async () => {
    const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let chunks = 0;
    let usageChunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usageChunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(text, MOCK_TEXT);
    assert.ok(chunks > 2, `expected several chunks, got ${chunks}`);
    assert.equal(usageChunks, 0);
    assert.equal(gw.upstream.requests.at(-1)?.body?.stream_options && (gw.upstream.requests.at(-1)!.body!.stream_options as { include_usage: boolean }).include_usage, true);
  });

  it('passes the usage chunk through when the client asks for it', async () => {
    const stream = await client.chat.completions.create({ model: 'chat', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    assert.equal(usage?.completion_tokens, 5);
  });

  it('passes tools and tool calls through', async () => {
    gw.upstream.script({ times: 1, reply: { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } });
    const answer = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const call = answer.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.equal((gw.upstream.requests.at(-1)?.body?.tools as unknown[]).length, 1);
  });

  it('passes multimodal content parts through untouched', async () => {
    const parts = [
      { type: 'text' as const, text: 'what is this?' },
      { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ];
    await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: parts }] });
    const sent = gw.upstream.requests.at(-1)!.body!.messages as { content: unknown }[];
    assert.deepEqual(sent[0]!.content, parts);
  });
});

describe('embeddings, responses and models', () => {
  it('creates embeddings', async () => {
    const res = await client.embeddings.create({ model: 'embed', input: ['a', 'b'] });
    assert.equal(res.data.length, 2);
    assert.equal(gw.upstream.requests.at(-1)?.body?.model, 'text-embedding-3-small');
  });

  it('serves the responses API for OpenAI targets', async () => {
    const res = await client.responses.create({ model: 'chat', input: 'hi' });
    assert.equal(res.output_text, MOCK_TEXT);
  });

  it('streams the responses API with its named events', async () => {
    const stream = await client.responses.create({ model: 'chat', input: 'hi', stream: true });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = true;
    }
    assert.equal(text, MOCK_TEXT);
    assert.ok(completed);
  });

  it('fails a responses stream that the upstream ended before response.completed, and audits the failure', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/responses', times: 1, reply: { endAfterChunks: 4 } });
    const res = await fetch(`${gw.app.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json', 'x-request-id': 'responses-cut-1' },
      body: JSON.stringify({ model: 'chat', input: 'hi', stream: true }),
    });
    const text = await res.text();
    assert.match(text, /^data: \{"error":\{.*"code":"RAMPART_UPSTREAM_ERROR"/m, 'the client gets an error event');
    assert.doesNotMatch(text, /response\.completed/);
    await flushAudit(gw);
    const ev = (await gw.app.store.audit.list({ requestId: 'responses-cut-1', limit: 10 })).items[0]!;
    assert.equal(ev.decision, 'error');
    assert.equal(ev.status, 502);
    assert.equal(ev.code, 'RAMPART_UPSTREAM_ERROR');
  });

  it('lists only the deployments the caller may invoke', async () => {
    const page = await client.models.list();
    assert.deepEqual(page.data.map((m) => m.id).sort(), ['chat', 'embed']);
  });
});

describe('errors the client sees', () => {
  it('unknown deployment is a 404 with a coded error', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.code, 'RAMPART_UNKNOWN_DEPLOYMENT');
      return true;
    });
  });

  it('a deployment no role grants is a 403', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.PermissionDeniedError);
      assert.equal(e.code, 'RAMPART_FORBIDDEN');
      return true;
    });
  });

  it('a wrong key is a 401 and never echoed', async () => {
    const bad = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: `${userKey.slice(0, -3)}abc`, maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.AuthenticationError);
      assert.ok(!String(e.message).includes('rk_'));
      return true;
    });
  });

  it('retries a 5xx, then answers 502 when the upstream keeps failing', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', reply: { status: 500, body: { error: { message: 'boom', type: 'server_error' } } } });
    await assert.rejects(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 502);
      assert.equal(e.code, 'RAMPART_UPSTREAM_ERROR');
      return true;
    });
    assert.equal(gw.upstream.requests.length, 2, 'one try plus one retry (retry.attempts: 1)');
    gw.upstream.reset();
  });

  it('recovers when a retry succeeds', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { status: 503 } });
    const answer = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(answer.choices[0]?.message.content, MOCK_TEXT);
    assert.equal(gw.upstream.requests.length, 2);
  });

  it('passes an upstream 400 through without retrying', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { status: 400, body: { error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null } } } });
    await assert.rejects(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.match(String(e.message), /bad temperature/);
      return true;
    });
    assert.equal(gw.upstream.requests.length, 1);
  });

  it('hides an upstream 401, whose text can quote the provider key', async () => {
    gw.upstream.reset();
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { status: 401, body: { error: { message: 'Incorrect API key provided: sk-upstr*****3456', type: 'invalid_request_error' } } } });
    await assert.rejects(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 502);
      assert.ok(!JSON.stringify(e.error).includes('sk-'));
      return true;
    });
  });
});

describe('what the gateway adds', () => {
  it('reports its own overhead and a request id on every response', async () => {
    const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-rampart-overhead-ms') ?? '', /^\d+\.\d{3}$/);
    assert.ok(res.headers.get('x-request-id'));
  });

  it('writes one audit event per request, without the prompt', async () => {
    const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json', 'x-request-id': 'audit-probe-1' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'my secret prompt' }] }),
    });
    assert.equal(res.status, 200);
    await flushAudit(gw);
    const page = await gw.app.store.audit.list({ requestId: 'audit-probe-1', limit: 10 });
    assert.equal(page.items.length, 1);
    const ev = page.items[0]!;
    assert.equal(ev.deployment, 'chat');
    assert.equal(ev.decision, 'allow');
    assert.equal(ev.status, 200);
    assert.equal(ev.promptTokens, 10);
    assert.match(ev.upstream ?? '', /^openai:chat#0$/);
    assert.ok(!JSON.stringify(ev).includes('my secret prompt'));
  });
});
