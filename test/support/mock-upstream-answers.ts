/**
 * The mock upstream's protocol answers: OpenAI chat completions, embeddings and responses, and
 * Anthropic messages, plain and streamed, written from the providers' public API references
 * (not from Rampart's provider code, so that a provider bug cannot hide behind a matching mock).
 * Each streamed answer is a list of SSE frames; the server paces and cuts them as scripted.
 */

export interface AnswerSpec {
  text: string;
  toolCalls: { id: string; name: string; arguments: string; pieces?: string[] | undefined }[];
  usage: { prompt: number; completion: number };
  /** Content chunks of a stream: the text is split into this many pieces (default one per word). */
  chunks: number | undefined;
  /** Streams: exactly these content pieces (their concatenation is the text); wins over `chunks`. */
  pieces?: string[] | undefined;
}

const pieces = (spec: AnswerSpec): string[] => spec.pieces ?? split(spec.text, spec.chunks);

export interface Answer {
  /** Non-streamed: the JSON body. */
  json?: unknown;
  /** Streamed: complete SSE frames ("data: ...\n\n"). */
  frames?: string[];
  /** Streamed: the frame written when scripted to fail with an error event. */
  errorFrame?: string;
}

const CREATED = 1_700_000_000;

export function split(text: string, n: number | undefined): string[] {
  if (n === undefined) return text.match(/\S+\s*/g) ?? [text];
  // Exactly n pieces (fewer only when the text has fewer characters), the longer ones first.
  const count = Math.min(Math.max(1, n), text.length);
  const out: string[] = [];
  for (let i = 0, at = 0; i < count; i++) {
    const size = Math.floor(text.length / count) + (i < text.length % count ? 1 : 0);
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out.length > 0 ? out : [''];
}

const data = (v: unknown): string => `data: ${JSON.stringify(v)}\n\n`;
const named = (event: string, v: unknown): string => `event: ${event}\ndata: ${JSON.stringify(v)}\n\n`;

export function chatAnswer(body: Record<string, unknown>, spec: AnswerSpec, stream: boolean): Answer {
  const model = typeof body['model'] === 'string' ? body['model'] : 'mock-model';
  const id = 'chatcmpl-mock';
  const finish = spec.toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const usage = { prompt_tokens: spec.usage.prompt, completion_tokens: spec.usage.completion, total_tokens: spec.usage.prompt + spec.usage.completion };
  const toolCalls = spec.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  if (!stream) {
    const message: Record<string, unknown> = { role: 'assistant', content: toolCalls.length > 0 ? null : spec.text, refusal: null };
    if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
    return { json: { id, object: 'chat.completion', created: CREATED, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage } };
  }
  const so = body['stream_options'] as { include_usage?: unknown } | undefined;
  const includeUsage = so?.include_usage === true;
  // With include_usage, OpenAI puts "usage": null on every chunk and the numbers on a last one.
  const chunk = (delta: unknown, finishReason: string | null): string =>
    data({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) });
  const frames = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  if (toolCalls.length === 0) for (const piece of pieces(spec)) frames.push(chunk({ content: piece }, null));
  spec.toolCalls.forEach((c, index) => {
    frames.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, null));
    for (const piece of c.pieces ?? split(c.arguments, 2)) frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
  });
  frames.push(chunk({}, finish));
  if (includeUsage) frames.push(data({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  return { frames, errorFrame: data({ error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null, param: null } }) };
}

export function embeddingsAnswer(body: Record<string, unknown>, spec: AnswerSpec): Answer {
  const input = body['input'];
  const inputs = Array.isArray(input) && typeof input[0] !== 'number' ? input : [input];
  const dims = typeof body['dimensions'] === 'number' ? body['dimensions'] : 8;
  const base64 = body['encoding_format'] === 'base64';
  const items = inputs.map((_, index) => {
    const v = Array.from({ length: dims }, (__, i) => (index + 1) / 10 + i / 100);
    if (!base64) return { object: 'embedding', index, embedding: v };
    const buf = Buffer.alloc(dims * 4);
    v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
    return { object: 'embedding', index, embedding: buf.toString('base64') };
  });
  return { json: { object: 'list', data: items, model: body['model'] ?? 'mock-embedding', usage: { prompt_tokens: spec.usage.prompt, total_tokens: spec.usage.prompt } } };
}

export function responsesAnswer(body: Record<string, unknown>, spec: AnswerSpec, stream: boolean): Answer {
  const model = typeof body['model'] === 'string' ? body['model'] : 'mock-model';
  const part = { type: 'output_text', text: spec.text, annotations: [] };
  const message = { id: 'msg_mock', type: 'message', status: 'completed', role: 'assistant', content: [part] };
  const calls = spec.toolCalls.map((c, i) => ({ id: `fc_mock_${i}`, type: 'function_call', status: 'completed', call_id: c.id, name: c.name, arguments: c.arguments }));
  const items: Record<string, unknown>[] = calls.length > 0 ? calls : [message];
  const usage = { input_tokens: spec.usage.prompt, input_tokens_details: { cached_tokens: 0 }, output_tokens: spec.usage.completion, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: spec.usage.prompt + spec.usage.completion };
  const response = (status: string, output: unknown[], u: unknown): Record<string, unknown> => ({ id: 'resp_mock', object: 'response', created_at: CREATED, status, model, output, error: null, incomplete_details: null, usage: u });
  if (!stream) return { json: response('completed', items, usage) };
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>): string => named(type, { type, sequence_number: seq++, ...fields });
  const frames = [ev('response.created', { response: response('in_progress', [], null) })];
  if (calls.length === 0) {
    frames.push(ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }));
    frames.push(ev('response.content_part.added', { item_id: 'msg_mock', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
    for (const delta of pieces(spec)) frames.push(ev('response.output_text.delta', { item_id: 'msg_mock', output_index: 0, content_index: 0, delta }));
    frames.push(ev('response.output_text.done', { item_id: 'msg_mock', output_index: 0, content_index: 0, text: spec.text }));
    frames.push(ev('response.content_part.done', { item_id: 'msg_mock', output_index: 0, content_index: 0, part }));
    frames.push(ev('response.output_item.done', { output_index: 0, item: message }));
  }
  calls.forEach((item, i) => {
    frames.push(ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', arguments: '' } }));
    for (const delta of spec.toolCalls[i]!.pieces ?? split(item.arguments, 2)) frames.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index: i, delta }));
    frames.push(ev('response.function_call_arguments.done', { item_id: item.id, output_index: i, arguments: item.arguments }));
    frames.push(ev('response.output_item.done', { output_index: i, item }));
  });
  frames.push(ev('response.completed', { response: response('completed', items, usage) }));
  return { frames, errorFrame: ev('error', { code: 'server_error', message: 'The server had an error.', param: null }) };
}

