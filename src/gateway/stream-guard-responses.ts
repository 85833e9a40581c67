/**
 * Responses API events through the stream guard (stream-guard.ts): one text stream per text the
 * answer builds from deltas (output text and refusal parts, reasoning summaries and texts, function
 * call arguments, custom tool inputs), named by the path of that text in the response. Deltas are
 * held and released like chat content.
 *
 * The `.done`, `content_part.done`, `output_item.done` and terminal (`response.completed`, ...)
 * events carry full texts: a text the guard streamed is replaced by what the client was actually
 * sent; a text no delta carried (some servers send only `.done` events, or only the final
 * response) is scanned whole there and rewritten. Texts in `.added` events are scanned too.
 */
import { itemSegments, partSegments, writeAtPath } from './guard-segments.ts';
import type { Segment } from '../guard/engine.ts';
import type { SseOut } from './providers/provider.ts';
import { RELEASED, releasingOnFailure, scanWhole, TextStream, type StreamGuardOptions } from './stream-guard.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => Number(v ?? 0);

/** Text delta events by name (without `.delta` / `.done`): the `.done` event's text field and the path of the text. */
const TEXT_EVENTS: Readonly<Record<string, { readonly field: string; readonly path: (d: Obj) => string }>> = {
  'response.output_text': { field: 'text', path: (d) => `output[${num(d.output_index)}].content[${num(d.content_index)}].text` },
  'response.refusal': { field: 'refusal', path: (d) => `output[${num(d.output_index)}].content[${num(d.content_index)}].refusal` },
  'response.reasoning_text': { field: 'text', path: (d) => `output[${num(d.output_index)}].content[${num(d.content_index)}].text` },
  'response.reasoning_summary_text': { field: 'text', path: (d) => `output[${num(d.output_index)}].summary[${num(d.summary_index)}].text` },
  'response.function_call_arguments': { field: 'arguments', path: (d) => `output[${num(d.output_index)}].arguments` },
  'response.custom_tool_call_input': { field: 'input', path: (d) => `output[${num(d.output_index)}].input` },
};

/** Parts that a `.done` event carries whole: where they sit in their item. */
const PART_EVENTS: Readonly<Record<string, (d: Obj) => string>> = {
  'response.content_part.done': (d) => `output[${num(d.output_index)}].content[${num(d.content_index)}]`,
  'response.reasoning_summary_part.done': (d) => `output[${num(d.output_index)}].summary[${num(d.summary_index)}]`,
};

/** Tool calls a tool gate holds whole: their input field and the events that stream it. */
const GATED_ITEMS: Readonly<Record<string, { readonly field: 'arguments' | 'input'; readonly events: string }>> = {
  function_call: { field: 'arguments', events: 'response.function_call_arguments' },
  custom_tool_call: { field: 'input', events: 'response.custom_tool_call_input' },
};

/** A text stream and the fields of the delta event that opened it (to send what it still holds). */
interface Entry {
  readonly s: TextStream;
  readonly shell: Obj | null;
}

