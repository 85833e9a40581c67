import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer';
import { echoProvider } from '../../../src/gateway/providers/echo/index.ts';
import { callOpts, collect, failure, makeTarget } from './target-helper.ts';
import { sdkOver } from './sdk-harness.ts';

const echo = makeTarget(echoProvider, {});

describe('echo provider', () => {
  it('echoes the last user message with token counts from a real tokenizer', async () => {
    const r = await echo.call(
      'chat.completions',
      { model: 'd', messages: [{ role: 'system', content: 'Be nice.' }, { role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: [{ type: 'text', text: 'Hello there' }] }] },
      callOpts(),
    );
    const c = r.json as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    assert.equal(c.choices[0]!.message.content, 'Echo: Hello there');
    assert.equal(r.usage?.completionTokens, countTokens('Echo: Hello there'));
    assert.equal(r.usage?.promptTokens, 3 + (3 + countTokens('Be nice.')) + (3 + countTokens('first')) + (3 + countTokens('ok')) + (3 + countTokens('Hello there')));
  });

  it('streams the answer in several chunks that the official SDK assembles, usage last', async () => {
    const r = await echo.call('chat.completions', { messages: [{ role: 'user', content: 'one two three four' }], stream: true }, callOpts({ stream: true }));
    const out = await collect(r.events);
    assert.ok(out.length >= 6, 'role chunk, a chunk per word, finish chunk, usage chunk');
    assert.equal(out.at(-1)!.injected, true);
    assert.deepEqual(r.streamUsage?.(), out.at(-1)!.usage);

    const final = await sdkOver(echo).chat.completions.stream({ model: 'd', messages: [{ role: 'user', content: 'one two three four' }], stream_options: { include_usage: true } }).finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, 'Echo: one two three four');
    assert.equal(final.usage?.completion_tokens, countTokens('Echo: one two three four'));
  });

  it('gives the same vector for the same text and a different one for other text', async () => {
    const res = await sdkOver(echo).embeddings.create({ model: 'd', input: ['alpha', 'beta', 'alpha'] });
    const [a, b, a2] = res.data.map((d) => Array.from(d.embedding));
    assert.equal(a!.length, 256);
    assert.deepEqual(a, a2);
    assert.notDeepEqual(a, b);
    const norm = Math.sqrt(a!.reduce((s, x) => s + x * x, 0));
    assert.ok(Math.abs(norm - 1) < 1e-5, 'unit length');
    const float = await echo.call('embeddings', { input: 'alpha', dimensions: 3, encoding_format: 'float' }, callOpts());
    assert.equal((float.json as { data: { embedding: number[] }[] }).data[0]!.embedding.length, 3);
  });

  it('refuses bad embedding input as a 400', async () => {
    for (const body of [{ input: 42 }, { input: [] }, { input: ['ok', ''] }, { input: 'x', dimensions: 0 }]) {
      const f = await failure(echo.call('embeddings', body, callOpts()));
      assert.equal(f.status, 400, JSON.stringify(body));
    }
  });

  it('answers the Responses API plain and streamed', async () => {
    const client = sdkOver(echo);
    const plain = await client.responses.create({ model: 'd', input: 'ping' });
    assert.equal(plain.output_text, 'Echo: ping');
    const stream = client.responses.stream({ model: 'd', input: [{ role: 'user', content: [{ type: 'input_text', text: 'streamed ping' }] }] });
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Echo: streamed ping');
    assert.equal(final.usage?.output_tokens, countTokens('Echo: streamed ping'));
  });

  it('waits delayMs before answering and stops waiting when the client goes away', async () => {
    const slow = makeTarget(echoProvider, { delayMs: 5_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    const f = await failure(slow.call('chat.completions', { messages: [] }, callOpts({ signal: ac.signal })));
    assert.equal(f.kind, 'aborted');
    assert.ok(Date.now() - t0 < 1_000);
    const delayed = makeTarget(echoProvider, { delayMs: 60 });
    const t1 = Date.now();
    await delayed.call('chat.completions', { messages: [] }, callOpts());
    assert.ok(Date.now() - t1 >= 55);
  });
});
