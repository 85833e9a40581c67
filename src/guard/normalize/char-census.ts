/**
 * One pass over a text that answers what several layers ask before they run a pattern at all:
 * the DLP recognizers' gates (a card needs 12 digits, a provider token a run of 16 token
 * characters) and the payload finder's candidates (runs long enough to be base64, a hex run). A
 * hand loop over a class table, because a regex for "16 in a row" restarts inside every shorter
 * word (measured 2.5× slower on prose), and one loop instead of one per layer because each such
 * loop is a few µs per 2 KB, a noticeable share of a whole scan.
 *
 * The census of the text last asked about is remembered: the engine hands the same string to
 * every detector in turn (a pure memo, the answer depends only on the text).
 */

export interface CharCensus {
  /** ASCII digits. */
  readonly digits: number;
  /** ASCII capital letters. */
  readonly uppers: number;
  /** Seven digits in a row somewhere (bare national ids, unformatted numbers). */
  readonly digitRun7: boolean;
  /**
   * The shortest stretch of the text holding 6, 9 and 12 ASCII digits, in code units (Infinity
   * when it has fewer). A pattern for nine digits with at most two separators needs `digitSpan9`
   * ≤ 11: prose with a version number here and a time there is ruled out without a regex pass.
   */
  readonly digitSpan6: number;
  readonly digitSpan9: number;
  readonly digitSpan12: number;
  /**
   * A run of 16 token characters (letters, digits, `_-+/=.~:`) somewhere. Every provider token
   * is at least that long; prose words and most code identifiers are not.
   */
  readonly longToken: boolean;
  /**
   * Runs of 16 or more characters of the base64 or base64url alphabet, each with up to two `=` of
   * padding, as [start, end) spans, in order; at most MAX_BASE64_RUNS of them.
   */
  readonly base64Runs: readonly (readonly [number, number])[];
  /** 16 hex digits in a row, or separated only by spaces and colons (`49 67 6e …`, `de:ad:be:ef…`). */
  readonly hexRun: boolean;
  /** Any code unit outside ASCII: without one, Unicode normalization has nothing to do. */
  readonly nonAscii: boolean;
  /**
   * Two spaces in a row or an ASCII control character (tab, line break): whitespace that
   * normalization rewrites. Without it (and without non-ASCII), there is nothing to collapse.
   */
  readonly oddSpacing: boolean;
  /**
   * Which table of letter trigrams is this text's (see `letterTrigrams`): the census of each new
   * text overwrites one shared table, so a census taken earlier no longer has one.
   */
  readonly trigramsOf: number;
  /** Bit `letter & 31` set for every run of exactly one ASCII letter ("d" in "d.o.b"). */
  readonly singles: number;
}

export const MAX_BASE64_RUNS = 1024;

/** Texts above this size are counted each time rather than kept alive by the memo. */
const MEMO_LIMIT = 1 << 24;

const HEX = 1;
const B64 = 2;
/** Keeps a hex run going (space, colon). */
const KEEP = 4;
const TOKEN = 8;
const DIGIT = 16;
const UPPER = 32;
const NON_ASCII = 64;
const LETTER = 128;

