/**
 * The streaming output guard: SSE answers pass through a scanner that holds back only a bounded
 * window of text per output stream (each choice's content, each tool call's arguments, each
 * Responses output part), so a value split across chunks is caught and rewritten before the client
 * sees any part of it, while everything older than the window flows on at the upstream's cadence.
 *
 * How a stream of text moves: deltas are appended to `pending`. Once more than `holdBack`
 * characters are pending, the oldest ones are released: the profile scans the last `context`
 * characters already sent plus everything pending (so detectors see both sides of a value and the
 * words around it), findings that touch the released part get their action (a span action rewrites
 * them; a finding that runs on into the held part is rewritten whole and released with it), and a
 * block anywhere in the window ends the stream. A value no longer than the window can therefore
 * never be partly released: by the time its first character would leave, all of it is in view.
 * At the end of a stream (finish_reason, `.done` events) everything pending is scanned and released.
 *
 * A block ends the stream with well-formed events: chat choices finish with `content_filter`, then
 * the guard throws the coded error, which the relay sends as an error event before `[DONE]` (the
 * official clients raise it).
 */
import { RampartError } from '../core/errors.ts';
import type { AppliedFinding, Verdict } from '../guard/engine.ts';
import type { Vault } from '../guard/rewrite.ts';
import type { SseOut } from './providers/provider.ts';

export interface StreamGuardOptions {
  /** Characters held back per stream (the largest value guaranteed to be caught whole). */
  readonly holdBack: number;
  /** Characters already sent that are scanned again as context for the next release. */
  readonly context: number;
  /** Scans one window of output text; `path` names the stream (for audit). Span offsets are window offsets. */
  scan(text: string, path: string): Promise<Verdict>;
  /** Applies span actions of `findings` (offsets in `text`) and returns the rewritten text. */
  rewrite(text: string, path: string, findings: readonly AppliedFinding[]): string;
  /** Every verdict of a release (only findings that touched released text), for detections and notes. */
  report(verdict: Verdict): void;
  /** Builds the coded error that ends a blocked stream. */
  blockError(verdict: Verdict): RampartError;
  /** Pseudonyms to put back in released text; null when there are none. */
  readonly vault: Vault | null;
  /**
   * Tool-call control: when set, tool calls are held whole until their choice finishes, their
   * arguments scanned, then the gate says which to keep (indexes into `calls`) or throws to block.
   */
  readonly toolGate?: ((calls: readonly { id?: string; name: string; arguments: string }[], segment: (i: number) => string) => Promise<number[]>) | undefined;
}

interface HeldCall {
  id?: string;
  name: string;
  args: string;
}

const SPAN_ACTIONS = new Set(['mask', 'placeholder', 'pseudonymize', 'neutralize']);

/** One text stream of an answer: what is held back, and the tail already sent. */
export class TextStream {
  readonly path: string;
  pending = '';
  /** The last `context` characters released (before pseudonyms are restored). */
  tail = '';
  /** Everything the client has been sent for this stream (after restoring), for `.done` events. */
  visible = '';
  readonly #o: StreamGuardOptions;

  constructor(path: string, opts: StreamGuardOptions) {
    this.path = path;
    this.#o = opts;
  }

