/**
 * The streaming output guard through the gateway, driven with the official openai client against a
 * scripted upstream: values split at every chunk boundary never reach the client (not even in
 * part), a block mid-stream ends the stream with content_filter and an error the client raises,
 * tool-call arguments and the responses API are guarded too, and text keeps flowing while the
 * answer is still being generated.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

// A token of the custom rule below: random-looking, so its pieces cannot occur by chance.
const TOKEN = 'tok_q7x2m9k4p1z8w3n6r5t0y2v4';
const FILLER = 'The quarterly report covers revenue, churn and hiring plans for the next two quarters. '.repeat(4);

let gw: TestGateway;
let client: OpenAI;

before(async () => {
  gw = await startTestGateway((url, dir) => ({
    storage: { kind: 'embedded', dataDir: dir },
    server: { port: 0 },
    log: { level: 'silent' },
    audit: { flushIntervalMs: 20 },
    roles: { user: { deployments: ['*'] } },
    guard: {
      defaultProfile: 'streamy',
      profiles: {
        streamy: {
          detectors: [{ id: 'custom-rules', options: { rules: [{ name: 'token', patterns: ['tok_[a-z0-9]{24}'] }, { name: 'codename', keywords: ['project nightingale'] }] } }],
          actions: { 'custom.token': 'mask', 'custom.codename': 'block' },
          stream: { holdBackChars: 64, contextChars: 16 },
          timeBudgetMs: 10_000,
        },
      },
    },
    deployments: [{ name: 'chat', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] }],
  }));
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['user']), maxRetries: 0 });
});
after(() => gw?.close());

async function streamed(pieces: string[]): Promise<{ text: string; chunks: number; finish: string | null }> {
  gw.upstream.script({ times: 1, reply: { text: pieces.join(''), pieces } });
  const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'go' }] });
  let text = '';
  let chunks = 0;
  let finish: string | null = null;
  for await (const c of stream) {
    const d = c.choices[0]?.delta?.content;
    if (d) {
      text += d;
      chunks++;
    }
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  return { text, chunks, finish };
}

/** Every substring of `s` of length `n`. */
const grams = (s: string, n: number) => Array.from({ length: s.length - n + 1 }, (_, i) => s.slice(i, i + n));

