/**
 * Every text of an answer passes the output guard before the caller sees it, whichever field
 * carries it: refusals, reasoning, audio transcripts, legacy function calls and custom tool inputs
 * in chat answers (plain and streamed), refusal parts, reasoning summaries and custom tool inputs
 * in responses, and responses streams that send their text only in `.done` or terminal events.
 * Log probabilities, which spell the answer out token by token, are not passed on. Streams keep
 * their text in order when the last text and the finish reason share a chunk, and a zero
 * `contextChars` rescans nothing already sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { z } from 'zod';
import type { DetectorDescriptor } from '../../src/guard/types.ts';
import { baseTestConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

// A token of the custom rule below: random-looking, so its pieces cannot occur by chance.
const TOKEN = 'tok_q7x2m9k4p1z8w3n6r5t0y2v4';
const TEXT = `Your key is ${TOKEN} and it expires soon.`;
const MASKED = TEXT.replace(TOKEN, '****');
// Longer than the hold-back window: streamed text is released chunk by chunk around the secret.
const FILLER = 'The quarterly report covers revenue, churn and hiring plans for the next two quarters. ';
const LONG = `${FILLER}${FILLER}${TEXT} ${FILLER}`;

/** Records the length of every text it is given. */
const windows: number[] = [];
const probe: DetectorDescriptor<Record<string, never>> = {
  id: 'test-window-probe',
  version: '0',
  description: 'records window sizes',
  channels: ['output'],
  categories: ['test'],
  optionsSchema: z.strictObject({}),
  create: () => ({ text }) => {
    windows.push(text.length);
    return [];
  },
};

let gw: TestGateway;
let client: OpenAI;

before(async () => {
  gw = await startTestGateway(
    (url, dir) => {
      const targets = [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }];
      return {
        ...baseTestConfig(dir),
        guard: {
          defaultProfile: 'masking',
          profiles: {
            masking: {
              detectors: [{ id: 'custom-rules', options: { rules: [{ name: 'token', patterns: ['tok_[a-z0-9]{24}'] }] } }],
              actions: { 'custom.token': 'mask' },
              stream: { holdBackChars: 64, contextChars: 16 },
              timeBudgetMs: 10_000,
            },
            probed: { detectors: [{ id: 'test-window-probe' }], stream: { holdBackChars: 16, contextChars: 0 }, timeBudgetMs: 10_000 },
          },
        },
        deployments: [
          { name: 'chat', targets },
          { name: 'probed', guard: 'probed', targets },
        ],
      };
    },
    { detectors: [probe as DetectorDescriptor<never>] },
  );
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['user']), maxRetries: 0 });
});
after(() => gw?.close());

type Obj = Record<string, unknown>;
const pieces = (s: string, n = 5) => s.match(new RegExp(`.{1,${n}}`, 'gs')) ?? [];
/** Every substring of `s` of length `n`. */
const grams = (s: string, n: number) => Array.from({ length: s.length - n + 1 }, (_, i) => s.slice(i, i + n));
const noPieceOfToken = (raw: string) => grams(TOKEN.slice(4), 6).every((g) => !raw.includes(g));

function answerJson(json: unknown): void {
  gw.upstream.script({ times: 1, reply: { status: 200, body: json } });
}
function answerSse(events: (Obj | string)[]): void {
  const body = events.map((e) => (typeof e === 'string' ? `data: ${e}\n\n` : `${typeof e.type === 'string' ? `event: ${e.type}\n` : ''}data: ${JSON.stringify(e)}\n\n`)).join('');
  gw.upstream.script({ times: 1, reply: { status: 200, body, headers: { 'content-type': 'text/event-stream' } } });
}
const chatAnswer = (message: Obj, extra: Obj = {}) => ({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, logprobs: null, finish_reason: 'stop', ...extra }] });
const chatChunk = (delta: Obj, finish: string | null = null, extra: Obj = {}) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...extra }] });
const response = (output: unknown[], status = 'completed') => ({ id: 'resp_1', object: 'response', created_at: 1, status, model: 'm', output, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } });

