/**
 * Perplexity proxies for optimized adversarial suffixes (GCG-style "token soup" appended to a
 * request): no language model is needed to notice that the tail of a prompt suddenly mixes
 * brackets into words, flips case mid-word, glues digits to letters and uses letter pairs that
 * natural text rarely has. Each signal is measured on the last words and contrasted with the
 * rest, because code pasted into a question is odd throughout, while a suffix is odd at the end.
 * Also: how much of the text is shouted in capitals.
 */

export const GIBBERISH_NAMES = [
  'weird-words-tail',
  'weird-words-contrast',
  'odd-punct-tail',
  'case-flips-tail',
  'bracket-imbalance-tail',
  'rare-bigrams-tail',
  'rare-bigrams-contrast',
  'uppercase-ratio',
  'shouting',
] as const;

const TAIL_WORDS = 24;

/** Letter pairs (a-z x a-z) rare in ordinary text, learned by the training script. */
export type RareBigrams = Uint8Array;

function isOdd(c: number): boolean {
  // [ ] { } < > \ | ^ ~ ` * # @ $ % & _ = +
  return (
    c === 91 || c === 93 || c === 123 || c === 125 || c === 60 || c === 62 || c === 92 || c === 124 || c === 94 || c === 126 ||
    c === 96 || c === 42 || c === 35 || c === 64 || c === 36 || c === 37 || c === 38 || c === 95 || c === 61 || c === 43
  );
}
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;

interface SpanStats {
  words: number;
  weird: number;
  odd: number;
  chars: number;
  flips: number;
  open: number;
  close: number;
  bigrams: number;
  rare: number;
}

const emptyStats = (): SpanStats => ({ words: 0, weird: 0, odd: 0, chars: 0, flips: 0, open: 0, close: 0, bigrams: 0, rare: 0 });
const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0;

/** Fills GIBBERISH_NAMES-ordered features of the raw text (case kept) into `out` from `offset`. */
export function gibberishFeatures(raw: string, rare: RareBigrams, out: Float64Array, offset: number): void {
  for (let i = 0; i < GIBBERISH_NAMES.length; i++) out[offset + i] = 0;
  // A suffix sits at the end: the last 800 characters are enough to see it against what precedes it.
  const sample = raw.length > 800 ? raw.slice(-800) : raw;
  const n = sample.length;
  let total = 0;
  for (let i = 0, inWord = false; i < n; i++) {
    const sp = isSpace(sample.charCodeAt(i));
    if (!sp && !inWord) total++;
    inWord = !sp;
  }
  const tailFrom = Math.max(Math.floor(total / 2), total - TAIL_WORDS);
  const head = emptyStats();
  const tail = emptyStats();
  let upper = 0;
  let letters = 0;
  let run = 0;
  let bestRun = 0;
  let index = -1;
  let i = 0;
  // Word by word, without allocating: each word's counts go to the head or the tail.
  while (i < n) {
    while (i < n && isSpace(sample.charCodeAt(i))) i++;
    if (i >= n) break;
    index++;
    const st = index >= tailFrom ? tail : head;
    let wl = 0;
    let wu = 0;
    let odd = 0;
    let digits = 0;
    let flip = 0;
    let prev = 0;
    const from = i;
    for (; i < n; i++) {
      const c = sample.charCodeAt(i);
      if (isSpace(c)) break;
      if (isOdd(c)) odd++;
      else if (isDigit(c)) digits++;
      const up = isUpper(c);
      if (up || isLower(c)) {
        if (up) wu++;
        else wl++;
        if (up && isLower(prev)) flip++;
        if (isUpper(prev) || isLower(prev)) {
          st.bigrams++;
          if (rare[((prev | 0x20) - 97) * 26 + ((c | 0x20) - 97)]) st.rare++;
        }
      }
      if (c === 40 || c === 91 || c === 123) st.open++;
      else if (c === 41 || c === 93 || c === 125) st.close++;
      prev = c;
    }
    const wordLetters = wl + wu;
    st.words++;
    st.chars += i - from;
    st.odd += odd;
    st.flips += flip;
    if (wordLetters > 0 && (odd > 0 || flip > 0 || (digits > 0 && wordLetters > 2))) st.weird++;
    upper += wu;
    letters += wordLetters;
    // Shouting is a run of capitalized words, not one acronym (`JSON`, `API`).
    if (wu >= 3 && wl === 0) bestRun = Math.max(bestRun, ++run);
    else if (wordLetters > 0) run = 0;
  }
  if (total >= 6) {
    const weirdTail = tail.weird / tail.words;
    const rareTail = tail.bigrams ? tail.rare / tail.bigrams : 0;
    out[offset] = weirdTail;
    out[offset + 1] = Math.max(0, weirdTail - head.weird / Math.max(1, head.words));
    out[offset + 2] = tail.chars ? tail.odd / tail.chars : 0;
    out[offset + 3] = tail.flips / tail.words;
    out[offset + 4] = Math.abs(tail.open - tail.close) / tail.words;
    out[offset + 5] = rareTail;
    out[offset + 6] = Math.max(0, rareTail - (head.bigrams ? head.rare / head.bigrams : 0));
  }
  out[offset + 7] = letters >= 20 ? upper / letters : 0;
  out[offset + 8] = bestRun >= 2 ? bestRun : 0;
}