  /** Adds a delta and returns what may be sent now ('' while the window fills). Throws the block error. */
  async push(delta: string): Promise<string> {
    this.pending += delta;
    if (this.pending.length <= this.#o.holdBack) return '';
    return this.#release(false);
  }

  /** Releases everything still held (end of this stream). */
  async flush(): Promise<string> {
    if (this.pending.length === 0) return '';
    return this.#release(true);
  }

  async #release(final: boolean): Promise<string> {
    const o = this.#o;
    const c = this.tail.length;
    const window = this.tail + this.pending;
    const verdict = await o.scan(window, this.path);
    if (verdict.blocked) {
      o.report(verdict);
      this.pending = '';
      throw o.blockError(verdict);
    }
    let boundary = final ? this.pending.length : this.pending.length - o.holdBack;
    // A placeholder the vault will restore must not be cut in two by the boundary.
    if (!final && o.vault && o.vault.size > 0) boundary = placeholderSafe(this.pending, boundary, o.vault.longest);
    const touching = (f: AppliedFinding) => f.end > c && f.start < c + boundary;
    const acted = verdict.findings.filter(touching);
    // A rewritten value that runs on into the held part goes out whole, already rewritten.
    for (const f of acted) if (SPAN_ACTIONS.has(f.action) && f.end - c > boundary) boundary = f.end - c;
    const spans = acted.filter((f) => SPAN_ACTIONS.has(f.action)).map((f) => (f.start < c ? { ...f, start: c } : f));
    const rest = this.pending.slice(boundary);
    let out: string;
    if (spans.length > 0) {
      const rewritten = o.rewrite(window.slice(0, c + boundary), this.path, spans);
      out = rewritten.slice(c);
    } else {
      out = this.pending.slice(0, boundary);
    }
    this.pending = rest;
    this.tail = (this.tail + out).slice(-o.context);
    if (acted.length > 0) o.report({ ...verdict, findings: acted });
    const sent = o.vault && o.vault.size > 0 ? o.vault.restore(out) : out;
    this.visible += sent;
    return sent;
  }
}

