/**
 * An OpenAI chat completion request → an Anthropic Messages API request.
 *
 * Mapped: messages (see messages.ts), max_completion_tokens / max_tokens (else the target's
 * default; Anthropic requires one), temperature, top_p, stop → stop_sequences, tools,
 * tool_choice, parallel_tool_calls: false → disable_parallel_tool_use, user → metadata.user_id.
 * Refused (400): n > 1 and JSON response formats, which Anthropic cannot honour and which would
 * silently change the answer. Ignored: sampling knobs Anthropic lacks (frequency/presence
 * penalty, logit_bias, seed, logprobs) and OpenAI-only fields (store, service_tier, metadata).
 */
import { invalidRequestFailure, isObject } from '../../upstream-failures.ts';
import { toAnthropicMessages, type Block } from './messages.ts';

export interface AnthropicRequestDefaults {
  model: string;
  maxTokens: number;
}

export function toAnthropicRequest(body: Record<string, unknown>, defaults: AnthropicRequestDefaults, stream: boolean): Record<string, unknown> {
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw invalidRequestFailure('n must be 1 for this deployment.', 'n');
  const rf = body['response_format'];
  if (isObject(rf) && rf['type'] !== undefined && rf['type'] !== 'text') {
    throw invalidRequestFailure('response_format json_object and json_schema are not supported by this deployment.', 'response_format');
  }

  const { system, messages } = toAnthropicMessages(body['messages']);
  const req: Record<string, unknown> = { model: defaults.model, max_tokens: maxTokens(body, defaults.maxTokens), messages };
  if (system !== undefined) req['system'] = system;
  if (stream) req['stream'] = true;
  for (const key of ['temperature', 'top_p'] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number') throw invalidRequestFailure(`${key} must be a number.`, key);
    req[key] = v;
  }
  const stop = stopSequences(body['stop']);
  if (stop !== undefined) req['stop_sequences'] = stop;
  const user = body['user'];
  if (typeof user === 'string' && user !== '') req['metadata'] = { user_id: user };

  const tools = body['tools'];
  if (tools !== undefined && tools !== null) req['tools'] = toAnthropicTools(tools);
  const choice = toolChoice(body['tool_choice'], body['parallel_tool_calls'] === false);
  if (choice !== undefined) req['tool_choice'] = choice;
  return req;
}

function maxTokens(body: Record<string, unknown>, fallback: number): number {
  for (const key of ['max_completion_tokens', 'max_tokens'] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalidRequestFailure(`${key} must be a positive integer.`, key);
    return v;
  }
  return fallback;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return stop.length > 0 ? (stop as string[]) : undefined;
  throw invalidRequestFailure('stop must be a string or an array of strings.', 'stop');
}

function toAnthropicTools(tools: unknown): Block[] {
  if (!Array.isArray(tools)) throw invalidRequestFailure('tools must be an array.', 'tools');
  return tools.map((t: unknown, i) => {
    const fn = isObject(t) ? t['function'] : undefined;
    if (!isObject(t) || t['type'] !== 'function' || !isObject(fn) || typeof fn['name'] !== 'string') {
      throw invalidRequestFailure('only function tools with a name are supported by this deployment.', `tools[${i}]`);
    }
    const tool: Block = {
      name: fn['name'],
      // Anthropic requires an object schema; OpenAI allows leaving parameters out.
      input_schema: isObject(fn['parameters']) ? fn['parameters'] : { type: 'object', properties: {} },
    };
    if (typeof fn['description'] === 'string') tool['description'] = fn['description'];
    return tool;
  });
}

function toolChoice(choice: unknown, noParallel: boolean): Block | undefined {
  let out: Block | undefined;
  if (choice === undefined || choice === null) out = noParallel ? { type: 'auto' } : undefined;
  else if (choice === 'none') return { type: 'none' };
  else if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (isObject(choice) && choice['type'] === 'function' && isObject(choice['function']) && typeof choice['function']['name'] === 'string') {
    out = { type: 'tool', name: choice['function']['name'] };
  } else throw invalidRequestFailure('tool_choice must be none, auto, required or a named function.', 'tool_choice');
  if (out !== undefined && noParallel) out['disable_parallel_tool_use'] = true;
  return out;
}
