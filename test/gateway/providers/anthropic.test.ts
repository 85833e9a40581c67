import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type OpenAI from 'openai';
import { anthropicProvider } from '../../../src/gateway/providers/anthropic/index.ts';
import type { ProviderTarget } from '../../../src/gateway/providers/provider.ts';
import { startMockUpstream, MOCK_TEXT, type MockUpstream } from '../../support/mock-upstream.ts';
import { callOpts, collect, failure, makeTarget } from './target-helper.ts';
import { sdkOver } from './sdk-harness.ts';

const KEY = 'sk-ant-api03-SECRETSECRET-9999';
const chat = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], ...extra });

describe('anthropic provider', () => {
  let up: MockUpstream;
  let target: ProviderTarget;

  before(async () => {
    up = await startMockUpstream({ apiKey: KEY });
    target = makeTarget(anthropicProvider, { baseUrl: up.url, apiKey: KEY, model: 'claude-sonnet-test', maxTokens: 321 });
  });
  after(async () => {
    await target.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  it('sends a Messages API request with its key and version headers', async () => {
    const r = await target.call('chat.completions', chat({ messages: [{ role: 'system', content: 'Short.' }, { role: 'user', content: 'Hi' }] }), callOpts());
    const sent = up.requests[0]!;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], KEY);
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.headers['authorization'], undefined);
    assert.deepEqual(sent.body, { model: 'claude-sonnet-test', max_tokens: 321, system: 'Short.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    const c = r.json as OpenAI.Chat.ChatCompletion;
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.choices[0]!.message.content, MOCK_TEXT);
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(r.usage, { promptTokens: 10, completionTokens: 5 });
  });

  it('answers a tool call that the official SDK reads', async () => {
    up.script({ reply: { text: '', toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Rome"}' }] } });
    const c = await sdkOver(target).chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
    });
    assert.deepEqual(up.requests[0]!.body?.['tools'], [{ name: 'weather', input_schema: { type: 'object' } }]);
    const call = c.choices[0]!.message.tool_calls![0]!;
    assert.equal(call.type === 'function' && call.function.name, 'weather');
    assert.equal(call.type === 'function' && call.function.arguments, '{"city":"Rome"}');
    assert.equal(c.choices[0]!.message.content, null);
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
  });

  it('streams text that the official SDK assembles, with usage the client did not ask for kept from it', async () => {
    const r = await target.call('chat.completions', chat({ stream: true }), callOpts({ stream: true }));
    assert.equal(up.requests[0]!.body?.['stream'], true);
    assert.equal(r.injectedUsage, true);
    const out = await collect(r.events);
    assert.equal(out.filter((e) => e.injected).length, 1);
    assert.deepEqual(r.streamUsage?.(), { promptTokens: 10, completionTokens: 5 });

    const stream = sdkOver(target).chat.completions.stream({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, MOCK_TEXT);
    assert.equal(final.choices[0]!.finish_reason, 'stop');
  });

  it('streams tool calls that the official SDK assembles into complete arguments', async () => {
    up.script({
      reply: {
        text: 'Let me look.',
        toolCalls: [
          { id: 'toolu_a', name: 'weather', arguments: '{"city":"Paris","days":3}' },
          { id: 'toolu_b', name: 'clock', arguments: '{"tz":"CET"}' },
        ],
      },
    });
    const stream = sdkOver(target).chat.completions.stream({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather and time?' }],
      tools: [
        { type: 'function', function: { name: 'weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'clock', parameters: { type: 'object' } } },
      ],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls!.map((c) => (c.type === 'function' ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : []));
    assert.deepEqual(calls, [
      ['toolu_a', 'weather', { city: 'Paris', days: 3 }],
      ['toolu_b', 'clock', { tz: 'CET' }],
    ]);
    assert.equal(final.choices[0]!.message.content, 'Let me look.');
    assert.equal(final.usage?.completion_tokens, 5);
  });

  it('turns an Anthropic 400 into an OpenAI-style error that is not retried', async () => {
    up.script({ reply: { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: roles must alternate' } } } });
    const f = await failure(target.call('chat.completions', chat(), callOpts()));
    assert.equal(f.status, 400);
    assert.equal(f.retryable, false);
    assert.deepEqual(f.body, { error: { message: 'messages: roles must alternate', type: 'invalid_request_error', code: null, param: null } });
  });

  it('marks 529 overloaded retryable', async () => {
    up.script({ reply: { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } } });
    const f = await failure(target.call('chat.completions', chat(), callOpts()));
    assert.equal(f.retryable, true);
    assert.equal(f.status, 502);
  });

  it('fails a stream on an error event from the upstream', async () => {
    up.script({ reply: { errorAfterChunks: 3 } });
    const r = await target.call('chat.completions', chat({ stream: true }), callOpts({ stream: true }));
    const f = await failure(collect(r.events));
    assert.equal(f.kind, 'http');
    assert.equal(f.retryable, true);
  });

  it('never passes on what Anthropic says about a rejected key', async () => {
    const wrong = makeTarget(anthropicProvider, { baseUrl: up.url, apiKey: 'sk-ant-WRONG-abcdef', model: 'm' });
    try {
      const f = await failure(wrong.call('chat.completions', chat(), callOpts()));
      assert.equal(f.status, 502);
      assert.doesNotMatch(JSON.stringify(f.body) + f.message + inspect(f), /sk-ant|abcdef|x-api-key/);
    } finally {
      await wrong.close();
    }
  });

  it('refuses embeddings and responses without contacting Anthropic', async () => {
    assert.equal(target.supports('embeddings'), false);
    assert.equal(target.supports('responses'), false);
    const f = await failure(target.call('embeddings', { input: 'x' }, callOpts()));
    assert.equal(f.status, 400);
    assert.equal(up.requests.length, 0);
  });

  it('refuses an untranslatable request without contacting Anthropic', async () => {
    const f = await failure(target.call('chat.completions', chat({ n: 3 }), callOpts()));
    assert.equal(f.status, 400);
    assert.equal(f.body?.error.param, 'n');
    assert.equal(up.requests.length, 0);
  });

  it('accepts a base URL that already ends in /v1', async () => {
    const v1 = makeTarget(anthropicProvider, { baseUrl: `${up.url}/v1`, apiKey: KEY, model: 'm' });
    try {
      await v1.call('chat.completions', chat(), callOpts());
      assert.equal(up.requests[0]!.path, '/v1/messages');
    } finally {
      await v1.close();
    }
  });

  it('cancels the upstream stream when the client goes away', async () => {
    up.script({ reply: { chunks: 40, chunkDelayMs: 20 } });
    const ac = new AbortController();
    const r = await target.call('chat.completions', chat({ stream: true }), callOpts({ stream: true, signal: ac.signal }));
    let n = 0;
    const f = await failure(
      (async () => {
        for await (const _ of r.events!) if (++n === 2) ac.abort();
      })(),
    );
    assert.equal(f.kind, 'aborted');
    assert.equal(await up.requests[0]!.done, 'aborted');
  });
});
