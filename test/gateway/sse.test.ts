import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, parseSse, serializeSse, sseComment, SSE_DONE, type SseEvent } from '../../src/gateway/sse.ts';
import { RampartError } from '../../src/core/errors.ts';

const enc = new TextEncoder();

function parseAll(chunks: Uint8Array[], maxLineLength?: number): SseEvent[] {
  const p = new SseParser(maxLineLength === undefined ? {} : { maxLineLength });
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

/** A stream exercising every rule: CRLF, lone CR, comments, multi-line data, names, ids, BOM, UTF-8. */
const STREAM =
  '\uFEFF: keep-alive\r\n' +
  'data: {"a":1}\r\n\r\n' +
  'event: response.created\n' +
  'data: first line\n' +
  'data:second line\n' +
  'id: 7\n\n' +
  'data: cr only\r\r' +
  'retry: 1000\n' +
  'data\n\n' +
  ': comment between\n' +
  'data: emoji 🚀 and é\n\n' +
  'event: ignored-without-data\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { data: '{"a":1}' },
  { event: 'response.created', data: 'first line\nsecond line', id: '7' },
  { data: 'cr only' },
  { data: '' },
  { data: 'emoji 🚀 and é' },
  { data: '[DONE]' },
];

describe('SSE parser', () => {
  it('parses every field rule of the event-stream format in one chunk', () => {
    assert.deepEqual(parseAll([enc.encode(STREAM)]), EXPECTED);
  });

  it('gives the same events whatever byte offset a chunk boundary falls on', () => {
    const bytes = enc.encode(STREAM);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(got, EXPECTED, `split at byte ${cut}`);
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    const bytes = enc.encode(STREAM);
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    assert.deepEqual(parseAll(chunks), EXPECTED);
  });

  it('treats a CR at the end of a chunk and the LF starting the next as one line break', () => {
    const got = parseAll([enc.encode('data: a\r'), enc.encode('\ndata: b\r\n'), enc.encode('\r\n')]);
    assert.deepEqual(got, [{ data: 'a\nb' }]);
  });

  it('keeps a pending CR across empty chunks, so the LF after them still belongs to it', () => {
    const got = parseAll([enc.encode('data: a\r'), new Uint8Array(0), enc.encode('\ndata: b\n\n')]);
    assert.deepEqual(got, [{ data: 'a\nb' }]);
    const bytes = enc.encode(STREAM);
    const withEmpties = Array.from(bytes, (_, i) => [bytes.subarray(i, i + 1), new Uint8Array(0)]).flat();
    assert.deepEqual(parseAll(withEmpties), EXPECTED);
  });

  it('drops an event that never got its terminating blank line', () => {
    assert.deepEqual(parseAll([enc.encode('data: complete\n\ndata: cut off')]), [{ data: 'complete' }]);
  });

  it('refuses a line longer than the limit instead of buffering it', () => {
    const p = new SseParser({ maxLineLength: 100 });
    p.push(enc.encode('data: ' + 'x'.repeat(60)));
    assert.throws(
      () => p.push(enc.encode('x'.repeat(60))),
      (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_UPSTREAM_BAD_RESPONSE',
    );
  });

  it('refuses an event whose joined data lines exceed the limit', () => {
    const line = 'data: ' + 'y'.repeat(40) + '\n';
    assert.throws(() => parseAll([enc.encode(line.repeat(5))], 100), RampartError);
  });

  it('parses an async byte stream and stops reading when the consumer stops', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield enc.encode(`data: ${i}\n\n`);
      }
    }
    const seen: string[] = [];
    for await (const ev of parseSse(source())) {
      seen.push(ev.data);
      if (seen.length === 3) break;
    }
    assert.deepEqual(seen, ['0', '1', '2']);
    assert.equal(pulled, 3);
  });
});

describe('SSE serializer', () => {
  it('writes data, event and id fields that the parser reads back unchanged', () => {
    const events: SseEvent[] = [{ data: '{"x":"y"}' }, { event: 'response.output_text.delta', data: 'a\nb\r\nc', id: '42' }, { data: '' }];
    const text = events.map((e) => serializeSse(e)).join('');
    assert.deepEqual(parseAll([enc.encode(text)]), [events[0], { event: 'response.output_text.delta', data: 'a\nb\nc', id: '42' }, { data: '' }]);
  });

  it('cannot be made to start a new field through a line break in an event name', () => {
    const text = serializeSse({ event: 'x\ndata: injected', data: 'real' });
    assert.deepEqual(parseAll([enc.encode(text)]), [{ event: 'x data: injected', data: 'real' }]);
  });

  it('writes OpenAI-style single-line frames, the [DONE] marker and comments', () => {
    assert.equal(serializeSse({ data: '{}' }), 'data: {}\n\n');
    assert.equal(SSE_DONE, 'data: [DONE]\n\n');
    assert.deepEqual(parseAll([enc.encode(sseComment('ping') + SSE_DONE)]), [{ data: '[DONE]' }]);
  });
});
