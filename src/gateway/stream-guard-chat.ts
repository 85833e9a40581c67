/**
 * Chat-completions chunks through the stream guard (stream-guard.ts): one text stream per text
 * field of each choice (content, refusal, reasoning, the audio transcript), one per tool call's
 * arguments or custom tool input, and one for the legacy `function_call`'s arguments.
 *
 * A chunk whose text is all held back is dropped unless it carries something else (a role, a tool
 * call's id and name, a finish reason). When a choice finishes, what its streams still hold goes
 * out after that chunk's own text, in one chunk just before the finish. With a tool gate, tool
 * calls and `function_call` are held whole until their choice finishes, then checked and sent in
 * that chunk, or not at all.
 */
import { RampartError } from '../core/errors.ts';
import { MESSAGE_TEXT_FIELDS } from './guard-segments.ts';
import type { SseOut } from './providers/provider.ts';
import { RELEASED, releasingOnFailure, scanWhole, TextStream, type GateCall, type StreamGuardOptions } from './stream-guard.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

type CallKind = 'function' | 'custom';
/** The text field of a call of each kind. */
const CALL_FIELD = { function: 'arguments', custom: 'input' } as const;

/** Delta keys this file reads; a delta with any other key is kept even when its text is held. */
const HANDLED = new Set<string>([...MESSAGE_TEXT_FIELDS, 'audio', 'function_call', 'tool_calls']);

interface HeldCall {
  id?: string;
  kind: CallKind;
  name: string;
  args: string;
}

/** One open choice: its text streams and, with a tool gate, the calls it holds. */
class ChoiceState {
  readonly index: number;
  readonly base: string;
  /** By delta key: a MESSAGE_TEXT_FIELDS name, `audio.transcript` or `function_call.arguments`. */
  readonly streams = new Map<string, TextStream>();
  readonly calls = new Map<number, { kind: CallKind; s: TextStream }>();
  readonly held = new Map<number, HeldCall>();
  legacy: HeldCall | null = null;
  readonly #opts: StreamGuardOptions;

  constructor(index: number, opts: StreamGuardOptions) {
    this.index = index;
    this.base = `choices[${index}].message`;
    this.#opts = opts;
  }

