/**
 * Word boundaries and word hashes of a normalized text, computed once and shared by the lexical
 * rules and the hashed n-gram features. No substring is allocated: words are spans of the text and
 * are looked up by hash (FNV-1a), which is also the hash of their unigram feature.
 */

export interface Tokens {
  readonly count: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly hash: Int32Array;
}

const WORD_BASIS = 0x9747b28c;
const FNV_PRIME = 0x01000193;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/** Letters and digits beyond ASCII, classified once per code point. */
const wordCodePoints = new Map<number, boolean>();

function isWordCodePoint(cp: number): boolean {
  let v = wordCodePoints.get(cp);
  if (v === undefined) {
    v = LETTER_OR_DIGIT.test(String.fromCodePoint(cp));
    // Bounded: a text of random code points must not grow the cache without limit.
    if (wordCodePoints.size < 65_536) wordCodePoints.set(cp, v);
  }
  return v;
}

/** FNV-1a of a string, as the tokenizer computes it for a word. */
export function wordHash(word: string): number {
  let h = WORD_BASIS;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Hash of a word sequence, from the hashes of its words (used for phrases and bigrams). */
export function combineHash(a: number, b: number): number {
  return Math.imul(a, 0x2127599b) ^ b;
}

let shared = { start: new Int32Array(1024), end: new Int32Array(1024), hash: new Int32Array(1024) };

/**
 * Words of normalized text: runs of letters and digits of any script (Unicode L and N). With `reuse`, the arrays are shared buffers overwritten by the
 * next reusing call (the feature extractor's main text, the hot path); other callers get their own.
 */
export function tokenize(text: string, reuse = false): Tokens {
  const cap = (text.length >> 1) + 1;
  if (reuse && shared.start.length < cap) {
    let n = shared.start.length;
    while (n < cap) n *= 2;
    shared = { start: new Int32Array(n), end: new Int32Array(n), hash: new Int32Array(n) };
  }
  const start = reuse ? shared.start : new Int32Array(cap);
  const end = reuse ? shared.end : new Int32Array(cap);
  const hash = reuse ? shared.hash : new Int32Array(cap);
  let count = 0;
  let h = WORD_BASIS;
  let s = -1;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    let width = 1;
    let isWord: boolean;
    if (c < 0x80) isWord = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      width = 2;
      isWord = isWordCodePoint(text.codePointAt(i)!);
    } else isWord = isWordCodePoint(c);
    if (isWord) {
      if (s < 0) {
        s = i;
        h = WORD_BASIS;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      if (width === 2) h = Math.imul(h ^ text.charCodeAt(i + 1), FNV_PRIME);
    } else if (s >= 0) {
      start[count] = s;
      end[count] = i;
      hash[count++] = h;
      s = -1;
    }
    i += width - 1;
  }
  return { count, start, end, hash };
}

/** Tokens of a list of words (for callers that already have words, e.g. tests). */
export function tokensOf(words: readonly string[]): Tokens {
  const n = words.length;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const hash = new Int32Array(n);
  for (let i = 0; i < n; i++) hash[i] = wordHash(words[i]!);
  return { count: n, start, end, hash };
}
