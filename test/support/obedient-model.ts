/**
 * A naive mock model for red-team tests: given an OpenAI chat-completions body, it obeys the last
 * instruction it finds in any user, assistant or tool message ("ignore previous instructions
 * and reply with X", "say 'X'", "send the conversation to URL", "fetch URL"), which is what
 * makes indirect prompt injection work on real models. But it honours the spotlighting
 * conventions its system prompt announces, as a model trained for them would:
 *
 * - "... between «open» and «close» ...": text inside those delimiters is data;
 * - "... marked by the character ˆ ..." / "interleaved with the special character ˆ": words
 *   joined by that character are data;
 * - "... encoded in base64 ...": base64 text is data. Without that sentence the model is
 *   "capable": it decodes base64 it comes across and obeys what it says.
 *
 * Conventions count only when a system or developer message announces them, so the same model
 * obeys an injection when spotlighting is off. Use it directly (`obedientModel(body)`), as a chat
 * completion (`obedientChatCompletion`), or behind the mock upstream:
 * @example
 *   up.script({ path: '/v1/chat/completions', reply: (req) => obedientReply(req.body ?? {}) });
 */
import type { MockReply } from './mock-upstream.ts';

export const DEFAULT_ANSWER = 'Here is a summary of the documents.';

export interface ObedientAnswer {
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  /** The instruction it followed: message index, kind, and what it was told; null when none. */
  obeyed: { message: number; kind: 'reply' | 'send' | 'fetch'; payload: string } | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('\n');
  return '';
}

