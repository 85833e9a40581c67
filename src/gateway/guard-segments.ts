/**
 * Which texts of an OpenAI-format request or answer the guard reads, with their channel, and how
 * rewritten texts are put back. Every message, content part, tool result and document is a
 * segment; images and audio are not text and are passed as they are.
 */
import type { Segment } from '../guard/engine.ts';
import type { Channel } from '../guard/types.ts';
import type { Operation } from './providers/provider.ts';

const ROLE_CHANNEL: Record<string, Channel> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  // Earlier assistant turns come from the caller, who can forge them (many-shot attacks).
  assistant: 'user',
  tool: 'document',
  function: 'document',
};

const TEXT_PART = new Set(['text', 'input_text', 'output_text']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function contentSegments(content: unknown, path: string, channel: Channel, out: Segment[]): void {
  if (typeof content === 'string') out.push({ path, channel, text: content });
  else if (Array.isArray(content)) {
    content.forEach((part, i) => {
      if (isObj(part) && TEXT_PART.has(String(part.type)) && typeof part.text === 'string') out.push({ path: `${path}[${i}].text`, channel, text: part.text });
    });
  }
}

export function requestSegments(op: Operation, body: Obj): Segment[] {
  const out: Segment[] = [];
  if (op === 'chat.completions' && Array.isArray(body.messages)) {
    body.messages.forEach((m, i) => {
      if (!isObj(m)) return;
      const channel = ROLE_CHANNEL[String(m.role)] ?? 'user';
      contentSegments(m.content, `messages[${i}].content`, channel, out);
      if (Array.isArray(m.tool_calls)) {
        m.tool_calls.forEach((c, j) => {
          if (isObj(c) && isObj(c.function) && typeof c.function.arguments === 'string') {
            out.push({ path: `messages[${i}].tool_calls[${j}].function.arguments`, channel: 'user', text: c.function.arguments });
          }
        });
      }
    });
  } else if (op === 'responses') {
    if (typeof body.instructions === 'string') out.push({ path: 'instructions', channel: 'system', text: body.instructions });
    if (typeof body.input === 'string') out.push({ path: 'input', channel: 'user', text: body.input });
    else if (Array.isArray(body.input)) {
      body.input.forEach((item, i) => {
        if (!isObj(item)) return;
        if (item.type === 'function_call_output' && typeof item.output === 'string') {
          out.push({ path: `input[${i}].output`, channel: 'document', text: item.output });
        } else {
          contentSegments(item.content, `input[${i}].content`, ROLE_CHANNEL[String(item.role)] ?? 'user', out);
        }
      });
    }
  } else if (op === 'embeddings') {
    if (typeof body.input === 'string') out.push({ path: 'input', channel: 'user', text: body.input });
    else if (Array.isArray(body.input)) body.input.forEach((t, i) => typeof t === 'string' && out.push({ path: `input[${i}]`, channel: 'user', text: t }));
  }
  return out;
}

/** Texts of a non-streamed answer (chat completion or response object). */
export function answerSegments(op: Operation, answer: unknown): Segment[] {
  const out: Segment[] = [];
  if (!isObj(answer)) return out;
  if (op === 'chat.completions' && Array.isArray(answer.choices)) {
    answer.choices.forEach((c, i) => {
      if (!isObj(c) || !isObj(c.message)) return;
      if (typeof c.message.content === 'string') out.push({ path: `choices[${i}].message.content`, channel: 'output', text: c.message.content });
      if (Array.isArray(c.message.tool_calls)) {
        c.message.tool_calls.forEach((t, j) => {
          if (isObj(t) && isObj(t.function) && typeof t.function.arguments === 'string') {
            out.push({ path: `choices[${i}].message.tool_calls[${j}].function.arguments`, channel: 'output', text: t.function.arguments });
          }
        });
      }
    });
  } else if (op === 'responses' && Array.isArray(answer.output)) {
    answer.output.forEach((item, i) => {
      if (!isObj(item)) return;
      if (Array.isArray(item.content)) contentSegments(item.content, `output[${i}].content`, 'output', out);
      if (typeof item.arguments === 'string') out.push({ path: `output[${i}].arguments`, channel: 'output', text: item.arguments });
    });
  }
  return out;
}

const STEP = /^([A-Za-z_]+)((?:\[\d+\])*)$/;

/** Returns a copy of `body` with the texts at `rewrites`' paths replaced (paths from the functions above). */
export function applyAtPaths<T>(body: T, rewrites: ReadonlyMap<string, string>): T {
  if (rewrites.size === 0) return body;
  const copy = structuredClone(body) as unknown;
  for (const [path, text] of rewrites) {
    const keys: (string | number)[] = [];
    for (const step of path.split('.')) {
      const m = STEP.exec(step);
      if (!m) throw new Error(`bad segment path ${path}`);
      keys.push(m[1]!);
      for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
    }
    let node = copy as Record<string | number, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[keys.at(-1)!] = text;
  }
  return copy as T;
}
