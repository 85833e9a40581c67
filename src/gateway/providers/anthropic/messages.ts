/**
 * OpenAI chat messages → Anthropic Messages API `system` and `messages`.
 *
 * - system and developer messages → `system` (Anthropic has no mid-conversation system turn);
 * - user content parts: text → text block, image_url (data: URL or https URL) → image block,
 *   file with a PDF data URL → document block; other parts (audio, file ids) are refused;
 * - assistant text (a string, text or refusal parts) + tool_calls → text and tool_use blocks
 *   (arguments parsed to an object);
 * - tool messages → tool_result blocks in a user turn;
 * - consecutive turns of one role are merged, which also puts the results of parallel tool calls
 *   in one user turn as Anthropic requires. Empty text blocks are dropped (Anthropic refuses them).
 */
import { invalidRequestFailure, isObject } from '../../upstream-failures.ts';
import { parseJson } from '../../upstream-http.ts';

export type Block = Record<string, unknown>;
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function toAnthropicMessages(messages: unknown): { system: string | undefined; messages: AnthropicMessage[] } {
  if (!Array.isArray(messages) || messages.length === 0) throw invalidRequestFailure('messages must be a non-empty array.', 'messages');
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage['role'], blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  messages.forEach((m: unknown, i) => {
    const path = `messages[${i}]`;
    if (!isObject(m)) throw invalidRequestFailure('each message must be an object.', path);
    switch (m['role']) {
      case 'system':
      case 'developer': {
        const text = textOnly(m['content'], `${path}.content`);
        if (text !== '') system.push(text);
        break;
      }
      case 'user':
        push('user', userBlocks(m['content'], `${path}.content`));
        break;
      case 'assistant':
        push('assistant', assistantBlocks(m, path));
        break;
      case 'tool': {
        const id = m['tool_call_id'];
        if (typeof id !== 'string' || id === '') throw invalidRequestFailure('a tool message needs tool_call_id.', `${path}.tool_call_id`);
        push('user', [{ type: 'tool_result', tool_use_id: id, content: toolResultContent(m['content'], `${path}.content`) }]);
        break;
      }
      default:
        throw invalidRequestFailure('role must be system, developer, user, assistant or tool for this deployment.', `${path}.role`);
    }
  });
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: out };
}

/** System and developer content: a string or text parts. */
function textOnly(content: unknown, path: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequestFailure('content must be a string or an array of parts.', path);
  return content
    .map((p: unknown, j) => {
      if (isObject(p) && p['type'] === 'text' && typeof p['text'] === 'string') return p['text'];
      throw invalidRequestFailure('only text parts are allowed here.', `${path}[${j}]`);
    })
    .join('\n');
}

function userBlocks(content: unknown, path: string): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequestFailure('content must be a string or an array of parts.', path);
  const blocks: Block[] = [];
  content.forEach((p: unknown, j) => {
    const b = partBlock(p, `${path}[${j}]`);
    if (b !== undefined) blocks.push(b);
  });
  return blocks;
}

function partBlock(p: unknown, path: string): Block | undefined {
  if (!isObject(p)) throw invalidRequestFailure('a content part must be an object.', path);
  switch (p['type']) {
    case 'text':
      if (typeof p['text'] !== 'string') throw invalidRequestFailure('a text part needs text.', `${path}.text`);
      return p['text'] === '' ? undefined : { type: 'text', text: p['text'] };
    case 'image_url': {
      const iu = p['image_url'];
      const url = isObject(iu) ? iu['url'] : undefined;
      if (typeof url !== 'string') throw invalidRequestFailure('an image_url part needs image_url.url.', `${path}.image_url.url`);
      return { type: 'image', source: imageSource(url, `${path}.image_url.url`) };
    }
    case 'file': {
      const f = p['file'];
      const data = isObject(f) ? f['file_data'] : undefined;
      const m = typeof data === 'string' ? DATA_URL.exec(data) : null;
      if (m === null || m[1]!.toLowerCase() !== 'application/pdf') {
        throw invalidRequestFailure('only PDF files given inline as file_data are supported by this deployment.', `${path}.file`);
      }
      return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: m[2]!.replace(/\s+/g, '') } };
    }
    default:
      throw invalidRequestFailure(`content parts of type ${JSON.stringify(String(p['type']))} are not supported by this deployment.`, `${path}.type`);
  }
}

function imageSource(url: string, path: string): Block {
  const m = DATA_URL.exec(url);
  if (m !== null) {
    const mediaType = m[1]!.toLowerCase();
    if (!IMAGE_TYPES.has(mediaType)) throw invalidRequestFailure('images must be PNG, JPEG, GIF or WebP.', path);
    return { type: 'base64', media_type: mediaType, data: m[2]!.replace(/\s+/g, '') };
  }
  // Anthropic fetches URL images itself; plain http is refused so no image travels unencrypted.
  if (URL.parse(url)?.protocol === 'https:') return { type: 'url', url };
  throw invalidRequestFailure('an image must be a base64 data: URL or an https URL.', path);
}

function assistantBlocks(m: Record<string, unknown>, path: string): Block[] {
  const blocks: Block[] = [];
  const content = m['content'];
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((p: unknown, j) => {
      // Assistant parts are text or refusal (as OpenAI allows); both are text to Anthropic. Parts
      // of other types are refused, not read for their text.
      const type = isObject(p) ? p['type'] : undefined;
      const text = isObject(p) ? (type === 'refusal' ? p['refusal'] : type === 'text' ? p['text'] : undefined) : undefined;
      if (typeof text !== 'string') throw invalidRequestFailure('assistant content parts must be text or refusal.', `${path}.content[${j}]`);
      if (text !== '') blocks.push({ type: 'text', text });
    });
  } else if (content !== null && content !== undefined) {
    throw invalidRequestFailure('content must be a string, an array of parts or null.', `${path}.content`);
  }
  const calls = m['tool_calls'];
  if (calls === undefined || calls === null) return blocks;
  if (!Array.isArray(calls)) throw invalidRequestFailure('tool_calls must be an array.', `${path}.tool_calls`);
  calls.forEach((c: unknown, j) => {
    const p = `${path}.tool_calls[${j}]`;
    const fn = isObject(c) ? c['function'] : undefined;
    if (!isObject(c) || typeof c['id'] !== 'string' || !isObject(fn) || typeof fn['name'] !== 'string') {
      throw invalidRequestFailure('a tool call needs id, function.name and function.arguments.', p);
    }
    const args = fn['arguments'];
    const input = typeof args === 'string' && args.trim() !== '' ? parseJson(args) : {};
    if (!isObject(input)) throw invalidRequestFailure('function.arguments must be a JSON object.', `${p}.function.arguments`);
    blocks.push({ type: 'tool_use', id: c['id'], name: fn['name'], input });
  });
  return blocks;
}

function toolResultContent(content: unknown, path: string): string | Block[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequestFailure('content must be a string or an array of parts.', path);
  const blocks: Block[] = [];
  content.forEach((p: unknown, j) => {
    const b = partBlock(p, `${path}[${j}]`);
    if (b !== undefined) blocks.push(b);
  });
  return blocks;
}
