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
const MIN_WORDS = 12;
const SAMPLE_CHARS = 480;

/** Fewest letter pairs the rare-pair share of a tail is divided by. */
const MIN_TAIL_BIGRAMS = 40;

/** Letter pairs (a-z x a-z) rare in ordinary text, learned by the training script. */
export type RareBigrams = Uint8Array;

// Character classes of ASCII, looked up once per character (bit flags).
const SPACE = 1;
const ODD = 2; // [ ] { } < > \ | ^ ~ ` * # @ $ % & _ = +
const UPPER = 4;
const LOWER = 8;
const DIGIT = 16;
const OPEN = 32; // ( [ {
const CLOSE = 64; // ) ] }
const CLASS = new Uint8Array(128);
for (const c of [32, 10, 9, 13, 12, 11]) CLASS[c] = SPACE;
for (const ch of '[]{}<>\\|^~`*#@$%&_=+') CLASS[ch.charCodeAt(0)]! |= ODD;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER;
for (let c = 97; c <= 122; c++) CLASS[c] = LOWER;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (const ch of '([{') CLASS[ch.charCodeAt(0)]! |= OPEN;
for (const ch of ')]}') CLASS[ch.charCodeAt(0)]! |= CLOSE;
const classOf = (c: number) => (c < 128 ? CLASS[c]! : c === 0xa0 ? SPACE : 0);

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

/** Fills GIBBERISH_NAMES-ordered features of the raw text (case kept) into `out` from `offset`. */
export function gibberishFeatures(raw: string, rare: RareBigrams, out: Float64Array, offset: number): void {
  for (let i = 0; i < GIBBERISH_NAMES.length; i++) out[offset + i] = 0;
  // A suffix sits at the end: the last 480 characters (optimized suffixes are 20-40 tokens) are
  // enough to see it against what precedes it.
  const sample = raw.length > SAMPLE_CHARS ? raw.slice(-SAMPLE_CHARS) : raw;
  const n = sample.length;
  let total = 0;
  for (let i = 0, inWord = false; i < n; i++) {
    const sp = classOf(sample.charCodeAt(i)) === SPACE;
    if (!sp && !inWord) total++;
    inWord = !sp;
  }
  const tailFrom = Math.max(Math.floor(total / 2), total - TAIL_WORDS);
  const head = emptyStats();
  const tail = emptyStats();
  let upper = 0;
  let letters = 0;
  let accented = 0;
  let run = 0;
  let bestRun = 0;
  let index = -1;
  let i = 0;
  // Word by word, without allocating: each word's counts go to the head or the tail.
  while (i < n) {
    while (i < n && classOf(sample.charCodeAt(i)) === SPACE) i++;
    if (i >= n) break;
    index++;
    const st = index >= tailFrom ? tail : head;
    let wl = 0;
    let wu = 0;
    let odd = 0;
    let digits = 0;
    let flip = 0;
    let prevClass = 0;
    let prev = 0;
    let bigrams = 0;
    let rarePairs = 0;
    const from = i;
    for (; i < n; i++) {
      const c = sample.charCodeAt(i);
      const k = classOf(c);
      if (k === SPACE) break;
      if ((c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff)) accented++;
      if ((k & ODD) !== 0) odd++;
      else if (k === DIGIT) digits++;
      if ((k & (UPPER | LOWER)) !== 0) {
        if (k === UPPER) {
          wu++;
          if (prevClass === LOWER) flip++;
        } else wl++;
        if ((prevClass & (UPPER | LOWER)) !== 0) {
          bigrams++;
          if (rare[((prev | 0x20) - 97) * 26 + ((c | 0x20) - 97)]) rarePairs++;
        }
      }
      if ((k & OPEN) !== 0) st.open++;
      else if ((k & CLOSE) !== 0) st.close++;
      prev = c;
      prevClass = k;
    }
    const wordLetters = wl + wu;
    st.words++;
    st.chars += i - from;
    st.odd += odd;
    st.flips += flip;
    // A code of capitals and digits (a serial, a plate, an id: `BOXW310820HNERXN09`, `KA01AB1234,`)
    // is random by design, not an optimized suffix: its letters are no evidence either way.
    if (wl === 0 && digits > 0 && wu > 0 && wu + digits >= 5 && i - from - wu - digits <= 1) continue;
    st.bigrams += bigrams;
    st.rare += rarePairs;
    if (wordLetters > 0 && (odd > 0 || flip > 0 || (digits > 0 && wordLetters > 2))) st.weird++;
    upper += wu;
    letters += wordLetters;
    // Shouting is a run of capitalized words, not one acronym (`JSON`, `API`).
    if (wu >= 3 && wl === 0) bestRun = Math.max(bestRun, ++run);
    else if (wordLetters > 0) run = 0;
  }
  // A suffix is a dozen tokens or more after a request: shorter texts (a question in German, a
  // product code) are not measured, their letter pairs say more about their language than their intent.
  if (total >= MIN_WORDS) {
    const weirdTail = tail.weird / tail.words;
    // Shrunk when the tail has few letter pairs (a tail of numbers and one unusual name): an
    // optimized suffix of 20–40 tokens has well over forty.
    const rareTail = tail.bigrams ? tail.rare / Math.max(tail.bigrams, MIN_TAIL_BIGRAMS) : 0;
    out[offset] = weirdTail;
    out[offset + 1] = Math.max(0, weirdTail - head.weird / Math.max(1, head.words));
    out[offset + 2] = tail.chars ? tail.odd / tail.chars : 0;
    out[offset + 3] = tail.flips / tail.words;
    out[offset + 4] = Math.abs(tail.open - tail.close) / tail.words;
    // Letter pairs are rare or common in English. In a language written with many accented
    // letters (Vietnamese, Czech, Polish) the ASCII pairs left between them are another
    // language's, and rare to English: that is no suffix (optimized suffixes are ASCII).
    if (accented <= 0.1 * (letters + accented)) {
      out[offset + 5] = rareTail;
      out[offset + 6] = Math.max(0, rareTail - (head.bigrams ? head.rare / head.bigrams : 0));
    }
  }
  out[offset + 7] = letters >= 20 ? upper / letters : 0;
  out[offset + 8] = bestRun >= 2 ? bestRun : 0;
}
