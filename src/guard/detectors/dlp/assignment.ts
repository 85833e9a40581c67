/**
 * Parsing of `key = value` style assignments for the generic secret recognizer: the key name
 * around a keyword, the separator, and the value (quoted or bare). Everything is a bounded,
 * forward-only scan from a keyword hit, so the cost is linear in the text.
 */

export interface Assignment {
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly quoted: boolean;
  /** The separator was prose ("is", "was"), not an operator. */
  readonly prose: boolean;
}

const MAX_KEY = 64;
const MAX_VALUE = 256;

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

/** Splits a key name into lower-case words at `_`, `-`, `.` and camelCase boundaries. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_.-]+/)
    .filter((w) => w.length > 0);
}

/** The key name containing the keyword at [at, atEnd), or undefined when it is not a bounded identifier. */
export function keyAround(text: string, at: number, atEnd: number): [number, number] | undefined {
  let start = at;
  while (start > 0 && at - start < MAX_KEY && isKeyChar(text.charCodeAt(start - 1))) start--;
  let end = atEnd;
  while (end < text.length && end - start < MAX_KEY && isKeyChar(text.charCodeAt(end))) end++;
  if ((start > 0 && isKeyChar(text.charCodeAt(start - 1))) || (end < text.length && isKeyChar(text.charCodeAt(end)))) return undefined;
  return [start, end];
}

const OPERATOR = /^["'`]?[ \t]{0,5}(?::=|=>|=(?!=)|:(?![:/]))[ \t]{0,5}/;
const FLAG_SEPARATOR = /^(?:=| {1,3})/;
/** `KEY==value` in an env file is an assignment of "=value"; `key == "x"` (spaces, quote) is a comparison. */
const ENV_DOUBLE_EQUALS = /^=(?==[^\s="'])/;
/** "is"/"was" after the key, or after a short phrase naming what it is for ("password for the wifi is …"). */
const PROSE = /^(?:[ \t]{1,3}(?:for|to|of|on)[ \t][^\n.:=!?]{1,40}?)?[ \t]{1,3}(?:is|was|=|:)[ \t]{1,3}/i;
const BARE_VALUE = /^[^\s'"`,;&<>(){}[\]|]{1,256}/;
/** In prose ("my password is …") the value runs to the next space. */
const PROSE_VALUE = /^[^\s'"`]{1,128}/;

/** Reads the separator and value after the key [keyStart, keyEnd); undefined when there is none. */
export function assignmentAt(text: string, keyStart: number, keyEnd: number, allowProse: boolean): Assignment | undefined {
  const rest = text.slice(keyEnd, keyEnd + 16 + MAX_VALUE);
  const flag = text.startsWith('--', keyStart);
  let sep = OPERATOR.exec(rest) ?? ENV_DOUBLE_EQUALS.exec(rest) ?? (flag ? FLAG_SEPARATOR.exec(rest) : null);
  let prose = false;
  if (!sep && allowProse) {
    sep = PROSE.exec(rest);
    prose = sep !== null;
  }
  if (!sep) return undefined;
  let i = sep[0].length;
  const quote = rest[i];
  if (quote === '"' || quote === "'" || quote === '`') {
    const close = rest.indexOf(quote, i + 1);
    if (close === -1 || close - i - 1 > MAX_VALUE) return undefined;
    const value = rest.slice(i + 1, close);
    if (value.includes('\n')) return undefined;
    return { keyStart, keyEnd, valueStart: keyEnd + i + 1, valueEnd: keyEnd + close, quoted: true, prose };
  }
  const bare = (prose ? PROSE_VALUE : BARE_VALUE).exec(rest.slice(i));
  if (!bare) return undefined;
  let value = bare[0];
  // A call or an index (`password = getPassword()`) is code, not a literal.
  if (/^[([]/.test(rest[i + value.length] ?? '')) return undefined;
  // Sentence punctuation after a bare value is not part of it.
  if (prose || /[\s]/.test(rest[i + value.length] ?? ' ')) value = value.replace(/[.,:;]+$/, '');
  if (value.length === 0) return undefined;
  return { keyStart, keyEnd, valueStart: keyEnd + i, valueEnd: keyEnd + i + value.length, quoted: false, prose };
}
