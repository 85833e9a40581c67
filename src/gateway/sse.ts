/**
 * Server-sent events: an incremental parser (bytes in, events out) and a serializer.
 *
 * The parser follows the WHATWG HTML "event stream interpretation" (§9.2.6): lines end in CRLF, LF
 * or CR; a line starting with ":" is a comment; `data` lines of one event are joined with "\n";
 * one space after the colon is dropped; an empty line dispatches the event; an event whose data
 * buffer is empty is not dispatched. Chunks may split anything anywhere, including a CRLF pair or
 * a multi-byte UTF-8 character. A line longer than `maxLineLength` is refused rather than buffered
 * forever (an upstream that never sends a newline would otherwise grow memory without bound).
 */
import { RampartError } from '../core/errors.ts';

export interface SseEvent {
  /** The `event:` field, when the event had one. */
  event?: string;
  data: string;
  /** The `id:` field, when the event had one. */
  id?: string;
}

export interface SseParserOptions {
  /**
   * Longest line (and longest joined `data` of one event), in UTF-16 code units. The default, 16 Mi,
   * leaves room for a Responses API `response.completed` event, which repeats the whole answer.
   */
  maxLineLength?: number;
}

const DEFAULT_MAX_LINE = 16 * 1024 * 1024;

/**
 * Incremental SSE parser. Feed it byte chunks with `push`, call `end` when the stream ends.
 *
 * @example
 *   const parser = new SseParser();
 *   for (const ev of parser.push(chunk)) handle(ev.event, ev.data);
 *   parser.end(); // throws nothing; a trailing event without its blank line is dropped, as §9.2.6 says
 */
export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #max: number;
  /** The unterminated tail of the last chunk. */
  #pending = '';
  /** The last chunk ended in CR: an LF starting the next chunk belongs to that line break. */
  #skipLf = false;
  #started = false;
  #data: string | undefined = undefined;
  #event: string | undefined = undefined;
  #id: string | undefined = undefined;

  constructor(options: SseParserOptions = {}) {
    this.#max = options.maxLineLength ?? DEFAULT_MAX_LINE;
  }

  /** Parses one chunk; returns the events it completed (often none or one). */
  push(chunk: Uint8Array): SseEvent[] {
    let text = this.#decoder.decode(chunk, { stream: true });
    if (!this.#started && text.length > 0) {
      this.#started = true;
      // §9.2.6: one leading U+FEFF is ignored.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return this.#feed(text);
  }

  /** Flushes the decoder; an event left without its terminating blank line is discarded. */
  end(): SseEvent[] {
    const out = this.#feed(this.#decoder.decode());
    this.#pending = '';
    this.#data = this.#event = this.#id = undefined;
    return out;
  }

  #feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let pos = 0;
    const len = text.length;
    // An empty chunk says nothing about a pending CR: the LF that may complete it is still to come.
    if (this.#skipLf && len > 0) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === 10) pos = 1;
    }
    // Next LF and next CR at or after `pos`; -1 once there is none left in this chunk, so neither
    // indexOf rescans the rest of the chunk for every line (which would be quadratic).
    let nextLf = text.indexOf('\n', pos);
    let nextCr = text.indexOf('\r', pos);
    while (pos < len) {
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
      let end: number;
      if (nextLf === -1) end = nextCr;
      else if (nextCr === -1) end = nextLf;
      else end = nextLf < nextCr ? nextLf : nextCr;
      if (end === -1) break;
      let line = text.slice(pos, end);
      if (this.#pending.length > 0) {
        line = this.#pending + line;
        this.#pending = '';
      }
      this.#checkLength(line.length);
      if (text.charCodeAt(end) === 13) {
        if (end + 1 < len) pos = text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        else {
          this.#skipLf = true;
          pos = end + 1;
        }
      } else pos = end + 1;
      this.#line(line, out);
    }
    if (pos < len) {
      this.#pending = this.#pending.length > 0 ? this.#pending + text.slice(pos) : text.slice(pos);
      this.#checkLength(this.#pending.length);
    }
    return out;
  }

  #checkLength(n: number): void {
    if (n > this.#max) {
      throw new RampartError('RAMPART_UPSTREAM_BAD_RESPONSE', { detail: 'An event-stream line exceeds the size limit.' });
    }
  }

  #line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.#dispatch(out);
      return;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 58 /* : */) return; // comment (keep-alive pings)
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      const start = line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
      value = line.slice(start);
    }
    switch (field) {
      case 'data':
        if (this.#data === undefined) this.#data = value;
        else {
          this.#data = this.#data + '\n' + value;
          this.#checkLength(this.#data.length);
        }
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        // §9.2.6: an id containing NULL is ignored.
        if (!value.includes('\0')) this.#id = value;
        break;
      default:
        // `retry` and unknown fields do not concern a proxy.
        break;
    }
  }

  #dispatch(out: SseEvent[]): void {
    const data = this.#data;
    const event = this.#event;
    const id = this.#id;
    this.#data = this.#event = this.#id = undefined;
    if (data === undefined) return;
    const ev: SseEvent = { data };
    if (event !== undefined && event !== '') ev.event = event;
    if (id !== undefined) ev.id = id;
    out.push(ev);
  }
}

/**
 * Parses an async byte stream into events. Returning early (break) returns the source iterator,
 * which for an HTTP body cancels the upstream request.
 */
export async function* parseSse(source: AsyncIterable<Uint8Array>, options?: SseParserOptions): AsyncGenerator<SseEvent> {
  const parser = new SseParser(options);
  for await (const chunk of source) {
    const events = parser.push(chunk);
    for (let i = 0; i < events.length; i++) yield events[i]!;
  }
  for (const ev of parser.end()) yield ev;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Serializes one event. Multi-line data becomes several `data:` lines, so that a parser joins them
 * back into the same text.
 *
 * @example
 *   serializeSse({ data: '{"a":1}' })                 // 'data: {"a":1}\n\n'
 *   serializeSse({ event: 'response.done', data: 'x' }) // 'event: response.done\ndata: x\n\n'
 */
export function serializeSse(ev: { event?: string | undefined; data: string; id?: string | undefined }): string {
  let head = '';
  if (ev.event !== undefined) head += `event: ${oneLine(ev.event)}\n`;
  if (ev.id !== undefined) head += `id: ${oneLine(ev.id)}\n`;
  const d = ev.data;
  if (d.indexOf('\n') === -1 && d.indexOf('\r') === -1) return `${head}data: ${d}\n\n`;
  return `${head}data: ${d.split(LINE_BREAK).join('\ndata: ')}\n\n`;
}

/** The terminator OpenAI sends after the last chat completion chunk. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** A comment line: ignored by clients, keeps idle proxies from closing the connection. */
export function sseComment(text = ''): string {
  return `: ${oneLine(text)}\n\n`;
}

/** Field values other than data cannot hold a line break: one would start a new field. */
function oneLine(s: string): string {
  return s.indexOf('\n') === -1 && s.indexOf('\r') === -1 ? s : s.replace(/[\r\n]+/g, ' ');
}
