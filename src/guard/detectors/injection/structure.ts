/**
 * Layout signals a word scan cannot see: fake conversation turns and chat-template tokens, policy
 * files pretending to configure the model, content hidden from the human reader (HTML comments,
 * invisible elements, markdown image links that carry data out), and separators that fence off
 * an inserted block. Every pattern is anchored on a literal and bounded, so scanning stays linear.
 */
import { scanTokens, RULE_NAMES } from './lexical-rules.ts';
import { tokenize } from './tokens.ts';

export const STRUCTURE_NAMES = [
  'role-turns',
  'chat-template-tokens',
  'bracketed-authority',
  'policy-markup',
  'hidden-prose',
  'hidden-instruction',
  'exfil-image-link',
  'data-placeholder',
  'say-quoted',
  'fenced-block',
  'code-fences',
  'addresses-present',
  'address-and-quote',
] as const;

/** A line pattern (`^…`) as `lineMatches` runs it: multiline and sticky. */
export function lineStarts(re: RegExp): RegExp {
  return new RegExp(re.source, 'my');
}

/** Lines opening with a speaker label, as in a transcript or a forged multi-turn prompt. */
const ROLE_LINE = lineStarts(/^(?:[#*>\s[]{0,4})(?:system|assistant|user|human|ai|bot|model|developer|admin|chatgpt|gpt|claude|dan|narrator|q|a)\s{0,2}(?:\]|:|>|-{1,2}>)/);
const TEMPLATE_TOKEN = /<\|[a-z_]{2,24}\|>|\[\/?inst\]|<<\/?sys>>|<\/?s>|<(?:start|end)_of_turn>|<\/?(?:system|assistant|user|im_start|im_end)>|###\s?(?:instruction|response|system)\b/g;
// `(?![\w-])`: `{ADMIN_PASSWORD}` and `[system-requirements]` are names, not a claimed authority.
const BRACKETED = /[[(<{]\s{0,2}(?:system|admin|administrator|developer|sys|override|important|priority|root|sudo|security|urgent|assistant note|ai note|note to (?:the )?(?:ai|assistant|model))(?![\w-])[^\]\n)>}]{0,40}[\])>}]/g;
/** Tag, key or section names of a policy/config a model might take as its own settings. */
const POLICY_NAME = /(?:config|policy|policies|rule|mode|setting|permission|allow|block|restrict|system|override|instruction|guideline|role|persona|behavio|safety|filter|refus|interaction|jailbreak|limit|censor|ethic|command)/;
const TAG = /<\/?([a-z][a-z0-9_.-]{1,40})(?:\s[^<>\n]{0,120})?>/g;
/** Keys at the start of a line (YAML, INI, one-key-per-line JSON) and quoted keys anywhere (inline JSON). */
const LINE_KEY = lineStarts(/^[ \t{,"']{0,8}([a-z][a-z0-9_.-]{1,40})["']?[ \t]{0,2}[:=]/);
const QUOTED_KEY = /"([a-z][a-z0-9_ .-]{1,40})"\s{0,2}:/g;
const SECTION = lineStarts(/^\s{0,4}\[([a-z][a-z0-9_ .-]{1,40})\]\s*$/);
const OPEN_TAG = /<[a-z]{1,10}(\s[^<>]{0,600})>/g;
const HIDDEN_ATTR = /display\s{0,3}:\s{0,3}none|visibility\s{0,3}:\s{0,3}hidden|font-size\s{0,3}:\s{0,3}0(?![.\d]*[1-9])|opacity\s{0,3}:\s{0,3}0(?![.\d]*[1-9])|color\s{0,3}:\s{0,3}(?:white|#fff\b|#ffffff)|\shidden\b|aria-hidden/;
const IMAGE_WITH_QUERY = /!\[[^\]\n]{0,200}\]\(\s*https?:\/\/[^)\s?]{1,300}\?([^)\s]{1,400})\)/g;
/**
 * A query that carries data out: a template slot to be filled (`{conversation}`, `<data>`, `$SECRET`,
 * `%s`) or a parameter named for content. Badge images (`?style=flat&logo=git`) carry neither.
 */
const EXFIL_QUERY = /[{<[$]|%s|(?:^|&)(?:q|d|c|x|data|payload|info|text|msg|message|content|chat|history|conv|secret|token|key)=/;
const PLACEHOLDER = /[{[<]\s{0,2}(?:conversation|chat|history|user_?input|user_?data|secret|password|context|messages|summary|email|query|data|credentials|api_?key|token)[a-z_]{0,20}\s{0,2}[}\]>]/g;
const SAY_QUOTED = /\b(?:say|print|output|respond with|reply with|answer with|repeat|print out|just say)\s{0,2}:?\s{0,2}["'“‘]/g;
const FENCE_LINE = lineStarts(/^\s{0,3}(?:-{3,}|={3,}|\*{3,}|_{3,}|#{4,}|~{3,})\s*$/);
const CODE_FENCE = /```/g;
/** An e-mail address (anchored on `@`, local part looked at backwards), for the body-address check. */
const MAIL_AT = /@[\p{L}\p{N}-]{1,63}\.[\p{L}]{2,}/gu;
/** Header and quoting lines of a message, where addresses are expected. */
const HEADER_LINE = /^[ \t>]{0,4}(?:from|to|cc|bcc|sent|reply-to|date|von|an|de|para|a|da|envoye|enviado)\s{0,2}:|wrote:|forwarded by|original message/;
/**
 * A short quoted string in any quoting style, not itself an address and not a display name
 * in front of one (`"Kim Lee" <kim@...>`): the exact words an attacker wants sent or said.
 */
const SHORT_QUOTE = /["“«「『„][^"”»」』“@\n]{1,40}["”»」』“](?!\s{0,2}[<@(])/;

/**
 * Addresses written in the running text (not in header or quoting lines, not in angle brackets,
 * quotes or code), when the text also quotes a short string: "send <address> the text 'ok'", in
 * any language and script. Bounded: 16 addresses.
 */
function addressesWithQuote(text: string): number {
  if (!SHORT_QUOTE.test(text)) return 0;
  MAIL_AT.lastIndex = 0;
  let n = 0;
  let seen = 0;
  for (let m = MAIL_AT.exec(text); m && seen < 16; m = MAIL_AT.exec(text), seen++) {
    let s = m.index;
    while (s > 0 && s > m.index - 64 && /[\p{L}\p{N}._%+-]/u.test(text[s - 1]!)) s--;
    const before = s > 0 ? text.charCodeAt(s - 1) : 32;
    // < " ' = : / ( [ `: a header, a string literal, an assignment, a link or markup.
    if (before === 60 || before === 34 || before === 39 || before === 61 || before === 58 || before === 47 || before === 40 || before === 91 || before === 96) continue;
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (!HEADER_LINE.test(text.slice(lineStart, Math.min(text.length, lineStart + 80)))) n++;
  }
  MAIL_AT.lastIndex = 0;
  return n;
}

/** Anchored on `@` and `http`, never on the letters before them, to stay linear. */
const ADDRESS = /@[a-z0-9-]{1,63}\.[a-z]{2,}|https?:\/\//g;

/**
 * The matches of a line pattern (`^…` with the m flag), tried only where a line starts: a global
 * search tests `^` at every character, a pass of a few µs per 2 KB for what is a handful of
 * line starts (one in a single-line prompt). Same matches, in the same order, as `exec` with the
 * g flag: after a match the search goes on from its end. `sticky` is the pattern with flags `my`.
 */
export function* lineMatches(sticky: RegExp, text: string): Generator<RegExpExecArray> {
  for (let p = 0; p <= text.length; ) {
    sticky.lastIndex = p;
    const m = sticky.exec(text);
    let from = p + 1;
    if (m) {
      yield m;
      from = Math.max(from, m.index + m[0].length);
    }
    if (from > text.length) break;
    // The next line start at or after `from`.
    if (text.charCodeAt(from - 1) === 10) p = from;
    else {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      p = nl + 1;
    }
  }
}

/** Every match of a global pattern, from the start of the text (its lastIndex left at 0). */
function* allMatches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  try {
    for (let m = re.exec(text); m; m = re.exec(text)) yield m;
  } finally {
    re.lastIndex = 0;
  }
}

function count(matches: Iterable<RegExpExecArray>, cap = 64): number {
  let n = 0;
  for (const _ of matches) if (++n >= cap) break;
  return n;
}

/** Matches whose first group names a policy-like thing; at most 512 matches are looked at. */
function countNamed(matches: Iterable<RegExpExecArray>, cap = 64): number {
  let n = 0;
  let seen = 0;
  for (const m of matches) {
    if (POLICY_NAME.test(m[1]!)) n++;
    if (n >= cap || ++seen >= 512) break;
  }
  return n;
}

const STRONG = ['override', 'override-all', 'instructions-void', 'new-instructions', 'extraction', 'exfiltration', 'addresses-ai', 'no-restrictions', 'special-mode'].map((n) =>
  RULE_NAMES.indexOf(n),
);

/** Text a human reader does not see: HTML comments and hidden elements. Bounded pieces. */
function hiddenPieces(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < 16) {
    const s = text.indexOf('<!--', from);
    if (s < 0) break;
    const e = text.indexOf('-->', s + 4);
    const end = e < 0 ? Math.min(text.length, s + 4 + 4000) : e;
    out.push(text.slice(s + 4, Math.min(end, s + 4 + 4000)));
    from = end + 3;
  }
  OPEN_TAG.lastIndex = 0;
  let tags = 0;
  for (let m = OPEN_TAG.exec(text); m && out.length < 32 && tags < 512; m = OPEN_TAG.exec(text), tags++) {
    if (!HIDDEN_ATTR.test(m[1]!)) continue;
    const after = m.index + m[0].length;
    const close = text.indexOf('</', after);
    out.push(text.slice(after, close < 0 ? Math.min(text.length, after + 2000) : Math.min(close, after + 2000)));
  }
  OPEN_TAG.lastIndex = 0;
  return out;
}

/**
 * Structure features of normalized text (lowercase, line breaks kept), in STRUCTURE_NAMES order.
 * Values are raw counts; the feature layer squashes them.
 */
export function structureFeatures(text: string, out: Float64Array, offset: number): void {
  const hasAngle = text.includes('<');
  const roleTurns = text.includes(':') || text.includes('>') || text.includes(']') ? count(lineMatches(ROLE_LINE, text)) : 0;
  out[offset] = roleTurns;
  out[offset + 1] = hasAngle || text.includes('[') || text.includes('###') ? count(allMatches(TEMPLATE_TOKEN, text)) : 0;
  out[offset + 2] = count(allMatches(BRACKETED, text));
  let policy = 0;
  if (hasAngle) policy += countNamed(allMatches(TAG, text));
  if (text.includes(':') || text.includes('=')) policy += countNamed(lineMatches(LINE_KEY, text));
  if (text.includes('":')) policy += countNamed(allMatches(QUOTED_KEY, text));
  if (text.includes('[')) policy += countNamed(lineMatches(SECTION, text));
  out[offset + 3] = policy;
  let hiddenProse = 0;
  let hiddenInstruction = 0;
  if (hasAngle) {
    for (const piece of hiddenPieces(text)) {
      const tokens = tokenize(piece);
      if (tokens.count >= 6) hiddenProse++;
      const scan = scanTokens(tokens);
      if (STRONG.some((i) => scan.rules[i]! > 0)) hiddenInstruction++;
    }
  }
  out[offset + 4] = hiddenProse;
  out[offset + 5] = hiddenInstruction;
  let exfilImages = 0;
  if (text.includes('![')) {
    IMAGE_WITH_QUERY.lastIndex = 0;
    for (let m = IMAGE_WITH_QUERY.exec(text); m && exfilImages < 16; m = IMAGE_WITH_QUERY.exec(text)) if (EXFIL_QUERY.test(m[1]!)) exfilImages++;
    IMAGE_WITH_QUERY.lastIndex = 0;
  }
  out[offset + 6] = exfilImages;
  out[offset + 7] = count(allMatches(PLACEHOLDER, text));
  out[offset + 8] = /["'“‘]/.test(text) ? count(allMatches(SAY_QUOTED, text)) : 0;
  // A fence line needs three of the same mark: look for one before running the line pattern.
  out[offset + 9] = /---|===|\*\*\*|___|####|~~~/.test(text) ? count(lineMatches(FENCE_LINE, text)) : 0;
  out[offset + 10] = text.includes('```') ? count(allMatches(CODE_FENCE, text)) : 0;
  out[offset + 11] = text.includes('@') || text.includes('://') ? count(allMatches(ADDRESS, text)) : 0;
  out[offset + 12] = text.includes('@') ? addressesWithQuote(text) : 0;
}
