/**
 * Finds payloads hidden in an encoding a model can still read (base64, hex, URL escapes, rot13,
 * reversed text, Morse code) and decodes them so they are scanned like any other text.
 *
 * Decoding is bounded: candidates per text, characters per candidate and characters decoded in
 * total are capped, and a decoded candidate is kept only when it reads as text (mostly printable
 * characters), so that hashes, keys, images and ids are skipped cheaply. Nesting is handled by the
 * caller, which decodes the decoded text again up to a depth limit.
 */

import { charCensus, letterGate, type CharCensus } from './char-census.ts';

export type PayloadEncoding = 'base64' | 'hex' | 'url-encoding' | 'rot13' | 'reversed' | 'morse';

export interface DecodedPayload {
  readonly encoding: PayloadEncoding;
  /** UTF-16 span of the encoded run in the text it was found in. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /**
   * The encoding hides words rather than serving a technical purpose: letters escaped in a URL,
   * prose inside base64 or hex, rot13 or reversed sentences. Evasion is itself a signal.
   */
  readonly evasive: boolean;
}

export interface DecodeLimits {
  readonly maxCandidates: number;
  readonly maxCandidateChars: number;
  /** Shared budget across all candidates of one scan, nested levels included. */
  readonly budget: { remaining: number };
}

// The lookbehinds make a failed attempt inside a run end at once instead of rescanning the run.
const HEX_RUN = /(?:\\x[0-9a-fA-F]{2}){6,}|(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}[ :]){7,}[0-9a-fA-F]{2}|(?<![0-9a-fA-F])[0-9a-fA-F]{16,}/g;
const URL_RUN = /(?:%[0-9a-fA-F]{2}[^%\s<>"']{0,4}){3,}/g;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Share of characters a reader would see as text, and share of letters/spaces among them. */
function readability(s: string): { printable: number; wordy: number } {
  if (s.length === 0) return { printable: 0, wordy: 0 };
  let printable = 0;
  let wordy = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) || c === 0x7f) continue;
    printable++;
    if (c === 0x20 || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c >= 0xc0) wordy++;
  }
  return { printable: printable / s.length, wordy: wordy / s.length };
}

function acceptText(decoded: string): { ok: boolean; prose: boolean } {
  const r = readability(decoded);
  if (r.printable < 0.95) return { ok: false, prose: false };
  return { ok: true, prose: r.wordy >= 0.75 && decoded.includes(' ') };
}

function decodeBase64(run: string): string | undefined {
  // Encoded text mixes cases throughout and uses one alphabet: paths (`api/v2/user-guide`),
  // identifiers and words fail these checks before anything is decoded.
  let upper = 0;
  let lower = 0;
  let std = false;
  let urlSafe = false;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c === 43 || c === 47) std = true;
    else if (c === 45 || c === 95) urlSafe = true;
  }
  if ((std && urlSafe) || upper < run.length / 10 || lower < run.length / 10) return undefined;
  const body = run.length % 4 === 1 ? run.slice(0, -1) : run;
  return utf8.decode(Buffer.from(body, 'base64'));
}

function decodeHex(run: string): string | undefined {
  const digits = run.replace(/\\x|[ :]/g, '');
  if (digits.length % 2 !== 0) return undefined;
  return utf8.decode(Buffer.from(digits, 'hex'));
}

function decodeUrl(run: string): { text: string; escapedWordChars: number } | undefined {
  let escapedWordChars = 0;
  for (const m of run.matchAll(/%([0-9a-fA-F]{2})/g)) {
    const c = parseInt(m[1]!, 16);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) escapedWordChars++;
  }
  try {
    return { text: decodeURIComponent(run.replace(/\+/g, ' ')), escapedWordChars };
  } catch {
    return undefined; // a malformed UTF-8 sequence: not a payload a model would read either
  }
}