describe('streaming output guard', () => {
  it('masks a value split at every possible chunk boundary, before any part of it is sent', async () => {
    const text = `${FILLER}Your key is ${TOKEN} and it expires soon. ${FILLER}`;
    const at = text.indexOf(TOKEN);
    const expected = text.replace(TOKEN, '****');
    for (let cut = at - 1; cut <= at + TOKEN.length + 1; cut++) {
      const r = await streamed([text.slice(0, cut), text.slice(cut)]);
      assert.equal(r.text, expected, `cut at ${cut - at}`);
    }
    // One character per chunk: every boundary at once.
    const r = await streamed([...text]);
    assert.equal(r.text, expected);
    assert.equal(r.finish, 'stop');
  });

  it('never puts a piece of the value on the wire', async () => {
    const text = `${FILLER}token ${TOKEN} end`;
    gw.upstream.script({ times: 1, reply: { text, pieces: [...text] } });
    const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    const raw = await res.text();
    for (const g of grams(TOKEN.slice(4), 5)) assert.ok(!raw.includes(g), `"${g}" reached the client`);
    assert.match(raw, /data: \[DONE\]\n\n$/);
  });

  it('keeps streaming: text older than the window flows while the answer is generated', async () => {
    const words = `${FILLER}${FILLER}`.match(/\S+\s*/g)!;
    const r = await streamed(words);
    assert.equal(r.text, words.join(''));
    // Held back: at most the window's worth; everything else arrives chunk by chunk.
    assert.ok(r.chunks >= words.length - 64, `only ${r.chunks} content chunks for ${words.length} upstream chunks`);
  });

  it('ends the stream with content_filter and an error when a block-level finding appears mid-stream', async () => {
    const text = `${FILLER}The launch of Project Nightingale is on Monday. ${FILLER}`;
    gw.upstream.script({ times: 1, reply: { text, chunks: 60 } });
    const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'go' }] });
    let got = '';
    let finish: string | null = null;
    await assert.rejects(
      (async () => {
        for await (const c of stream) {
          got += c.choices[0]?.delta?.content ?? '';
          finish = c.choices[0]?.finish_reason ?? finish;
        }
      })(),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError, String(e));
        assert.match(e.message, /blocked category 'custom\.codename'/);
        assert.ok(!/nightingale/i.test(e.message));
        return true;
      },
    );
    assert.equal(finish, 'content_filter');
    assert.ok(text.startsWith(got), 'what was sent is an unaltered prefix');
    assert.ok(!/nightin/i.test(got));
    await gw.app.audit.flush();
    await gw.app.detections.flush();
    const audit = await gw.app.store.audit.list({ decision: 'deny', limit: 10 });
    const ev = audit.items.find((e) => e.code === 'RAMPART_GUARD_OUTPUT_BLOCKED');
    assert.ok(ev, 'the audit event records the output block');
    assert.equal((ev.details?.guardOutput as { blocked: boolean }).blocked, true);
    const dets = await gw.app.store.detections.list({ category: 'custom.codename', limit: 5 });
    assert.ok(dets.items.some((d) => d.channel === 'output' && d.action === 'block'));
  });

  it('guards tool-call argument deltas', async () => {
    const args = JSON.stringify({ to: 'ops', note: `rotate ${TOKEN} today` });
    gw.upstream.script({ times: 1, reply: { toolCalls: [{ name: 'notify', arguments: args, pieces: [...args] }] } });
    const stream = client.chat.completions.stream({
      model: 'chat',
      messages: [{ role: 'user', content: 'go' }],
      tools: [{ type: 'function', function: { name: 'notify', parameters: { type: 'object' } } }],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]! as { function: { name: string; arguments: string } };
    assert.equal(call.function.name, 'notify');
    assert.equal(call.function.arguments, args.replace(TOKEN, '****'));
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
  });

  it('guards responses API streams, deltas and the final texts alike', async () => {
    const text = `${FILLER}secret ${TOKEN} here`;
    gw.upstream.script({ times: 1, reply: { text, pieces: [...text] } });
    const stream = client.responses.stream({ model: 'chat', input: 'go' });
    let deltas = '';
    stream.on('response.output_text.delta', (e) => (deltas += e.delta));
    const final = await stream.finalResponse();
    const expected = text.replace(TOKEN, '****');
    assert.equal(deltas, expected);
    assert.equal(final.output_text, expected);
  });

  it('sends text still held back at response.completed as deltas when the upstream sent no .done events', async () => {
    const text = `${FILLER}secret ${TOKEN} here`;
    const event = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
    const message = (status: string, content: unknown[]) => ({ id: 'msg_1', type: 'message', status, role: 'assistant', content });
    const response = (status: string, output: unknown[]) => ({ id: 'resp_1', object: 'response', created_at: 1, status, model: 'm', output, usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } });
    // Some compatible servers go from the last delta straight to response.completed.
    const body = [
      event('response.created', { response: response('in_progress', []) }),
      event('response.output_item.added', { output_index: 0, item: message('in_progress', []) }),
      event('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
      ...(text.match(/.{1,10}/gs) ?? []).map((delta) => event('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta })),
      event('response.completed', { response: response('completed', [message('completed', [{ type: 'output_text', text, annotations: [] }])]) }),
    ].join('');
    gw.upstream.script({ times: 1, reply: { status: 200, body, headers: { 'content-type': 'text/event-stream' } } });
    const stream = client.responses.stream({ model: 'chat', input: 'go' });
    let deltas = '';
    stream.on('response.output_text.delta', (e) => (deltas += e.delta));
    const final = await stream.finalResponse();
    const expected = text.replace(TOKEN, '****');
    assert.equal(deltas, expected);
    assert.equal(final.output_text, expected);
  });

  it('applies the same output DLP to plain answers: chat content, tool-call arguments and responses output', async () => {
    const text = `Key: ${TOKEN}.`;
    gw.upstream.script({ times: 1, reply: { text } });
    const chat = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'go' }] });
    assert.equal(chat.choices[0]!.message.content, 'Key: ****.');
    const args = JSON.stringify({ note: TOKEN });
    gw.upstream.script({ times: 1, reply: { toolCalls: [{ name: 'notify', arguments: args }] } });
    const withTool = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'go' }] });
    assert.equal((withTool.choices[0]!.message.tool_calls![0] as { function: { arguments: string } }).function.arguments, args.replace(TOKEN, '****'));
    gw.upstream.script({ times: 1, reply: { text } });
    const resp = await client.responses.create({ model: 'chat', input: 'go' });
    assert.equal(resp.output_text, 'Key: ****.');
  });

  it('passes short answers through whole at the end', async () => {
    const r = await streamed(['Hi', ' there', '!']);
    assert.equal(r.text, 'Hi there!');
    assert.equal(r.finish, 'stop');
  });
});
