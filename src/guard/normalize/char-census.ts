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

/** Classes by UTF-16 code unit (anything outside ASCII is none of them). */
const CLASS = new Uint8Array(65536).fill(NON_ASCII, 128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | HEX | B64 | TOKEN;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER | B64 | TOKEN | (c <= 70 ? HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = B64 | TOKEN | (c <= 102 ? HEX : 0);
for (const ch of '+/_-') CLASS[ch.charCodeAt(0)] = B64 | TOKEN;
for (const ch of '=.~') CLASS[ch.charCodeAt(0)] = TOKEN;
CLASS[58] = TOKEN | KEEP; // ':'
CLASS[32] = KEEP; // ' '

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
  const base64Runs: [number, number][] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const k = CLASS[text.charCodeAt(i)]!;
    if (k & TOKEN) token++;
    else {
      if (token >= 16) longToken = true;
      token = 0;
    }
    if (k & DIGIT) {
      digits++;
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
  const census: CharCensus = { digits, uppers, digitRun7, longToken: longToken || token >= 16, base64Runs, hexRun, nonAscii };
  if (n <= MEMO_LIMIT) {
    lastText = text;
    lastCensus = census;
  }
  return census;
}