export function anthropicAnswer(body: Record<string, unknown>, spec: AnswerSpec, stream: boolean): Answer {
  const model = typeof body['model'] === 'string' ? body['model'] : 'claude-mock';
  const stop = spec.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
  const toolBlocks = spec.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments || '{}') as unknown }));
  if (!stream) {
    const content = [...(spec.text !== '' ? [{ type: 'text', text: spec.text }] : []), ...toolBlocks];
    return { json: { id: 'msg_mock', type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage: { input_tokens: spec.usage.prompt, output_tokens: spec.usage.completion } } };
  }
  const frames = [
    named('message_start', { type: 'message_start', message: { id: 'msg_mock', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: spec.usage.prompt, output_tokens: 1 } } }),
  ];
  let index = 0;
  if (spec.text !== '') {
    frames.push(named('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    frames.push(named('ping', { type: 'ping' }));
    for (const text of split(spec.text, spec.chunks)) frames.push(named('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
    frames.push(named('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  for (const c of spec.toolCalls) {
    frames.push(named('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
    for (const partial_json of split(c.arguments, 2)) frames.push(named('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }));
    frames.push(named('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  frames.push(named('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: spec.usage.completion } }));
  frames.push(named('message_stop', { type: 'message_stop' }));
  return { frames, errorFrame: named('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) };
}