/** Moves `boundary` back before a `<` that may open a placeholder still being completed. */
function placeholderSafe(text: string, boundary: number, longest: number): number {
  const open = text.lastIndexOf('<', boundary - 1);
  if (open < 0 || boundary - open >= longest) return boundary;
  const close = text.indexOf('>', open);
  return close >= 0 && close < boundary ? boundary : open;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ChatChoice {
  index?: number;
  delta?: { content?: unknown; tool_calls?: { index?: number; function?: { name?: unknown; arguments?: unknown } }[] } & Obj;
  finish_reason?: unknown;
}

/**
 * Chat-completions chunks: one stream per choice's content and one per tool call's arguments.
 * A chunk whose text is all held back is dropped unless it carries something else (a role, a
 * tool call's id and name, a finish reason).
 */
export async function* guardChatStream(events: AsyncIterable<SseOut>, opts: StreamGuardOptions): AsyncGenerator<SseOut> {
  const streams = new Map<string, TextStream>();
  const streamFor = (key: string, path: string) => {
    let s = streams.get(key);
    if (!s) streams.set(key, (s = new TextStream(path, opts)));
    return s;
  };
  const open = new Set<number>();
  const held = new Map<string, HeldCall>();
  let last: Obj | null = null;
  for await (const ev of releasingOnFailure(events, async function* () {
    // The upstream failed mid-stream: what was held back is scanned and sent before the error.
    for (const idx of [...open]) {
      const flushed = await flushChoice(streams, idx);
      if (flushed) yield { data: JSON.stringify({ ...chunkShell(last), choices: [{ index: idx, delta: flushed, finish_reason: null }] }) };
    }
  })) {
    if (ev.injected || RELEASED.has(ev) || !ev.data.includes('"choices"')) {
      yield ev;
      continue;
    }
    let chunk: Obj & { choices?: ChatChoice[] };
    try {
      chunk = JSON.parse(ev.data) as typeof chunk;
    } catch {
      yield ev;
      continue;
    }
    last = chunk;
    const before: Obj[] = [];
    try {
      let keepChunk = !Array.isArray(chunk.choices) || chunk.choices.length === 0 || ev.usage !== undefined;
      for (const choice of chunk.choices ?? []) {
        const idx = typeof choice.index === 'number' ? choice.index : 0;
        open.add(idx);
        const delta = isObj(choice.delta) ? choice.delta : (choice.delta = {});
        let meaningful = false;
        if (typeof delta.content === 'string') {
          const released = await streamFor(`c${idx}`, `choices[${idx}].message.content`).push(delta.content);
          delta.content = released;
          if (released.length > 0) meaningful = true;
        }
        if (Array.isArray(delta.tool_calls) && opts.toolGate) {
          // Held whole until the choice finishes: a call is checked against the tool policy complete.
          for (const call of delta.tool_calls as { index?: number; id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]) {
            const ti = typeof call.index === 'number' ? call.index : 0;
            const key = `${idx}.${ti}`;
            const h = held.get(key) ?? { name: '', args: '' };
            if (typeof call.id === 'string') h.id = call.id;
            if (typeof call.function?.name === 'string') h.name += call.function.name;
            if (typeof call.function?.arguments === 'string') h.args += call.function.arguments;
            held.set(key, h);
          }
          delete delta.tool_calls;
        } else if (Array.isArray(delta.tool_calls)) {
          for (const call of delta.tool_calls) {
            const ti = typeof call.index === 'number' ? call.index : 0;
            if (isObj(call.function) && typeof call.function.arguments === 'string') {
              call.function.arguments = await streamFor(`t${idx}.${ti}`, `choices[${idx}].message.tool_calls[${ti}].function.arguments`).push(call.function.arguments);
            }
            if (Object.keys(call).some((k) => k !== 'index' && k !== 'function') || (isObj(call.function) && (call.function.name !== undefined || call.function.arguments !== ''))) meaningful = true;
          }
        }
        if (Object.keys(delta).some((k) => k !== 'content' && k !== 'tool_calls')) meaningful = true;
        if (choice.finish_reason != null) {
          meaningful = true;
          // The rest of this choice's streams goes out in a chunk of its own, before the finish.
          const flushed = await flushChoice(streams, idx);
          if (flushed) before.push({ ...chunkShell(chunk), choices: [{ index: idx, delta: flushed, finish_reason: null }] });
          if (opts.toolGate) {
            const calls = await gatedCalls(held, idx, opts);
            if (calls.length > 0) before.push({ ...chunkShell(chunk), choices: [{ index: idx, delta: { tool_calls: calls }, finish_reason: null }] });
            else if (choice.finish_reason === 'tool_calls') choice.finish_reason = 'stop';
          }
          open.delete(idx);
        }
        if (meaningful) keepChunk = true;
      }
      for (const b of before) yield { data: JSON.stringify(b) };
      if (keepChunk) yield { ...ev, data: JSON.stringify(chunk) };
    } catch (e) {
      if (e instanceof RampartError) {
        for (const idx of open) yield { data: JSON.stringify({ ...chunkShell(last), choices: [{ index: idx, delta: {}, finish_reason: 'content_filter' }] }) };
      }
      throw e;
    }
  }
  // An upstream that ended without finish reasons: release what is held, in one last chunk.
  for (const idx of [...open]) {
    const flushed = await flushChoice(streams, idx);
    if (flushed) yield { data: JSON.stringify({ ...chunkShell(last), choices: [{ index: idx, delta: flushed, finish_reason: null }] }) };
  }
}

/**
 * Yields `events`; when iterating them fails (the upstream broke off), first yields what `onFailure`
 * releases, then rethrows. A guard block raised while releasing wins over the upstream's error.
 */
async function* releasingOnFailure(events: AsyncIterable<SseOut>, onFailure: () => AsyncGenerator<SseOut>): AsyncGenerator<SseOut> {
  const it = events[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<SseOut>;
    try {
      next = await it.next();
    } catch (e) {
      for await (const ev of onFailure()) {
        RELEASED.add(ev);
        yield ev;
      }
      throw e;
    }
    if (next.done) return;
    yield next.value;
  }
}

/** Events the guard made itself from text it already scanned: passed on as they are. */
const RELEASED = new WeakSet<SseOut>();

function chunkShell(chunk: Obj | null): Obj {
  if (!chunk) return { object: 'chat.completion.chunk' };
  const { choices: _c, usage: _u, ...shell } = chunk;
  return shell;
}

/**
 * The held tool calls of choice `idx`, their arguments scanned like any output text (span actions
 * applied, a block throws), then filtered by the tool gate and numbered afresh from 0.
 */
async function gatedCalls(held: Map<string, HeldCall>, idx: number, opts: StreamGuardOptions): Promise<Obj[]> {
  const mine = [...held].filter(([key]) => key.startsWith(`${idx}.`)).sort((a, b) => Number(a[0].split('.')[1]) - Number(b[0].split('.')[1]));
  for (const [key] of mine) held.delete(key);
  if (mine.length === 0) return [];
  const calls: { id?: string; name: string; arguments: string }[] = [];
  for (const [key, h] of mine) {
    const s = new TextStream(`choices[${idx}].message.tool_calls[${key.split('.')[1]}].function.arguments`, opts);
    s.pending = h.args;
    calls.push({ ...(h.id !== undefined ? { id: h.id } : {}), name: h.name, arguments: await s.flush() });
  }
  const keep = await opts.toolGate!(calls, (i) => `choices[${idx}].message.tool_calls[${i}]`);
  return keep.map((i, n) => ({ index: n, ...(calls[i]!.id !== undefined ? { id: calls[i]!.id } : {}), type: 'function', function: { name: calls[i]!.name, arguments: calls[i]!.arguments } }));
}

async function flushChoice(streams: Map<string, TextStream>, idx: number): Promise<Obj | null> {
  const delta: Obj = {};
  const content = streams.get(`c${idx}`);
  if (content) {
    const text = await content.flush();
    if (text) delta.content = text;
  }
  const calls: Obj[] = [];
  const prefix = `t${idx}.`;
  for (const [key, s] of streams) {
    if (!key.startsWith(prefix)) continue;
    const text = await s.flush();
    if (text) calls.push({ index: Number(key.slice(prefix.length)), function: { arguments: text } });
  }
  if (calls.length > 0) delta.tool_calls = calls;
  return Object.keys(delta).length > 0 ? delta : null;
}

/**
 * Responses API events: one stream per output text part (`output_index`.`content_index`) and one
 * per function call's arguments. Deltas are held and released like chat content; `.done`,
 * `output_item.done` and `response.completed` carry the full texts, which are replaced by what the
 * client was actually sent.
 */
export async function* guardResponsesStream(events: AsyncIterable<SseOut>, opts: StreamGuardOptions): AsyncGenerator<SseOut> {
  const streams = new Map<string, TextStream>();
  const gated = new Map<number, { added: SseOut; args: string }>();
  const stripped = new Set<number>();
  const streamFor = (key: string, path: string) => {
    let s = streams.get(key);
    if (!s) streams.set(key, (s = new TextStream(path, opts)));
    return s;
  };
  // The upstream failed mid-stream: what was held back is scanned and sent before the error.
  for await (const ev of releasingOnFailure(events, () => releaseHeld(streams, true, undefined))) {
    if (RELEASED.has(ev)) {
      yield ev;
      continue;
    }
    let data: Obj;
    try {
      const parsed = JSON.parse(ev.data) as unknown;
      if (!isObj(parsed) || typeof parsed.type !== 'string') {
        yield ev;
        continue;
      }
      data = parsed;
    } catch {
      yield ev;
      continue;
    }
    const type = data.type as string;
    const oi = Number(data.output_index ?? 0);
    if (opts.toolGate) {
      // Function calls are held whole (added, argument deltas, done) and checked against the tool
      // policy when their item is done: then sent as one piece, or not at all.
      const item = isObj(data.item) ? data.item : null;
      if (type === 'response.output_item.added' && item?.type === 'function_call') {
        gated.set(oi, { added: ev, args: '' });
        continue;
      }
      const g = gated.get(oi);
      if (g && type === 'response.function_call_arguments.delta') {
        if (typeof data.delta === 'string') g.args += data.delta;
        continue;
      }
      if (g && type === 'response.function_call_arguments.done') continue;
      if (g && type === 'response.output_item.done' && item) {
        gated.delete(oi);
        const s = streamFor(`o${oi}.args`, `output[${oi}].arguments`);
        s.pending = g.args;
        const args = await s.flush();
        const call = { name: String(item.name ?? ''), arguments: args, ...(typeof item.call_id === 'string' ? { id: item.call_id } : {}) };
        const keep = await opts.toolGate([call], () => `output[${oi}]`);
        if (keep.length === 0) {
          stripped.add(oi);
          continue;
        }
        item.arguments = args;
        const base = { item_id: item.id, output_index: oi };
        yield g.added;
        yield { event: 'response.function_call_arguments.delta', data: JSON.stringify({ type: 'response.function_call_arguments.delta', ...base, delta: args }) };
        yield { event: 'response.function_call_arguments.done', data: JSON.stringify({ type: 'response.function_call_arguments.done', ...base, arguments: args }) };
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
    }
    const textKey = `o${oi}.${Number(data.content_index ?? 0)}`;
    const argsKey = `o${oi}.args`;
    switch (type) {
      case 'response.output_text.delta':
      case 'response.function_call_arguments.delta': {
        if (typeof data.delta !== 'string') break;
        const isText = type === 'response.output_text.delta';
        const s = isText ? streamFor(textKey, `output[${oi}].content[${Number(data.content_index ?? 0)}].text`) : streamFor(argsKey, `output[${oi}].arguments`);
        data.delta = await s.push(data.delta);
        if (data.delta === '') continue; // all held back
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      case 'response.output_text.done':
      case 'response.function_call_arguments.done': {
        const isText = type === 'response.output_text.done';
        const s = streams.get(isText ? textKey : argsKey);
        if (s) {
          const rest = await s.flush();
          if (rest) {
            const deltaType = isText ? 'response.output_text.delta' : 'response.function_call_arguments.delta';
            const { text: _t, arguments: _a, ...shell } = data;
            yield { ...(ev.event ? { event: deltaType } : {}), data: JSON.stringify({ ...shell, type: deltaType, delta: rest }) };
          }
          if (isText) data.text = s.visible;
          else data.arguments = s.visible;
        }
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      case 'response.content_part.done': {
        const s = streams.get(textKey);
        if (s && isObj(data.part) && typeof data.part.text === 'string') data.part.text = s.visible;
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      case 'response.output_item.done': {
        if (isObj(data.item)) replaceItem(data.item, oi, streams);
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        // Anything not closed by a .done event is released now, as the deltas it would have been
        // sent as, then the summary is rewritten.
        const r = data.response;
        yield* releaseHeld(streams, ev.event !== undefined, isObj(r) && Array.isArray(r.output) ? r.output : undefined);
        if (isObj(r) && Array.isArray(r.output)) {
          r.output.forEach((item, i) => isObj(item) && replaceItem(item, i, streams));
          if (stripped.size > 0) r.output = r.output.filter((_item, i) => !stripped.has(i));
        }
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      default:
        yield ev;
    }
  }
}

/**
 * Flushes every Responses stream and yields what each still held as a delta event. `output`, the
 * terminal event's items when there is one, supplies each delta's `item_id`.
 */
async function* releaseHeld(streams: Map<string, TextStream>, named: boolean, output: unknown[] | undefined): AsyncGenerator<SseOut> {
  for (const [key, s] of streams) {
    const rest = await s.flush();
    if (!rest) continue;
    const [oi, ci] = key.slice(1).split('.');
    const args = ci === 'args';
    const type = args ? 'response.function_call_arguments.delta' : 'response.output_text.delta';
    const item = output?.[Number(oi)];
    const itemId = isObj(item) && typeof item.id === 'string' ? { item_id: item.id } : {};
    const data = JSON.stringify({ type, ...itemId, output_index: Number(oi), ...(args ? {} : { content_index: Number(ci) }), delta: rest });
    yield named ? { event: type, data } : { data };
  }
}

function replaceItem(item: Obj, oi: number, streams: Map<string, TextStream>): void {
  if (typeof item.arguments === 'string') {
    const s = streams.get(`o${oi}.args`);
    if (s) item.arguments = s.visible;
  }
  if (Array.isArray(item.content)) {
    item.content.forEach((part, ci) => {
      const s = streams.get(`o${oi}.${ci}`);
      if (s && isObj(part) && typeof part.text === 'string') part.text = s.visible;
    });
  }
}
