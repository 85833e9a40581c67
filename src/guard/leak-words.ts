/**
 * Words for the system-prompt leak scanner, read the same way on both sides (prompt and answer) so
 * that formatting cannot hide a copy: letters and digits only (punctuation, Markdown, bullets,
 * dashes and whitespace all separate words), lower-cased, NFKC-folded (fullwidth and mathematical
 * letters), confusable letters from other scripts folded to the Latin letter they imitate (UTS #39),
 * and invisible characters (zero-width, soft hyphen, bidi controls) skipped inside a word rather
 * than splitting it. List markers at the start of a line (`1.`, `a)`) are not words, so numbering
 * the lines of a prompt does not break its runs. Each word keeps its span in the original text.
 */
import table from 'unhomoglyph/data.json' with { type: 'json' };

export interface Words {
  readonly words: string[];
  readonly starts: number[];
  readonly ends: number[];
}

/** Confusable code point -> the one Latin letter or digit it imitates. */
const FOLD = new Map<number, string>();
for (const [from, to] of Object.entries(table as Record<string, string>)) {
  const cp = from.codePointAt(0)!;
  if (cp < 0x80 || from.length !== String.fromCodePoint(cp).length) continue;
  const target = to.toLowerCase();
  if (/^[a-z0-9]$/.test(target)) FOLD.set(cp, target);
}

const WORD = /[\p{L}\p{N}\p{M}]/u;
const INVISIBLE = /[\p{Cf}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0]/u;

/** 0: separator, 1: word character, 2: invisible (skipped, does not end a word). */
function kind(ch: string, cp: number): 0 | 1 | 2 {
  if (cp < 0x80) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) ? 1 : 0;
  if (WORD.test(ch)) return 1;
  return INVISIBLE.test(ch) ? 2 : 0;
}

/** One word character, folded: ASCII lower-cased directly, others NFKC + lower case + confusables. */
function fold(ch: string, cp: number): string {
  if (cp < 0x80) return cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : ch;
  let out = '';
  // The table lists some capitals without their small form (Cyrillic `З` -> `3`), so look up before lower-casing.
  for (const c of ch.normalize('NFKC')) out += FOLD.get(c.codePointAt(0)!) ?? FOLD.get(c.toLowerCase().codePointAt(0)!) ?? c.toLowerCase();
  return out;
}

/** Whether the word [start, end) is a list marker: first on its line (after bullets), short, then `.` or `)`. */
function isListMarker(text: string, start: number, end: number, word: string): boolean {
  if (word.length > 3 || !/^(?:\d{1,3}|[a-z])$/.test(word)) return false;
  const after = text[end];
  if (after !== '.' && after !== ')') return false;
  for (let i = start - 1; i >= 0; i--) {
    const ch = text[i]!;
    if (ch === '\n') return true;
    if (!' \t>*+-•'.includes(ch)) return false;
  }
  return true;
}

/**
 * The words of `text` with their spans.
 * @example
 *   readWords('**You** are — a Ｂot') // { words: ['you', 'are', 'a', 'bot'], starts: [2, 8, 14, 16], ends: [5, 11, 15, 19] }
 */
export function readWords(text: string): Words {
  const words: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let cur = '';
  let start = -1;
  let end = -1;
  const flush = () => {
    if (cur && !isListMarker(text, start, end, cur)) {
      words.push(cur);
      starts.push(start);
      ends.push(end);
    }
    cur = '';
    start = -1;
  };
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = width === 2 ? text.slice(i, i + 2) : text[i]!;
    const k = kind(ch, cp);
    if (k === 1) {
      if (start < 0) start = i;
      cur += fold(ch, cp);
      end = i + width;
    } else if (k === 0) flush();
    i += width;
  }
  flush();
  return { words, starts, ends };
}

/**
 * Words too common to show a leak by themselves: English function words and the boilerplate every
 * system prompt shares ("you are a helpful assistant, answer the user's questions"). A run made
 * only of these is not reported, however long.
 */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also always am an and any are as at be because been before being below between both but by can ' +
    'cannot could did do does doing don down during each either else ever every few for from further get give given had has have having he her ' +
    'here hers herself him himself his how i if in into is it its itself just let like ll make may me might more most must my myself never no ' +
    'nor not now of off on once one only or other our ours ourselves out over own please re s same shall she should so some such t than that the ' +
    'their theirs them themselves then there these they this those through to too under until up us use ve very was we were what when where ' +
    'which while who whom why will with would yes yet you your yours yourself yourselves ' +
    'ai assistant assistants answer answers answering help helpful helping harmless honest user users question questions respond response ' +
    'responses reply concise concisely clear clearly polite friendly accurate accurately model language chatbot bot today information ask asked'
  ).split(' '),
);

/** Whether a word says something specific (not a common word, not a lone letter or short number). */
export function isContentWord(w: string): boolean {
  return w.length >= 3 && !COMMON_WORDS.has(w);
}