  stream(key: string): TextStream {
    let s = this.streams.get(key);
    if (!s) this.streams.set(key, (s = new TextStream(`${this.base}.${key}`, this.#opts)));
    return s;
  }

  call(ti: number, kind: CallKind): TextStream {
    let c = this.calls.get(ti);
    if (!c) this.calls.set(ti, (c = { kind, s: new TextStream(`${this.base}.tool_calls[${ti}].${kind}.${CALL_FIELD[kind]}`, this.#opts) }));
    return c.s;
  }
}

interface ChatChoice {
  index?: number;
  delta?: Obj;
  logprobs?: unknown;
  finish_reason?: unknown;
}

export async function* guardChatStream(events: AsyncIterable<SseOut>, opts: StreamGuardOptions): AsyncGenerator<SseOut> {
  const open = new Map<number, ChoiceState>();
  let last: Obj | null = null;
  // At the end, or when the upstream failed mid-stream: what is held is scanned and sent.
  const releaseOpen = async function* (): AsyncGenerator<SseOut> {
    for (const st of [...open.values()]) {
      const tail = await flushChoice(st);
      if (tail) yield { data: JSON.stringify({ ...chunkShell(last), choices: [{ index: st.index, delta: tail, finish_reason: null }] }) };
    }
  };
  for await (const ev of releasingOnFailure(events, releaseOpen)) {
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
        let st = open.get(idx);
        if (!st) open.set(idx, (st = new ChoiceState(idx, opts)));
        if (opts.dropLogprobs && choice.logprobs != null) choice.logprobs = null;
        const delta = isObj(choice.delta) ? choice.delta : (choice.delta = {});
        let meaningful = await guardDelta(st, delta, opts);
        if (choice.finish_reason != null) {
          meaningful = true;
          if (await finishChoice(st, delta, choice, opts)) {
            // The choice's text (its own, then what was held) goes out in a chunk of its own, before the finish.
            before.push({ ...chunkShell(chunk), choices: [{ index: idx, delta, finish_reason: null }] });
            choice.delta = {};
          }
          open.delete(idx);
        }
        if (meaningful) keepChunk = true;
      }
      for (const b of before) yield { data: JSON.stringify(b) };
      if (keepChunk) yield { ...ev, data: JSON.stringify(chunk) };
    } catch (e) {
      if (e instanceof RampartError) {
        for (const idx of open.keys()) yield { data: JSON.stringify({ ...chunkShell(last), choices: [{ index: idx, delta: {}, finish_reason: 'content_filter' }] }) };
      }
      throw e;
    }
  }
  // An upstream that ended without finish reasons: release what is held, in one last chunk per choice.
  yield* releaseOpen();
}

/** Replaces the texts of `delta` with what may be sent now; true when the delta still says something. */
async function guardDelta(st: ChoiceState, delta: Obj, opts: StreamGuardOptions): Promise<boolean> {
  let meaningful = false;
  for (const f of MESSAGE_TEXT_FIELDS) {
    const text = delta[f];
    if (typeof text !== 'string') continue;
    const released = await st.stream(f).push(text);
    delta[f] = released;
    if (released !== '') meaningful = true;
  }
  if (isObj(delta.audio)) {
    const audio = delta.audio;
    if (typeof audio.transcript === 'string') audio.transcript = await st.stream('audio.transcript').push(audio.transcript);
    if (audio.transcript !== '' || Object.keys(audio).some((k) => k !== 'transcript')) meaningful = true;
  }
  if (isObj(delta.function_call)) {
    const fc = delta.function_call;
    if (opts.toolGate) {
      const h = (st.legacy ??= { kind: 'function', name: '', args: '' });
      if (typeof fc.name === 'string') h.name += fc.name;
      if (typeof fc.arguments === 'string') h.args += fc.arguments;
      delete delta.function_call;
    } else {
      if (typeof fc.arguments === 'string') fc.arguments = await st.stream('function_call.arguments').push(fc.arguments);
      if (fc.name !== undefined || (fc.arguments !== undefined && fc.arguments !== '')) meaningful = true;
    }
  }
  if (Array.isArray(delta.tool_calls)) {
    for (const call of delta.tool_calls as unknown[]) {
      if (!isObj(call)) continue;
      const ti = typeof call.index === 'number' ? call.index : 0;
      const kind: CallKind = isObj(call.custom) || call.type === 'custom' ? 'custom' : 'function';
      const field = CALL_FIELD[kind];
      const inner = isObj(call[kind]) ? (call[kind] as Obj) : null;
      if (opts.toolGate) {
        // Held whole until the choice finishes: a call is checked against the tool policy complete.
        const h = st.held.get(ti) ?? { kind, name: '', args: '' };
        if (typeof call.id === 'string') h.id = call.id;
        if (typeof inner?.name === 'string') h.name += inner.name;
        if (typeof inner?.[field] === 'string') h.args += inner[field];
        st.held.set(ti, h);
        continue;
      }
      if (inner && typeof inner[field] === 'string') inner[field] = await st.call(ti, kind).push(inner[field]);
      if (Object.keys(call).some((k) => k !== 'index' && k !== kind) || (inner && (inner.name !== undefined || (inner[field] !== undefined && inner[field] !== '')))) meaningful = true;
    }
    if (opts.toolGate) delete delta.tool_calls;
  }
  if (Object.keys(delta).some((k) => !HANDLED.has(k))) meaningful = true;
  return meaningful;
}

/**
 * The choice finishes in this chunk: its held text is appended to the chunk's own, then the gated
 * calls. True when `delta` got anything.
 */
async function finishChoice(st: ChoiceState, delta: Obj, choice: ChatChoice, opts: StreamGuardOptions): Promise<boolean> {
  const tail = await flushChoice(st);
  if (tail) appendDelta(delta, tail);
  if (!opts.toolGate) return tail !== null;
  const calls = await gatedCalls(st, opts);
  if (calls.length > 0) delta.tool_calls = calls;
  else if (choice.finish_reason === 'tool_calls') choice.finish_reason = 'stop';
  const legacy = await gatedLegacy(st, opts);
  if (legacy) delta.function_call = legacy;
  else if (choice.finish_reason === 'function_call') choice.finish_reason = 'stop';
  return tail !== null || calls.length > 0 || legacy !== null;
}

/** Releases everything the choice's streams hold, as one delta (null when nothing was held). */
async function flushChoice(st: ChoiceState): Promise<Obj | null> {
  const delta: Obj = {};
  for (const [key, s] of st.streams) {
    const text = await s.flush();
    if (!text) continue;
    const [outer, inner] = key.split('.') as [string, string | undefined];
    appendDelta(delta, { [outer]: inner === undefined ? text : { [inner]: text } });
  }
  const calls: Obj[] = [];
  for (const [ti, c] of st.calls) {
    const text = await c.s.flush();
    if (text) calls.push({ index: ti, [c.kind]: { [CALL_FIELD[c.kind]]: text } });
  }
  if (calls.length > 0) delta.tool_calls = calls;
  return Object.keys(delta).length > 0 ? delta : null;
}

/** Appends the texts of `more` to those of `delta` (nested objects and tool calls by index). */
function appendDelta(delta: Obj, more: Obj): void {
  for (const [k, v] of Object.entries(more)) {
    if (typeof v === 'string') delta[k] = (typeof delta[k] === 'string' ? delta[k] : '') + v;
    else if (k === 'tool_calls' && Array.isArray(v)) {
      const mine = Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : (delta.tool_calls = []);
      for (const c of v as Obj[]) {
        const same = mine.find((d) => isObj(d) && d.index === c.index);
        if (isObj(same)) appendDelta(same, c);
        else mine.push(c);
      }
    } else if (isObj(v)) {
      if (!isObj(delta[k])) delta[k] = {};
      appendDelta(delta[k] as Obj, v);
    }
  }
}

function chunkShell(chunk: Obj | null): Obj {
  if (!chunk) return { object: 'chat.completion.chunk' };
  const { choices: _c, usage: _u, ...shell } = chunk;
  return shell;
}

/**
 * The held tool calls of a choice, their arguments scanned like any output text (span actions
 * applied, a block throws), then filtered by the tool gate and numbered afresh from 0.
 */
async function gatedCalls(st: ChoiceState, opts: StreamGuardOptions): Promise<Obj[]> {
  const mine = [...st.held].sort((a, b) => a[0] - b[0]);
  st.held.clear();
  if (mine.length === 0) return [];
  const calls: GateCall[] = [];
  for (const [ti, h] of mine) {
    const s = await scanWhole(`${st.base}.tool_calls[${ti}].${h.kind}.${CALL_FIELD[h.kind]}`, h.args, opts);
    calls.push({ ...(h.id !== undefined ? { id: h.id } : {}), name: h.name, arguments: s.visible });
  }
  const keep = await opts.toolGate!(calls, (i) => `${st.base}.tool_calls[${i}]`);
  return keep.map((i, n) => {
    const { id, name, arguments: text } = calls[i]!;
    const kind = mine[i]![1].kind;
    return { index: n, ...(id !== undefined ? { id } : {}), type: kind, [kind]: { name, [CALL_FIELD[kind]]: text } };
  });
}

/** The held legacy `function_call` of a choice, scanned and gated like a tool call. */
async function gatedLegacy(st: ChoiceState, opts: StreamGuardOptions): Promise<Obj | null> {
  const h = st.legacy;
  st.legacy = null;
  if (!h) return null;
  const s = await scanWhole(`${st.base}.function_call.arguments`, h.args, opts);
  const keep = await opts.toolGate!([{ name: h.name, arguments: s.visible }], () => `${st.base}.function_call`);
  return keep.length > 0 ? { name: h.name, arguments: s.visible } : null;
}
