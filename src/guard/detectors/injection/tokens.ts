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
const NON_ASCII = /[^\x00-\x7f]/;
const ANY_WORD = /[\p{L}\p{N}]+/gu;

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

/**
 * Words of lowercase normalized text: runs of a-z and 0-9 in ASCII text, runs of letters and
 * digits of any script otherwise.
 */
export function tokenize(text: string): Tokens {
  const cap = (text.length >> 1) + 1;
  const start = new Int32Array(cap);
  const end = new Int32Array(cap);
  const hash = new Int32Array(cap);
  let count = 0;
  if (!NON_ASCII.test(text)) {
    let h = WORD_BASIS;
    let s = -1;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 32;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (s < 0) {
          s = i;
          h = WORD_BASIS;
        }
        h = Math.imul(h ^ c, FNV_PRIME);
      } else if (s >= 0) {
        start[count] = s;
        end[count] = i;
        hash[count++] = h;
        s = -1;
      }
    }
  } else {
    ANY_WORD.lastIndex = 0;
    for (let m = ANY_WORD.exec(text); m; m = ANY_WORD.exec(text)) {
      start[count] = m.index;
      end[count] = m.index + m[0].length;
      hash[count++] = wordHash(m[0]);
    }
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
