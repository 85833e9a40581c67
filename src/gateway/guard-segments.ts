/**
 * Which texts of an OpenAI-format request or answer the guard reads, with their channel, and how
 * rewritten texts are put back. Every string the upstream is sent or the caller gets back as text
 * is a segment: message content and its parts, refusals, names, tool-call arguments and custom tool
 * inputs (also the legacy `function_call`), tool results, reasoning summaries, predictions and
 * prompt variables. Images and audio are not text and are passed as they are.
 *
 * Parts and Responses items are read by type from explicit lists; a part or item of a type not
 * listed is still read for its text-carrying fields (`text`, ...), so a type the guard does not know
 * cannot carry text past it.
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

/** Fields of a content part that hold text: every part's `text`, plus these by part type. */
const PART_FIELDS: Readonly<Record<string, readonly string[]>> = {
  refusal: ['text', 'refusal'],
};
const PART_DEFAULT = ['text'] as const;

/** A Responses item field read as text: a string, or parts, or strings in an array. `null` channel: the item's role. */
type ItemField = readonly [field: string, channel: Channel | null];

/**
 * Text fields of Responses items by type (input and output alike; in answers all are `output`).
 * Tool results are `document`, what the caller or model wrote is `user`.
 */
const ITEM_FIELDS: Readonly<Record<string, readonly ItemField[]>> = {
  message: [['content', null]],
  function_call: [['arguments', 'user']],
  function_call_output: [['output', 'document']],
  custom_tool_call: [['input', 'user']],
  custom_tool_call_output: [['output', 'document']],
  reasoning: [['summary', 'user'], ['content', 'user']],
  local_shell_call_output: [['output', 'document']],
  mcp_call: [['arguments', 'user'], ['output', 'document'], ['error', 'document']],
  mcp_approval_response: [['reason', 'user']],
  computer_call_output: [], // a screenshot
  item_reference: [],
};
/** An item of a type not listed above: these fields (as tool output when the type ends in `_output`). */
const OTHER_ITEM_FIELDS = ['text', 'content', 'output', 'arguments', 'input', 'summary'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function partSegments(part: Obj, path: string, channel: Channel, out: Segment[]): void {
  for (const f of PART_FIELDS[String(part.type)] ?? PART_DEFAULT) {
    const text = part[f];
    if (typeof text === 'string') out.push({ path: `${path}.${f}`, channel, text });
  }
}

/** A string, or an array of parts (or strings), at `path`. */
function textSegments(value: unknown, path: string, channel: Channel, out: Segment[]): void {
  if (typeof value === 'string') out.push({ path, channel, text: value });
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const part = value[i];
      if (typeof part === 'string') out.push({ path: `${path}[${i}]`, channel, text: part });
      else if (isObj(part)) partSegments(part, `${path}[${i}]`, channel, out);
    }
  }
}

/** The texts of one Responses item; `answer`: every text is `output`. */
export function itemSegments(item: Obj, path: string, answer: boolean, out: Segment[]): void {
  const type = typeof item.type === 'string' ? item.type : item.role !== undefined ? 'message' : '';
  const fields: readonly ItemField[] = ITEM_FIELDS[type] ?? OTHER_ITEM_FIELDS.map((f) => [f, type.endsWith('_output') ? 'document' : null] as const);
  const roleChannel = ROLE_CHANNEL[String(item.role)] ?? 'user';
  for (const [field, channel] of fields) {
    textSegments(item[field], `${path}.${field}`, answer ? 'output' : (channel ?? roleChannel), out);
  }
}

/** Text fields of a chat message (and of the deltas that build one in a stream): a string, or parts. */
export const MESSAGE_TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;

/** The MESSAGE_TEXT_FIELDS of `m`, read by name, not in a loop: this runs for every message of every request and answer. */
function messageTextSegments(m: Obj, path: string, channel: Channel, out: Segment[]): void {
  textSegments(m.content, `${path}.content`, channel, out);
  if (m.refusal != null) textSegments(m.refusal, `${path}.refusal`, channel, out);
  if (m.reasoning_content != null) textSegments(m.reasoning_content, `${path}.reasoning_content`, channel, out);
  if (m.reasoning != null) textSegments(m.reasoning, `${path}.reasoning`, channel, out);
}

