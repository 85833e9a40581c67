import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toAnthropicRequest } from '../../../src/gateway/providers/anthropic/request.ts';
import { toChatCompletion } from '../../../src/gateway/providers/anthropic/response.ts';
import { translateStream } from '../../../src/gateway/providers/anthropic/stream.ts';
import type { SseEvent } from '../../../src/gateway/sse.ts';
import { UpstreamFailure } from '../../../src/gateway/providers/provider.ts';
import { collect, failure } from './target-helper.ts';

const defaults = { model: 'claude-test', maxTokens: 1024 };

function rejects(body: Record<string, unknown>, param: string): void {
  assert.throws(
    () => toAnthropicRequest(body, defaults, false),
    (e: unknown) => e instanceof UpstreamFailure && e.status === 400 && !e.retryable && e.body?.error.param === param,
    param,
  );
}

describe('Anthropic request translation', () => {
  it('moves system and developer messages to system and maps the sampling parameters', () => {
    const req = toAnthropicRequest(
      {
        model: 'deployment',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hi' },
        ],
        temperature: 0.3,
        top_p: 0.9,
        max_completion_tokens: 77,
        max_tokens: 5,
        stop: 'END',
        user: 'u-42',
        frequency_penalty: 1,
      },
      defaults,
      true,
    );
    assert.deepEqual(req, {
      model: 'claude-test',
      max_tokens: 77,
      system: 'Be brief.\n\nAnswer in French.',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-42' },
    });
  });

  it('uses the target default for max_tokens when the client sets none', () => {
    assert.equal(toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }] }, defaults, false)['max_tokens'], 1024);
    assert.equal(toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], max_tokens: 9 }, defaults, false)['max_tokens'], 9);
  });

  it('turns image parts into image blocks from data URLs and https URLs', () => {
    const req = toAnthropicRequest(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K\nGgo=' } },
              { type: 'image_url', image_url: { url: 'https://img.example/cat.jpg', detail: 'high' } },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            ],
          },
        ],
      },
      defaults,
      false,
    );
    assert.deepEqual((req['messages'] as { content: unknown[] }[])[0]!.content, [
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://img.example/cat.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });

  it('turns tool calls and tool results into tool_use and tool_result blocks, merging parallel results', () => {
    const req = toAnthropicRequest(
      {
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [
          { type: 'function', function: { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
          { type: 'function', function: { name: 'noargs' } },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
      defaults,
      false,
    );
    assert.deepEqual(req['messages'], [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
    assert.deepEqual(req['tools'], [
      { name: 'weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'noargs', input_schema: { type: 'object', properties: {} } },
    ]);
    assert.deepEqual(req['tool_choice'], { type: 'any', disable_parallel_tool_use: true });
  });

  it('maps every tool_choice form', () => {
    const base = { messages: [{ role: 'user', content: 'x' }] };
    const choice = (tc: unknown): unknown => toAnthropicRequest({ ...base, tool_choice: tc }, defaults, false)['tool_choice'];
    assert.deepEqual(choice('none'), { type: 'none' });
    assert.deepEqual(choice('auto'), { type: 'auto' });
    assert.deepEqual(choice({ type: 'function', function: { name: 'f' } }), { type: 'tool', name: 'f' });
    assert.equal(choice(undefined), undefined);
  });

  it('refuses what Anthropic cannot do, naming the parameter', () => {
    const user = { role: 'user', content: 'x' };
    rejects({ messages: [user], n: 2 }, 'n');
    rejects({ messages: [user], response_format: { type: 'json_schema', json_schema: {} } }, 'response_format');
    rejects({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type');
    rejects({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://img.example/a.png' } }] }] }, 'messages[0].content[0].image_url.url');
    rejects({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml;base64,PHN2Zz4=' } }] }] }, 'messages[0].content[0].image_url.url');
    rejects({ messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{bad' } }] }] }, 'messages[0].tool_calls[0].function.arguments');
    rejects({ messages: [{ role: 'tool', content: 'r' }] }, 'messages[0].tool_call_id');
    rejects({ messages: [{ role: 'function', content: 'r' }] }, 'messages[0].role');
    rejects({ messages: [user], tools: [{ type: 'web_search' }] }, 'tools[0]');
    rejects({ messages: [user], max_tokens: 0 }, 'max_tokens');
    rejects({ messages: [] }, 'messages');
  });
});

describe('Anthropic answer translation', () => {
  it('answers a chat.completion with text, tool calls, finish reason and usage including cached tokens', () => {
    const { json, usage } = toChatCompletion(
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, cache_read_input_tokens: 5, cache_creation_input_tokens: 2, output_tokens: 7 },
      },
      1_700_000_000,
    );
    assert.deepEqual(json, {
      id: 'msg_1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-test',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            refusal: null,
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 17, completion_tokens: 7, total_tokens: 24, prompt_tokens_details: { cached_tokens: 5 } },
    });
    assert.deepEqual(usage, { promptTokens: 17, completionTokens: 7 });
  });

  it('maps each stop reason to its finish reason', () => {
    const reason = (stop_reason: string): unknown =>
      (toChatCompletion({ type: 'message', content: [], stop_reason, usage: {} }, 0).json['choices'] as { finish_reason: unknown }[])[0]!.finish_reason;
    assert.equal(reason('end_turn'), 'stop');
    assert.equal(reason('stop_sequence'), 'stop');
    assert.equal(reason('max_tokens'), 'length');
    assert.equal(reason('tool_use'), 'tool_calls');
    assert.equal(reason('refusal'), 'content_filter');
  });

  it('refuses an answer that is not a message', () => {
    assert.throws(() => toChatCompletion({ type: 'error' }, 0), (e: unknown) => e instanceof UpstreamFailure && e.kind === 'bad-response');
  });
});

function events(list: Record<string, unknown>[]): AsyncIterable<SseEvent> {
  return (async function* () {
    for (const d of list) yield { event: String(d['type']), data: JSON.stringify(d) };
  })();
}

const START = { type: 'message_start', message: { id: 'msg_s', model: 'claude-test', usage: { input_tokens: 12, output_tokens: 1 } } };

describe('Anthropic stream translation', () => {
  it('streams text and two tool calls as chunks with one id, tool indexes and a final usage chunk', async () => {
    const t = translateStream(
      events([
        START,
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'ping' },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
        { type: 'content_block_stop', index: 1 },
        { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'time', input: {} } },
        { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
        { type: 'content_block_stop', index: 2 },
        { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } },
        { type: 'message_stop' },
      ]),
      { injected: false, created: 1 },
    );
    const out = await collect(t.events);
    const chunks = out.map((e) => JSON.parse(e.data) as { id: string; choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown });
    assert.ok(chunks.every((c) => c.id === 'msg_s'));
    assert.deepEqual(chunks[0]!.choices[0]!.delta, { role: 'assistant', content: '' });
    assert.deepEqual(chunks[1]!.choices[0]!.delta, { content: 'Checking' });
    assert.deepEqual(chunks[2]!.choices[0]!.delta, { tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '' } }] });
    assert.deepEqual(chunks[3]!.choices[0]!.delta, { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] });
    assert.deepEqual(chunks[5]!.choices[0]!.delta, { tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'time', arguments: '' } }] });
    assert.equal(chunks[7]!.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(chunks[8]!.choices, []);
    assert.deepEqual(chunks[8]!.usage, { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, prompt_tokens_details: { cached_tokens: 0 } });
    assert.equal(out[8]!.injected, undefined, 'the client asked for usage');
    assert.deepEqual(t.usage(), { promptTokens: 12, completionTokens: 30 });
  });

  it('marks the usage chunk injected when the client did not ask for usage', async () => {
    const t = translateStream(events([START, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }, { type: 'message_stop' }]), {
      injected: true,
      created: 1,
    });
    const out = await collect(t.events);
    assert.equal(out.at(-1)!.injected, true);
    assert.equal(out.filter((e) => e.injected).length, 1);
  });

  it('turns an overloaded error event into a retryable failure with an OpenAI-style body', async () => {
    const t = translateStream(events([START, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]), { injected: true, created: 1 });
    const f = await failure(collect(t.events));
    assert.equal(f.retryable, true);
    assert.equal(f.body?.error.code, 'RAMPART_UPSTREAM_ERROR');
    assert.deepEqual(t.usage(), { promptTokens: 12, completionTokens: 1 }, 'usage so far survives the failure');
  });

  it('passes a non-retryable error event through with its message', async () => {
    const t = translateStream(events([START, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } }]), { injected: true, created: 1 });
    const f = await failure(collect(t.events));
    assert.equal(f.retryable, false);
    assert.equal(f.body?.error.message, 'prompt is too long');
  });

  it('reports a stream cut before message_stop', async () => {
    const t = translateStream(events([START, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hal' } }]), { injected: true, created: 1 });
    const f = await failure(collect(t.events));
    assert.equal(f.kind, 'bad-response');
  });
});