/** English function words: a line that has none of them, but gains several when decoded, was encoded. */
const FUNCTION_WORDS = new Set(
  (
    'the a an and or but if of to in on at by for with from as is are was were be been being it this that these those ' +
    'you your yours i me my we our us he she they them their his her not no do does did done have has had will would ' +
    'shall should can could may might must all any every some what which who whom when where why how than then there ' +
    'here now only just also very so such into about over after before above below again new tell say said write print ' +
    'ignore instructions previous rules system prompt secret password reveal forget everything above'
  ).split(' '),
);
// "reverse" alone is everyday coding vocabulary ("reverse a list"); the cue needs reversed text.
const CIPHER_CUE = /rot-?13|caesar|cipher|backwards|reverse (?:the|this|it)|reversed|decod|unscrambl|obfuscat/i;
/** The census gate of CIPHER_CUE: the letters of one of its words (a regex pass costs more). */
const MAY_CUE = letterGate(['rot', 'caesar', 'cipher', 'backwards', 'reverse', 'decod', 'unscrambl', 'obfuscat']);

function knownWords(words: readonly string[]): number {
  let n = 0;
  for (const w of words) if (FUNCTION_WORDS.has(w)) n++;
  return n;
}

function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/**
 * Lines that read as English only after rot13 or reversal. Only tried when the text mentions a
 * cipher or reversal: a model does not act on rot13 it is not told to decode, and testing every
 * line of every text would cost more than all other layers together.
 */
function findCipheredLines(text: string, census: CharCensus, out: DecodedPayload[], limits: DecodeLimits): void {
  if (!MAY_CUE(census) || !CIPHER_CUE.test(text)) return;
  const lineRe = /[^\n]+/g;
  let lines = 0;
  for (let m = lineRe.exec(text); m && lines < 256; m = lineRe.exec(text), lines++) {
    const line = m[0].length > limits.maxCandidateChars ? m[0].slice(0, limits.maxCandidateChars) : m[0];
    const words = line.toLowerCase().match(/[a-z]{2,}/g);
    if (!words || words.length < 5) continue;
    const plain = knownWords(words);
    if (plain / words.length >= 0.2) continue;
    const tries: [PayloadEncoding, string][] = [
      ['rot13', rot13(line)],
      ['reversed', [...line].reverse().join('')],
    ];
    for (const [encoding, candidate] of tries) {
      const cw = candidate.toLowerCase().match(/[a-z]{2,}/g) ?? [];
      const hits = knownWords(cw);
      if (hits >= 3 && hits >= 2 * plain + 3 && hits / cw.length >= 0.35) {
        if (!take(limits, candidate.length)) return;
        out.push({ encoding, start: m.index, end: m.index + line.length, text: candidate, evasive: true });
        break;
      }
    }
  }
}

// International Morse code; dots and dashes also as the look-alikes people paste (·, •, −, –, —, _).
const MORSE: Readonly<Record<string, string>> = {
  '.-': 'a', '-...': 'b', '-.-.': 'c', '-..': 'd', '.': 'e', '..-.': 'f', '--.': 'g', '....': 'h', '..': 'i', '.---': 'j', '-.-': 'k',
  '.-..': 'l', '--': 'm', '-.': 'n', '---': 'o', '.--.': 'p', '--.-': 'q', '.-.': 'r', '...': 's', '-': 't', '..-': 'u', '...-': 'v',
  '.--': 'w', '-..-': 'x', '-.--': 'y', '--..': 'z', '-----': '0', '.----': '1', '..---': '2', '...--': '3', '....-': '4', '.....': '5',
  '-....': '6', '--...': '7', '---..': '8', '----.': '9', '.-.-.-': '.', '--..--': ',', '..--..': '?', '-.-.--': '!', '.----.': "'",
};
// Eight or more code groups in a row, separated by spaces, with "/" or "|" (or a wider gap) between words.
const MORSE_RUN = /(?:[.\-·•−–—_]{1,6}(?: {1,3}| ?[/|] ?)){7,}[.\-·•−–—_]{1,6}/g;