function chatMessageSegments(m: Obj, path: string, out: Segment[]): void {
  const channel = ROLE_CHANNEL[String(m.role)] ?? 'user';
  messageTextSegments(m, path, channel, out);
  if (typeof m.name === 'string') out.push({ path: `${path}.name`, channel, text: m.name });
  // Tool-call arguments the caller sends back are its own text (it can forge them).
  if (m.tool_calls != null || m.function_call != null) toolCallSegments(m, path, 'user', out);
}

/** `tool_calls[].function.arguments`, `tool_calls[].custom.input` and the legacy `function_call.arguments`. */
function toolCallSegments(m: Obj, path: string, channel: Channel, out: Segment[]): void {
  if (Array.isArray(m.tool_calls)) {
    m.tool_calls.forEach((c, j) => {
      if (!isObj(c)) return;
      if (isObj(c.function) && typeof c.function.arguments === 'string') out.push({ path: `${path}.tool_calls[${j}].function.arguments`, channel, text: c.function.arguments });
      if (isObj(c.custom) && typeof c.custom.input === 'string') out.push({ path: `${path}.tool_calls[${j}].custom.input`, channel, text: c.custom.input });
    });
  }
  if (isObj(m.function_call) && typeof m.function_call.arguments === 'string') out.push({ path: `${path}.function_call.arguments`, channel, text: m.function_call.arguments });
}

/** Object keys as path steps: `.key` for identifiers, `["key"]` for anything else. */
const step = (key: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/**
 * The descriptions in a tool's JSON Schema (its own and every property's), as untrusted documents:
 * a tool's definition can come from a third party (an MCP server) and carry instructions to the
 * model ("tool poisoning"). Bounded in depth and count, like any schema a client may send.
 */
function schemaDescriptions(schema: unknown, path: string, out: Segment[], depth = 0, budget = { left: 256 }): void {
  if (!isObj(schema) || depth > 8) return;
  for (const [key, value] of Object.entries(schema)) {
    if (budget.left <= 0) return;
    if (key === 'description' && typeof value === 'string') {
      budget.left--;
      out.push({ path: `${path}.description`, channel: 'document', text: value });
    } else if (isObj(value)) schemaDescriptions(value, path + step(key), out, depth + 1, budget);
    else if (Array.isArray(value)) value.forEach((v, i) => schemaDescriptions(v, `${path}${step(key)}[${i}]`, out, depth + 1, budget));
  }
}

/** Tool and function definitions: descriptions, as documents (chat `tools`, legacy `functions`, responses `tools`). */
function toolDefinitionSegments(op: Operation, body: Obj, out: Segment[]): void {
  const list = (key: 'tools' | 'functions', fn: (t: Obj) => Obj | null) => {
    const defs = body[key];
    if (!Array.isArray(defs)) return;
    defs.forEach((t, i) => {
      const def = isObj(t) ? fn(t) : null;
      if (!def) return;
      const base = op === 'chat.completions' && key === 'tools' ? `tools[${i}].function` : `${key}[${i}]`;
      if (typeof def.description === 'string') out.push({ path: `${base}.description`, channel: 'document', text: def.description });
      schemaDescriptions(def.parameters, `${base}.parameters`, out);
    });
  };
  if (op === 'chat.completions') {
    list('tools', (t) => (isObj(t.function) ? t.function : null));
    list('functions', (t) => t);
  } else if (op === 'responses') list('tools', (t) => t);
}

/**
 * The texts of a request. `toolDefinitions: false` leaves out tool and function descriptions, for
 * callers that would only filter them out again (spotlighting, the system-prompt leak check).
 */
export function requestSegments(op: Operation, body: Obj, opts: { toolDefinitions?: boolean } = {}): Segment[] {
  const out: Segment[] = [];
  if (opts.toolDefinitions !== false) toolDefinitionSegments(op, body, out);
  if (op === 'chat.completions') {
    if (Array.isArray(body.messages)) {
      for (let i = 0; i < body.messages.length; i++) {
        const m: unknown = body.messages[i];
        if (isObj(m)) chatMessageSegments(m, `messages[${i}]`, out);
      }
    }
    // Predicted Outputs: text the model is told to expect, as the caller wrote it.
    if (isObj(body.prediction)) textSegments(body.prediction.content, 'prediction.content', 'user', out);
  } else if (op === 'responses') {
    if (typeof body.instructions === 'string') out.push({ path: 'instructions', channel: 'system', text: body.instructions });
    if (typeof body.input === 'string') out.push({ path: 'input', channel: 'user', text: body.input });
    else if (Array.isArray(body.input)) {
      body.input.forEach((item, i) => isObj(item) && itemSegments(item, `input[${i}]`, false, out));
    }
    // A stored prompt's variables are substituted into it: a string, or an input_text part.
    if (isObj(body.prompt) && isObj(body.prompt.variables)) {
      for (const [name, value] of Object.entries(body.prompt.variables)) {
        const path = `prompt.variables[${JSON.stringify(name)}]`;
        if (typeof value === 'string') out.push({ path, channel: 'user', text: value });
        else if (isObj(value)) partSegments(value, path, 'user', out);
      }
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
      const m = c.message;
      const path = `choices[${i}].message`;
      messageTextSegments(m, path, 'output', out);
      if (isObj(m.audio) && typeof m.audio.transcript === 'string') out.push({ path: `${path}.audio.transcript`, channel: 'output', text: m.audio.transcript });
      if (m.tool_calls != null || m.function_call != null) toolCallSegments(m, path, 'output', out);
    });
  } else if (op === 'responses' && Array.isArray(answer.output)) {
    answer.output.forEach((item, i) => isObj(item) && itemSegments(item, `output[${i}]`, true, out));
  }
  return out;
}