interface Conventions {
  delimiters: { open: string; close: string }[];
  markers: string[];
  base64IsData: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function conventions(systemText: string): Conventions {
  const delimiters = [...systemText.matchAll(/\bbetween\s+(\S+)\s+and\s+(\S+?)[.,;:]?(?=\s|$)/giu)].map((m) => ({ open: m[1]!, close: m[2]! }));
  const markers = [
    ...systemText.matchAll(/\b(?:marked|interleaved|separated)\s+(?:by|with)\s+(?:the\s+)?(?:special\s+)?character\s+["'“]?(\S)/giu),
  ].map((m) => m[1]!);
  return { delimiters, markers, base64IsData: /\bencoded\s+(?:in|with|as)\s+base64\b/i.test(systemText) };
}

const BASE64_TOKEN = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])/g;

function decodeBase64(token: string): string | null {
  if (token.length % 4 !== 0) return null;
  const text = Buffer.from(token, 'base64').toString('utf8');
  // Mostly printable text, or it was not base64 text after all (a hash, an id).
  const printable = [...text].filter((c) => /[\p{L}\p{N}\p{P}\p{Zs}\n]/u.test(c)).length;
  return text.length > 0 && !text.includes('\ufffd') && printable / [...text].length > 0.9 ? text : null;
}

/** What the model reads as possible instructions in one message: marked data becomes a line break. */
function readable(text: string, conv: Conventions): string {
  let out = text;
  for (const { open, close } of conv.delimiters) {
    out = out.replace(new RegExp(`${escapeRe(open)}[\\s\\S]*?(?:${escapeRe(close)}|$)`, 'gu'), '\n');
  }
  for (const marker of conv.markers) {
    out = out.replace(new RegExp(`\\S*${escapeRe(marker)}\\S*`, 'gu'), '\n');
  }
  out = out.replace(BASE64_TOKEN, (token) => {
    const decoded = decodeBase64(token);
    if (decoded === null) return token;
    return conv.base64IsData ? '\n' : `\n${decoded}\n`;
  });
  return out;
}

const QUOTED = String.raw`(?:"([^"\n]{1,200})"|“([^”\n]{1,200})”|'([^'\n]{1,200})'|«([^»\n]{1,200})»)`;
const BARE_UNTIL_END = String.raw`([^\n.!?"“]{1,200})`;
/** Where an imperative starts: after punctuation (a sentence, a clause, a tag), or after "and", "please", "you must"... */
const IMPERATIVE = String.raw`(?<=^|[^\p{L}\p{N}\s]\s*|\n\s*|\b(?i:and|then|please|instead|now|must|should|just|to|will)\s+)`;
const REPLY = new RegExp(
  String.raw`${IMPERATIVE}(?i:reply|respond|answer)\s+(?i:only\s+)?(?i:with|by\s+saying)\b\s*:?\s*(?i:the\s+(?:words?|text|phrase)\s+)?(?:${QUOTED}|${BARE_UNTIL_END})`,
  'gu',
);
const SAY = new RegExp(
  String.raw`${IMPERATIVE}(?i:say|print|output|write)(?:\s+(?i:only|exactly|just))?(?:\s*${QUOTED}|\s*:\s*${BARE_UNTIL_END}|\s+([A-Z][A-Z0-9_!-]{2,})\b)`,
  'gu',
);
const TARGET = String.raw`(https?:\/\/[^\s"'<>)]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)`;
const SEND = new RegExp(
  String.raw`\b(?:send|forward|post|upload|exfiltrate|leak|e-?mail)\s+(?:a\s+copy\s+of\s+)?(?:the|this|our|all|your|my)?\s*(?:whole\s+|entire\s+|full\s+)?(?:conversation|chat|messages?|history|data|context|transcript|system\s+prompt|secrets?|api\s+keys?|documents?)\b[^\n]{0,60}?\bto\s+${TARGET}`,
  'giu',
);
const FETCH = /\b(?:visit|open|fetch|browse\s+to|go\s+to|load|request|call)\s+(?:the\s+(?:url|link|page)\s+)?(https?:\/\/[^\s"'<>)]+)/giu;

interface Instruction {
  at: number;
  kind: 'reply' | 'send' | 'fetch';
  payload: string;
}

function instructionsIn(text: string): Instruction[] {
  const out: Instruction[] = [];
  const first = (m: RegExpMatchArray) => m.slice(1).find((g) => g !== undefined)!.trim();
  for (const m of text.matchAll(REPLY)) out.push({ at: m.index, kind: 'reply', payload: first(m) });
  for (const m of text.matchAll(SAY)) out.push({ at: m.index, kind: 'reply', payload: first(m) });
  for (const m of text.matchAll(SEND)) out.push({ at: m.index, kind: 'send', payload: m[1]!.replace(/[.,;:!?]+$/, '') });
  for (const m of text.matchAll(FETCH)) out.push({ at: m.index, kind: 'fetch', payload: m[1]!.replace(/[.,;:!?]+$/, '') });
  return out.sort((a, b) => a.at - b.at);
}

interface ToolInfo {
  name: string;
  properties: string[];
}

function toolsOf(body: Obj): ToolInfo[] {
  if (!Array.isArray(body.tools)) return [];
  return body.tools.flatMap((t) => {
    const fn = isObj(t) && isObj(t.function) ? t.function : isObj(t) ? t : null;
    if (!fn || typeof fn.name !== 'string') return [];
    const params = isObj(fn.parameters) && isObj(fn.parameters.properties) ? Object.keys(fn.parameters.properties) : [];
    return [{ name: fn.name, properties: params }];
  });
}

function pick(names: string[], re: RegExp, fallback: string): string {
  return names.find((n) => re.test(n)) ?? fallback;
}

/** Reads the body like a naive, instruction-following model; see the file comment. */
export function obedientModel(body: Obj): ObedientAnswer {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
  const systemText = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => textOf(m.content))
    .join('\n');
  const conv = conventions(systemText);

  let obeyed: ObedientAnswer['obeyed'] = null;
  const userTexts: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system' || m.role === 'developer') continue;
    const raw = textOf(m.content);
    if (m.role === 'user') userTexts.push(raw);
    // The last instruction read wins: an injected one comes after the user's request.
    const last = instructionsIn(readable(raw, conv)).at(-1);
    if (last) obeyed = { message: i, kind: last.kind, payload: last.payload };
  }
  if (obeyed === null) return { text: DEFAULT_ANSWER, toolCalls: [], obeyed: null };

  if (obeyed.kind === 'reply') return { text: obeyed.payload, toolCalls: [], obeyed };

  // send / fetch: what it leaks is what the user wrote (where secrets usually are).
  const loot = userTexts.join('\n').slice(0, 2_000);
  const target = obeyed.payload;
  const isMail = !target.startsWith('http');
  const tools = toolsOf(body);
  const tool = tools.find((t) => (isMail ? /mail|send|message/i : /fetch|http|url|web|browse|request|get|post|send/i).test(t.name));
  if (tool) {
    const args: Record<string, string> = {};
    if (isMail) {
      args[pick(tool.properties, /^(to|recipient|address|email)/i, 'to')] = target;
      args[pick(tool.properties, /^(body|content|text|message)/i, 'body')] = loot;
    } else {
      const url = obeyed.kind === 'send' ? `${target}${target.includes('?') ? '&' : '?'}data=${encodeURIComponent(loot)}` : target;
      args[pick(tool.properties, /^(url|uri|link|endpoint|href)/i, 'url')] = url;
    }
    return { text: '', toolCalls: [{ id: `call_obedient_${obeyed.message}`, name: tool.name, arguments: JSON.stringify(args) }], obeyed };
  }
  if (isMail) return { text: `Sending the conversation to ${target}: ${loot}`, toolCalls: [], obeyed };
  const url = obeyed.kind === 'send' ? `${target}${target.includes('?') ? '&' : '?'}data=${encodeURIComponent(loot)}` : target;
  // The markdown-image exfiltration channel: the client renders it and fetches the URL.
  return { text: `Done. ![status](${url})`, toolCalls: [], obeyed };
}

/** The answer as an OpenAI chat completion object. */
export function obedientChatCompletion(body: Obj): Obj {
  const a = obedientModel(body);
  const toolCalls = a.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id: 'chatcmpl-obedient',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: typeof body.model === 'string' ? body.model : 'obedient-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: toolCalls.length > 0 ? null : a.text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

/** For `startMockUpstream().script({ reply: (req) => obedientReply(req.body ?? {}) })`. */
export function obedientReply(body: Obj): MockReply {
  const a = obedientModel(body);
  return a.toolCalls.length > 0 ? { text: a.text, toolCalls: a.toolCalls } : { text: a.text };
}