export async function* guardResponsesStream(events: AsyncIterable<SseOut>, opts: StreamGuardOptions): AsyncGenerator<SseOut> {
  const streams = new Map<string, Entry>();
  const gated = new Map<number, { added: SseOut; args: string; field: 'arguments' | 'input'; events: string }>();
  const stripped = new Set<number>();
  /** What the client may see of the text at `path`: what was streamed of it, or the text scanned whole. */
  const settle = async (path: string, text: string, keep = true): Promise<string> => {
    const e = streams.get(path);
    if (e) return e.s.visible;
    const s = await scanWhole(path, text, opts);
    if (keep) streams.set(path, { s, shell: null });
    return s.visible;
  };
  /** Rewrites every text of `target` (an item or a part at `path`) in place. */
  const settleAll = async (target: Obj, path: string, segments: Segment[], keep = true): Promise<void> => {
    for (const seg of segments) writeAtPath(target, seg.path.slice(path.length + 1), await settle(seg.path, seg.text, keep));
    if (opts.dropLogprobs) dropLogprobs(target);
  };
  const settleItem = (item: Obj, oi: number, keep = true) => {
    const segments: Segment[] = [];
    itemSegments(item, `output[${oi}]`, true, segments);
    return settleAll(item, `output[${oi}]`, segments, keep);
  };
  const settlePart = (part: Obj, path: string, keep = true) => {
    const segments: Segment[] = [];
    partSegments(part, path, 'output', segments);
    return settleAll(part, path, segments, keep);
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
    const oi = num(data.output_index);
    if (opts.toolGate) {
      // Function and custom tool calls are held whole (added, input deltas, done) and checked
      // against the tool policy when their item is done: then sent as one piece, or not at all.
      const item = isObj(data.item) ? data.item : null;
      const kind = type === 'response.output_item.added' && item ? GATED_ITEMS[String(item.type)] : undefined;
      if (kind) {
        gated.set(oi, { added: ev, args: '', ...kind });
        continue;
      }
      const g = gated.get(oi);
      if (g && type === `${g.events}.delta`) {
        if (typeof data.delta === 'string') g.args += data.delta;
        continue;
      }
      if (g && type === `${g.events}.done`) continue;
      if (g && type === 'response.output_item.done' && item) {
        gated.delete(oi);
        const path = `output[${oi}].${g.field}`;
        const s = await scanWhole(path, g.args, opts);
        streams.set(path, { s, shell: null });
        const args = s.visible;
        const call = { name: String(item.name ?? ''), arguments: args, ...(typeof item.call_id === 'string' ? { id: item.call_id } : {}) };
        const keep = await opts.toolGate([call], () => `output[${oi}]`);
        if (keep.length === 0) {
          stripped.add(oi);
          continue;
        }
        item[g.field] = args;
        const base = { item_id: item.id, output_index: oi };
        yield g.added;
        yield { event: `${g.events}.delta`, data: JSON.stringify({ type: `${g.events}.delta`, ...base, delta: args }) };
        yield { event: `${g.events}.done`, data: JSON.stringify({ type: `${g.events}.done`, ...base, [g.field]: args }) };
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
    }
    const dot = type.lastIndexOf('.');
    const text = TEXT_EVENTS[type.slice(0, dot)];
    if (text && type.endsWith('.delta')) {
      if (typeof data.delta !== 'string') {
        yield ev;
        continue;
      }
      const path = text.path(data);
      let e = streams.get(path);
      if (!e) {
        const { delta: _d, logprobs: _l, sequence_number: _n, obfuscation: _o, ...shell } = data;
        streams.set(path, (e = { s: new TextStream(path, opts), shell }));
      }
      data.delta = await e.s.push(data.delta);
      if (data.delta === '') continue; // all held back
      if (opts.dropLogprobs && Array.isArray(data.logprobs)) data.logprobs = [];
      yield { ...ev, data: JSON.stringify(data) };
      continue;
    }
    if (text && type.endsWith('.done')) {
      const path = text.path(data);
      const rest = await streams.get(path)?.s.flush();
      if (rest) {
        const deltaType = `${type.slice(0, dot)}.delta`;
        const { [text.field]: _t, logprobs: _l, ...shell } = data;
        yield { ...(ev.event ? { event: deltaType } : {}), data: JSON.stringify({ ...shell, type: deltaType, delta: rest }) };
      }
      const full = data[text.field];
      if (typeof full === 'string') data[text.field] = await settle(path, full);
      if (opts.dropLogprobs && Array.isArray(data.logprobs)) data.logprobs = [];
      yield { ...ev, data: JSON.stringify(data) };
      continue;
    }
    const partPath = PART_EVENTS[type];
    if (partPath) {
      if (isObj(data.part)) await settlePart(data.part, partPath(data));
      yield { ...ev, data: JSON.stringify(data) };
      continue;
    }
    switch (type) {
      case 'response.output_item.done': {
        if (isObj(data.item)) await settleItem(data.item, oi);
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        // Anything not closed by a .done event is released now, as the deltas it would have been
        // sent as, then the summary is rewritten.
        const r = data.response;
        const output = isObj(r) && Array.isArray(r.output) ? r.output : undefined;
        yield* releaseHeld(streams, ev.event !== undefined, output);
        if (isObj(r) && output) {
          for (let i = 0; i < output.length; i++) if (isObj(output[i])) await settleItem(output[i] as Obj, i);
          if (stripped.size > 0) r.output = output.filter((_item, i) => !stripped.has(i));
        }
        yield { ...ev, data: JSON.stringify(data) };
        continue;
      }
      default: {
        // `.added` and other events that carry an item, a part or a response snapshot: any text in
        // them is scanned (not kept: the deltas that follow build the text afresh).
        let touched = false;
        if (isObj(data.item)) {
          await settleItem(data.item, oi, false);
          touched = true;
        }
        if (isObj(data.part)) {
          await settlePart(data.part, `output[${oi}].content[${num(data.content_index)}]`, false);
          touched = true;
        }
        const r = data.response;
        if (isObj(r) && Array.isArray(r.output) && r.output.length > 0) {
          for (let i = 0; i < r.output.length; i++) if (isObj(r.output[i])) await settleItem(r.output[i] as Obj, i, false);
          touched = true;
        }
        yield touched ? { ...ev, data: JSON.stringify(data) } : ev;
      }
    }
  }
}

/**
 * Flushes every Responses stream and yields what each still held as a delta event. `output`, the
 * terminal event's items when there is one, supplies each delta's `item_id` when its opening delta
 * had none.
 */
async function* releaseHeld(streams: Map<string, Entry>, named: boolean, output: unknown[] | undefined): AsyncGenerator<SseOut> {
  for (const { s, shell } of streams.values()) {
    const rest = await s.flush();
    if (!rest || !shell) continue;
    const item = output?.[num(shell.output_index)];
    const itemId = shell.item_id === undefined && isObj(item) && typeof item.id === 'string' ? { item_id: item.id } : {};
    const type = shell.type as string;
    const data = JSON.stringify({ ...shell, ...itemId, delta: rest });
    yield named ? { event: type, data } : { data };
  }
}

/** Empties the log probabilities of an item's parts (or of a part). */
function dropLogprobs(target: Obj): void {
  const parts = Array.isArray(target.content) ? target.content : [target];
  for (const p of parts) if (isObj(p) && Array.isArray(p.logprobs) && p.logprobs.length > 0) p.logprobs = [];
}