/**
 * Log probabilities spell out the answer token by token, so they would hand back every value the
 * output guard rewrote: with output scanning on they are emptied (chat `logprobs: null`, responses
 * `logprobs: []`).
 */
export function withoutLogprobs(op: Operation, answer: unknown): unknown {
  if (!isObj(answer)) return answer;
  if (op === 'chat.completions' && Array.isArray(answer.choices) && answer.choices.some(hasLogprobs)) {
    return { ...answer, choices: answer.choices.map((c) => (hasLogprobs(c) ? { ...c, logprobs: null } : c)) };
  }
  const parts = (item: unknown): unknown[] => (isObj(item) && Array.isArray(item.content) ? item.content : []);
  if (op === 'responses' && Array.isArray(answer.output) && answer.output.some((item) => parts(item).some(hasLogprobs))) {
    const copy = structuredClone(answer) as { output: unknown[] };
    for (const item of copy.output) for (const p of parts(item)) if (hasLogprobs(p)) p.logprobs = [];
    return copy;
  }
  return answer;
}

const hasLogprobs = (v: unknown): v is Obj => isObj(v) && v.logprobs != null && !(Array.isArray(v.logprobs) && v.logprobs.length === 0);

/** Tool-call arguments and custom tool inputs: structured values for a tool, not text to render. */
export const isToolInput = (path: string): boolean => path.endsWith('.arguments') || path.endsWith('.input');

/** Tool and function definitions (their descriptions): scanned, never marked. */
const isToolDefinition = (path: string): boolean => path.startsWith('tools[') || path.startsWith('functions[');

/** Texts spotlighting may mark: not names, tool inputs (their JSON must stay intact) or tool definitions. */
export const isProse = (path: string): boolean => !isToolInput(path) && !path.endsWith('.name') && !isToolDefinition(path);

// A path: `key`, then `.key`, `[3]` or `["any key"]` steps.
const STEP = /(?:^|\.)([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  STEP.lastIndex = 0;
  while (STEP.lastIndex < path.length) {
    const m = STEP.exec(path);
    if (!m) throw new Error(`bad segment path ${path}`);
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)));
  }
  return keys;
}

/** Sets the text at `path` (from the functions above) in `target`, in place. */
export function writeAtPath(target: unknown, path: string, text: string): void {
  const keys = pathKeys(path);
  let node = target as Record<string | number, unknown>;
  for (const k of keys.slice(0, -1)) {
    // Own properties only: a path never leads into a prototype.
    if (!Object.hasOwn(node, k)) throw new Error(`bad segment path ${path}`);
    node = node[k] as Record<string | number, unknown>;
  }
  const last = keys.at(-1)!;
  if (!Object.hasOwn(node, last)) throw new Error(`bad segment path ${path}`);
  node[last] = text;
}

/** Returns a copy of `body` with the texts at `rewrites`' paths replaced (paths from the functions above). */
export function applyAtPaths<T>(body: T, rewrites: ReadonlyMap<string, string>): T {
  if (rewrites.size === 0) return body;
  const copy = structuredClone(body);
  for (const [path, text] of rewrites) writeAtPath(copy, path, text);
  return copy;
}