/** Classes by UTF-16 code unit (anything outside ASCII is none of them). */
const CLASS = new Uint8Array(65536).fill(NON_ASCII, 128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | HEX | B64 | TOKEN;
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER | UPPER | B64 | TOKEN | (c <= 70 ? HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER | B64 | TOKEN | (c <= 102 ? HEX : 0);
for (const ch of '+/_-') CLASS[ch.charCodeAt(0)] = B64 | TOKEN;
for (const ch of '=.~') CLASS[ch.charCodeAt(0)] = TOKEN;
CLASS[58] = TOKEN | KEEP; // ':'
CLASS[32] = KEEP; // ' '

/**
 * The letter trigrams of the text last counted, case folded: bit `code` set for every three ASCII
 * letters in a row (`code` = `(a & 31) << 10 | (b & 31) << 5 | (c & 31)`), and for the first one
 * and two letters of each run of letters (with zeros in front). Exact, not hashed: 2^15 bits.
 * One table, cleared for each text: a table per census cost more in allocation and collection
 * (about 2 µs per 2 KB) than filling it.
 */
const trigrams = new Uint32Array(1024);
let trigramsOf = 0;

/** The trigram table of `census`'s text, or null when a later census has overwritten it. */
export function letterTrigrams(census: CharCensus): Uint32Array | null {
  return census.trigramsOf === trigramsOf ? trigrams : null;
}

/** Positions of the last 16 digits seen, for the digit spans. */
const digitAt = new Int32Array(16);

let lastText: string | undefined;
let lastCensus: CharCensus | undefined;

/**
 * @example charCensus('card 4111 1111 1111 1111').digits // 16
 */
export function charCensus(text: string): CharCensus {
  if (text === lastText && lastCensus) return lastCensus;
  let digits = 0;
  let uppers = 0;
  let token = 0;
  let digitRun = 0;
  let b64 = 0;
  let hex = 0;
  let longToken = false;
  let digitRun7 = false;
  let hexRun = false;
  let nonAscii = false;
  let oddSpacing = false;
  let digitSpan6 = Infinity;
  let digitSpan9 = Infinity;
  let digitSpan12 = Infinity;
  let tri = 0;
  let singles = 0;
  trigrams.fill(0);
  trigramsOf++;
  const base64Runs: [number, number][] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = CLASS[c]!;
    if (k & LETTER) {
      tri = ((tri << 5) | (c & 31)) & 0x7fff;
      trigrams[tri >>> 5]! |= 1 << (tri & 31);
    } else if (tri !== 0) {
      if (tri < 32) singles |= 1 << tri;
      tri = 0;
    }
    if (k & TOKEN) token++;
    else {
      if (token >= 16) longToken = true;
      token = 0;
      if (c <= 32 && (c < 32 || text.charCodeAt(i - 1) === 32)) oddSpacing = true;
    }
    if (k & DIGIT) {
      digitAt[digits & 15] = i;
      digits++;
      if (digits >= 6) {
        digitSpan6 = Math.min(digitSpan6, i - digitAt[(digits - 6) & 15]! + 1);
        if (digits >= 9) {
          digitSpan9 = Math.min(digitSpan9, i - digitAt[(digits - 9) & 15]! + 1);
          if (digits >= 12) digitSpan12 = Math.min(digitSpan12, i - digitAt[(digits - 12) & 15]! + 1);
        }
      }
      if (++digitRun >= 7) digitRun7 = true;
    } else {
      digitRun = 0;
      if (k & UPPER) uppers++;
    }
    if (k & B64) {
      b64++;
      if (k & HEX) {
        if (++hex >= 16) hexRun = true;
      } else hex = 0;
      continue;
    }
    if (b64 >= 16 && base64Runs.length < MAX_BASE64_RUNS) {
      let end = i;
      while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++;
      base64Runs.push([i - b64, end]);
    }
    b64 = 0;
    if (!(k & KEEP)) hex = 0;
    if (k & NON_ASCII) nonAscii = true;
  }
  if (b64 >= 16 && base64Runs.length < MAX_BASE64_RUNS) base64Runs.push([n - b64, n]);
  if (tri !== 0 && tri < 32) singles |= 1 << tri;
  const census: CharCensus = { digits, uppers, digitRun7, digitSpan6, digitSpan9, digitSpan12, longToken: longToken || token >= 16, base64Runs, hexRun, nonAscii, oddSpacing, trigramsOf, singles };
  if (n <= MEMO_LIMIT) {
    lastText = text;
    lastCensus = census;
  }
  return census;
}

/** One alternative of a gate: all of these must occur. */
export interface GateTerm {
  /** ASCII words of three letters or more, each of whose trigrams must occur in a letter run. */
  readonly words?: readonly string[];
  /** ASCII letters that must each occur as a run of one letter. */
  readonly singles?: readonly string[];
}

function codesOf(word: string): number[] {
  if (!/^[a-z]{3,}$/i.test(word)) throw new Error(`letterGate: "${word}" is not three ASCII letters or more`);
  const codes: number[] = [];
  for (let i = 2; i < word.length; i++) codes.push(((word.charCodeAt(i - 2) & 31) << 10) | ((word.charCodeAt(i - 1) & 31) << 5) | (word.charCodeAt(i) & 31));
  return codes;
}

/**
 * A test that rules a text out before a pattern runs over it: false only when none of the terms
 * can occur in the text, judged from the census's letter trigrams (any text with a character
 * outside ASCII passes, since case-insensitive matching and normalization reach beyond ASCII
 * letters there; so does a census whose trigram table a later one has overwritten). A pattern looking for `password|secret` over every text costs a regex pass of a
 * few µs per 2 KB; the gate costs a few bit tests on the census the scan takes anyway. Gates must
 * be conservative: every text the pattern could match has to pass.
 *
 * @example letterGate([{ words: ['password'] }, { words: ['secret'] }])(charCensus('my secret is')) // true
 */
export function letterGate(terms: readonly (GateTerm | string)[]): (census: CharCensus) => boolean {
  const compiled = terms.map((t) => {
    const term = typeof t === 'string' ? { words: [t] } : t;
    const codes = (term.words ?? []).flatMap(codesOf);
    let singles = 0;
    for (const l of term.singles ?? []) {
      if (!/^[a-z]$/i.test(l)) throw new Error(`letterGate: single "${l}" is not one ASCII letter`);
      singles |= 1 << (l.charCodeAt(0) & 31);
    }
    return { codes, singles };
  });
  return (census) => {
    const grams = letterTrigrams(census);
    if (census.nonAscii || grams === null) return true;
    next: for (const { codes, singles } of compiled) {
      if ((census.singles & singles) !== singles) continue;
      for (const code of codes) if ((grams[code >>> 5]! & (1 << (code & 31))) === 0) continue next;
      return true;
    }
    return false;
  };
}