async function rawPost(path: string, body: Obj): Promise<string> {
  const res = await fetch(`${gw.app.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.text();
}
const chunksOf = (raw: string): Obj[] =>
  raw
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)) as Obj);

describe('output guard coverage: chat answers', () => {
  const cases: [string, Obj, (m: Obj) => unknown, unknown][] = [
    ['message.refusal', { refusal: TEXT }, (m) => m.refusal, MASKED],
    ['legacy function_call arguments', { function_call: { name: 'f', arguments: JSON.stringify({ note: TEXT }) } }, (m) => (m.function_call as Obj).arguments, JSON.stringify({ note: MASKED })],
    ['audio.transcript', { audio: { id: 'a', data: '', expires_at: 1, transcript: TEXT } }, (m) => (m.audio as Obj).transcript, MASKED],
    ['reasoning_content', { content: 'ok', reasoning_content: TEXT }, (m) => m.reasoning_content, MASKED],
    ['a custom tool call input', { tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'x', input: TEXT } }] }, (m) => ((m.tool_calls as Obj[])[0]!.custom as Obj).input, MASKED],
  ];
  for (const [label, message, read, expected] of cases) {
    it(`masks a secret in ${label}`, async () => {
      answerJson(chatAnswer(message));
      const r = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'go' }] });
      assert.deepEqual(read(r.choices[0]!.message as unknown as Obj), expected);
    });
  }

  it('drops logprobs, which would spell out the masked value', async () => {
    const logprobs = { content: TEXT.split(/(?<= )/).map((token) => ({ token, logprob: -0.1, bytes: [...Buffer.from(token)], top_logprobs: [] })), refusal: null };
    answerJson(chatAnswer({ content: TEXT }, { logprobs }));
    const r = await client.chat.completions.create({ model: 'chat', logprobs: true, messages: [{ role: 'user', content: 'go' }] });
    assert.equal(r.choices[0]!.message.content, MASKED);
    assert.equal(r.choices[0]!.logprobs, null);
  });

  const streams: [string, (piece: string) => Obj, (d: Obj) => unknown][] = [
    ['delta.refusal', (p) => ({ refusal: p }), (d) => d.refusal],
    ['delta.reasoning_content', (p) => ({ reasoning_content: p }), (d) => d.reasoning_content],
    ['delta.function_call', (p) => ({ function_call: { arguments: p } }), (d) => (d.function_call as Obj | undefined)?.arguments],
    ['delta.audio.transcript', (p) => ({ audio: { transcript: p } }), (d) => (d.audio as Obj | undefined)?.transcript],
    ['delta.content with logprobs', (p) => ({ content: p }), (d) => d.content],
  ];
  for (const [label, delta, read] of streams) {
    it(`masks a secret streamed in ${label}, and sends no logprobs`, async () => {
      const logprobs = (p: string) => ({ logprobs: { content: [{ token: p, logprob: 0, bytes: null, top_logprobs: [] }], refusal: null } });
      answerSse([chatChunk({ role: 'assistant' }), ...pieces(LONG).map((p) => chatChunk(delta(p), null, logprobs(p))), chatChunk({}, 'stop'), '[DONE]']);
      const raw = await rawPost('/v1/chat/completions', { model: 'chat', stream: true, logprobs: true, messages: [{ role: 'user', content: 'go' }] });
      const choices = chunksOf(raw).flatMap((c) => c.choices as Obj[]);
      assert.equal(choices.map((c) => read(c.delta as Obj) ?? '').join(''), LONG.replace(TOKEN, '****'));
      assert.ok(choices.every((c) => c.logprobs == null));
      assert.ok(noPieceOfToken(raw), raw);
    });
  }

  it('sends a choice text in order when its last piece and the finish reason share a chunk', async () => {
    const text = 'AAAAAAAAAA BBBBBBBBBB CCCCCCCCCC DDDDDDDDDD EEEEEEEEEE';
    const parts = pieces(text, 11);
    answerSse([...parts.map((p, i) => chatChunk({ content: p }, i === parts.length - 1 ? 'stop' : null)), '[DONE]']);
    const stream = await client.chat.completions.create({ model: 'probed', stream: true, messages: [{ role: 'user', content: 'go' }] });
    let got = '';
    for await (const c of stream) got += c.choices[0]?.delta?.content ?? '';
    assert.equal(got, text);
  });

  it('sends tool-call arguments in order when their last piece and the finish reason share a chunk', async () => {
    const args = JSON.stringify({ text: 'AAAAAAAAAA BBBBBBBBBB CCCCCCCCCC DDDDDDDDDD' });
    const parts = pieces(args, 11);
    answerSse([
      chatChunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'note', arguments: '' } }] }),
      ...parts.map((p, i) => chatChunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }, i === parts.length - 1 ? 'tool_calls' : null)),
      '[DONE]',
    ]);
    const final = await client.chat.completions.stream({ model: 'probed', messages: [{ role: 'user', content: 'go' }] }).finalChatCompletion();
    assert.equal((final.choices[0]!.message.tool_calls![0] as { function: { arguments: string } }).function.arguments, args);
  });

  it('rescans no sent text as context when contextChars is 0', async () => {
    const text = 'word '.repeat(400);
    answerSse([...pieces(text).map((p) => chatChunk({ content: p })), chatChunk({}, 'stop'), '[DONE]']);
    windows.length = 0;
    await rawPost('/v1/chat/completions', { model: 'probed', stream: true, messages: [{ role: 'user', content: 'go' }] });
    assert.ok(windows.length > 100, `${windows.length} scans`);
    // The window is what is held back (16) plus at most one piece (5): never the answer so far.
    assert.ok(Math.max(...windows) <= 21, `largest window ${Math.max(...windows)}`);
  });
});

describe('output guard coverage: responses', () => {
  it('masks secrets in refusal parts, reasoning summaries and custom tool inputs, and drops logprobs', async () => {
    const logprobs = [{ token: TOKEN, logprob: 0, bytes: [], top_logprobs: [] }];
    answerJson(
      response([
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: TEXT }] },
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: TEXT }, { type: 'output_text', text: TEXT, annotations: [], logprobs }] },
        { type: 'custom_tool_call', id: 'ctc_1', call_id: 'c', name: 'x', input: TEXT },
      ]),
    );
    const r = await client.responses.create({ model: 'chat', input: 'go' });
    assert.ok(!JSON.stringify(r).includes(TOKEN), JSON.stringify(r));
    const [reasoning, message, custom] = r.output as unknown as Obj[];
    assert.equal(((reasoning!.summary as Obj[])[0]!).text, MASKED);
    assert.deepEqual((message!.content as Obj[]).map((p) => p.refusal ?? p.text), [MASKED, MASKED]);
    assert.deepEqual((message!.content as Obj[])[1]!.logprobs, []);
    assert.equal(custom!.input, MASKED);
  });

  it('masks text a stream sends only in .done and terminal events', async () => {
    const item = { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: TEXT, annotations: [] }] };
    answerSse([
      { type: 'response.created', response: response([], 'in_progress') },
      { type: 'response.output_text.done', item_id: 'msg_1', output_index: 0, content_index: 0, text: TEXT },
      { type: 'response.content_part.done', item_id: 'msg_1', output_index: 0, content_index: 0, part: item.content[0] },
      { type: 'response.output_item.done', output_index: 0, item },
      { type: 'response.completed', response: response([item]) },
    ]);
    const raw = await rawPost('/v1/responses', { model: 'chat', stream: true, input: 'go' });
    assert.ok(!raw.includes(TOKEN), raw);
    const events = chunksOf(raw);
    assert.equal(events.find((e) => e.type === 'response.output_text.done')!.text, MASKED);
    assert.equal(((events.at(-1)!.response as Obj).output as { content: Obj[] }[])[0]!.content[0]!.text, MASKED);
  });

  it('masks refusal, reasoning summary and custom tool input deltas', async () => {
    const deltas = (type: string, fields: Obj) => pieces(TEXT).map((delta) => ({ type: `${type}.delta`, ...fields, delta }));
    answerSse([
      { type: 'response.created', response: response([], 'in_progress') },
      ...deltas('response.reasoning_summary_text', { item_id: 'rs_1', output_index: 0, summary_index: 0 }),
      { type: 'response.reasoning_summary_text.done', item_id: 'rs_1', output_index: 0, summary_index: 0, text: TEXT },
      ...deltas('response.refusal', { item_id: 'msg_1', output_index: 1, content_index: 0 }),
      { type: 'response.refusal.done', item_id: 'msg_1', output_index: 1, content_index: 0, refusal: TEXT },
      ...deltas('response.custom_tool_call_input', { item_id: 'ctc_1', output_index: 2 }),
      { type: 'response.custom_tool_call_input.done', item_id: 'ctc_1', output_index: 2, input: TEXT },
      {
        type: 'response.completed',
        response: response([
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: TEXT }] },
          { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: TEXT }] },
          { type: 'custom_tool_call', id: 'ctc_1', call_id: 'c', name: 'x', input: TEXT },
        ]),
      },
    ]);
    const raw = await rawPost('/v1/responses', { model: 'chat', stream: true, input: 'go' });
    assert.ok(noPieceOfToken(raw), raw);
    const events = chunksOf(raw);
    for (const type of ['response.reasoning_summary_text', 'response.refusal', 'response.custom_tool_call_input']) {
      assert.equal(events.filter((e) => e.type === `${type}.delta`).map((e) => e.delta).join(''), MASKED, type);
    }
    const output = (events.at(-1)!.response as Obj).output as Obj[];
    assert.equal(((output[0]!.summary as Obj[])[0]!).text, MASKED);
    assert.equal(((output[1]!.content as Obj[])[0]!).refusal, MASKED);
    assert.equal(output[2]!.input, MASKED);
  });
});