/** A Morse run as text, or undefined when a group is not a code (then it was not Morse). */
function decodeMorse(run: string): string | undefined {
  const plain = run.replace(/[·•]/g, '.').replace(/[−–—_]/g, '-');
  // Markdown table rules (| --- | --- |) and dotted leaders use one symbol: Morse text uses both.
  if (!plain.includes('.') || !plain.includes('-')) return undefined;
  const words = plain.trim().split(/ ?[/|] ?| {2,}/);
  let out = '';
  for (const w of words) {
    for (const g of w.split(' ')) {
      if (!g) continue;
      const c = MORSE[g];
      if (c === undefined) return undefined;
      out += c;
    }
    out += ' ';
  }
  out = out.trim();
  return new Set(out.replace(/ /g, '')).size >= 4 ? out : undefined;
}

function take(limits: DecodeLimits, chars: number): boolean {
  if (limits.budget.remaining < chars) return false;
  limits.budget.remaining -= chars;
  return true;
}

/**
 * Decoded payloads found directly in `text` (not nested ones). Spans refer to `text`.
 * @example findEncodedPayloads('run: aWdub3JlIGFsbCBydWxlcw==', limits) // [{ encoding: 'base64', text: 'ignore all rules', ... }]
 */
export function findEncodedPayloads(text: string, limits: DecodeLimits): DecodedPayload[] {
  const out: DecodedPayload[] = [];
  let candidates = 0;
  const hexSpans: [number, number][] = [];

  const consider = (encoding: PayloadEncoding, start: number, run: string, decoded: string | undefined, escapedWords = 0) => {
    if (decoded === undefined || decoded.length < 4) return;
    const verdict = acceptText(decoded);
    if (!verdict.ok || !take(limits, decoded.length)) return;
    const evasive = encoding === 'url-encoding' ? escapedWords >= 3 : verdict.prose;
    out.push({ encoding, start, end: start + run.length, text: decoded, evasive });
  };

  // Candidates come from the census pass the DLP gates share: no regular expression scans the
  // common text that has neither a long base64 run nor a hex run.
  const census = charCensus(text);
  if (census.hexRun || text.includes('\\x')) {
    for (const m of text.matchAll(HEX_RUN)) {
      if (++candidates > limits.maxCandidates) return out;
      const run = m[0].slice(0, limits.maxCandidateChars);
      hexSpans.push([m.index, m.index + m[0].length]);
      consider('hex', m.index, run, decodeHex(run));
    }
  }
  for (const [start, end] of census.base64Runs) {
    if (hexSpans.some(([s, e]) => start >= s && start < e)) continue;
    if (++candidates > limits.maxCandidates) return out;
    const run = text.slice(start, Math.min(end, start + limits.maxCandidateChars - (limits.maxCandidateChars % 4)));
    consider('base64', start, run, decodeBase64(run));
  }
  if (text.includes('%')) {
    for (const m of text.matchAll(URL_RUN)) {
      if (++candidates > limits.maxCandidates) return out;
      const run = m[0].slice(0, limits.maxCandidateChars);
      const d = decodeUrl(run);
      consider('url-encoding', m.index, run, d?.text, d?.escapedWordChars ?? 0);
    }
  }
  // Morse puts dots and dashes next to each other (".-", "-."), which prose, code and Markdown
  // rarely do; only then is the run pattern tried (it costs 8 % of a scan on every text with a dash).
  if (text.includes('.-') || text.includes('-.') || text.includes('·')) {
    for (const m of text.matchAll(MORSE_RUN)) {
      if (++candidates > limits.maxCandidates) return out;
      const run = m[0].slice(0, limits.maxCandidateChars);
      consider('morse', m.index, run, decodeMorse(run));
    }
  }
  findCipheredLines(text, census, out, limits);
  return out;
}
