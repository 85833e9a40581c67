/**
 * Turns one normalized text into the model's input: hashed character 4-grams within words and
 * word uni/bigrams (the "hashing trick": no vocabulary to ship, unseen words still land in a bucket),
 * plus named dense features from the heuristic layers. Training and inference both call this
 * function, so the model is scored on exactly the features it was trained on.
 */
import type { NormalizedText, Transform } from '../../normalize/normalize.ts';
import { COUNT_NAMES, RULE_NAMES, scanTokens, type LexicalScan } from './lexical-rules.ts';
import { combineHash, tokenize } from './tokens.ts';
import { GIBBERISH_NAMES, gibberishFeatures, type RareBigrams } from './gibberish.ts';
import { STRUCTURE_NAMES, structureFeatures } from './structure.ts';

/**
 * 2^17 buckets: the weights (0.4 MB as int8) and the dedupe table stay in the CPU cache, which made
 * scoring 10-20% faster than 2^18 with no measurable loss on the development set.
 */
export const HASH_BITS = 17;
export const BUCKETS = 1 << HASH_BITS;
const MASK = BUCKETS - 1;

const TRANSFORMS: readonly Transform[] = [
  'invisible-characters',
  'bidi-controls',
  'tag-characters',
  'variation-selectors',
  'compatibility-forms',
  'combining-marks',
  'homoglyphs',
  'letter-spacing',
  'leetspeak',
];

const COMBOS = ['framed-harm', 'persona-harm', 'pretext-harm', 'leverage-harm', 'harm-density', 'encoded-prose', 'role-harm'] as const;

/**
 * How a unit relates to the text around it. `language-mix` is measured on the unit itself; the
 * two shifts compare a window of a document with the document's other windows and are filled in
 * by `contextFeatures` once every window has been read (zero elsewhere).
 */
export const CONTEXT_NAMES = ['language-mix', 'language-shift', 'address-shift'] as const;

export const DENSE_NAMES: readonly string[] = [
  ...RULE_NAMES.map((n) => `rule:${n}`),
  ...COUNT_NAMES.map((n) => `count:${n}`),
  ...STRUCTURE_NAMES.map((n) => `structure:${n}`),
  ...GIBBERISH_NAMES.map((n) => `gibberish:${n}`),
  ...TRANSFORMS.map((n) => `evasion:${n}`),
  ...COMBOS.map((n) => `combo:${n}`),
  ...CONTEXT_NAMES.map((n) => `context:${n}`),
];
export const DENSE = DENSE_NAMES.length;

const RULES_AT = 0;
const COUNTS_AT = RULES_AT + RULE_NAMES.length;
const STRUCTURE_AT = COUNTS_AT + COUNT_NAMES.length;
const GIBBERISH_AT = STRUCTURE_AT + STRUCTURE_NAMES.length;
const TRANSFORMS_AT = GIBBERISH_AT + GIBBERISH_NAMES.length;
const COMBOS_AT = TRANSFORMS_AT + TRANSFORMS.length;
export const CONTEXT_AT = COMBOS_AT + COMBOS.length;
const count = (name: string) => COUNTS_AT + COUNT_NAMES.indexOf(name);

/** Raw counts are squashed so that one hit matters and the tenth adds little. */
function squash(x: number, cap: number): number {
  return x <= 0 ? 0 : Math.min(1, Math.log1p(x) / Math.log1p(cap));
}

export interface Features {
  /** Distinct bucket ids, `length` valid entries (a view of a reused buffer: copy before keeping). */
  readonly buckets: Int32Array;
  readonly length: number;
  readonly dense: Float64Array;
  readonly lexical: LexicalScan;
}

let scratch = new Int32Array(1 << 16);
/**
 * Bucket -> stamp of the last text that used it, to keep each bucket once per text in O(1). One
 * byte per bucket keeps the table small enough to stay in cache; stamps wrap every 255 texts.
 */
const seenIn = new Uint8Array(BUCKETS);
let textId = 0;

function grow(need: number): void {
  if (need <= scratch.length) return;
  let n = scratch.length;
  while (n < need) n *= 2;
  scratch = new Int32Array(n);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & MASK;
}

export interface FeatureInput {
  readonly normalized: NormalizedText;
  /** The text before normalization (case and punctuation kept) for the gibberish layer. */
  readonly raw: string;
  /** Prose was found inside an encoding in this text. */
  readonly encodedProse: boolean;
  /**
   * Measure the adversarial-suffix (gibberish) signals. Off for documents: a suffix is typed at
   * the model in a prompt, while pages and tool results are full of code, badges and markup that
   * look the same to these proxies (they were the main false alarms on real READMEs).
   */
  readonly suffixSignals?: boolean;
}

/**
 * @example const f = extractFeatures({ normalized: normalizeText(t), raw: t, encodedProse: false }, rare);
 */
export function extractFeatures(input: FeatureInput, rare: RareBigrams): Features {
  const text = input.normalized.text;
  const tokens = tokenize(text, true);
  const nw = tokens.count;
  grow(3 * (text.length + 2 * nw + 2) + 2 * nw + 8);
  const out = scratch;
  let k = 0;
  // Each bucket counts once per text (binary features): a long text repeating common words must
  // not outweigh a short one that says something unusual.
  textId = textId === 255 ? 1 : textId + 1;
  if (textId === 1) seenIn.fill(0);
  // Character 4-grams inside words, each word padded with a space on both sides ("char_wb"):
  // punctuation and layout are left to the structure features, so the n-grams learn wording,
  // not the formatting habits of whoever wrote the training corpus.
  // 4-grams only: with word unigrams and bigrams they scored as well as 3-5-grams on the
  // development set, at about half the features and time. The window slides over the padded word,
  // reading each character once; the hash is FNV-1a of the four characters.
  for (let t = 0; t < nw; t++) {
    const ws = tokens.start[t]!;
    const we = tokens.end[t]!;
    if (we - ws < 2) continue; // " a " has no 4-gram
    let c0 = 32;
    let c1 = text.charCodeAt(ws);
    let c2 = text.charCodeAt(ws + 1);
    for (let p = ws + 2; p <= we; p++) {
      const c3 = p === we ? 32 : text.charCodeAt(p);
      const h = Math.imul(Math.imul(Math.imul(Math.imul(0x811c9dc5 ^ c0, 0x01000193) ^ c1, 0x01000193) ^ c2, 0x01000193) ^ c3, 0x01000193);
      const b = mix(h);
      if (seenIn[b] !== textId) {
        seenIn[b] = textId;
        out[k++] = b;
      }
      c0 = c1;
      c1 = c2;
      c2 = c3;
    }
  }
  // Word unigrams and bigrams, from the word hashes the tokenizer computed.
  for (let i = 0; i < nw; i++) {
    const h = tokens.hash[i]!;
    const u = mix(h ^ 0x5bd1e995);
    if (seenIn[u] !== textId) {
      seenIn[u] = textId;
      out[k++] = u;
    }
    if (i > 0) {
      const bi = mix(combineHash(tokens.hash[i - 1]!, h) ^ 0x27d4eb2f);
      if (seenIn[bi] !== textId) {
        seenIn[bi] = textId;
        out[k++] = bi;
      }
    }
  }

  const dense = new Float64Array(DENSE);
  const lexical = scanTokens(tokens);
  for (let i = 0; i < RULE_NAMES.length; i++) dense[RULES_AT + i] = squash(lexical.rules[i]!, 4);
  for (let i = 0; i < COUNT_NAMES.length; i++) dense[COUNTS_AT + i] = squash(lexical.counts[i]!, 6);
  structureFeatures(text, dense, STRUCTURE_AT);
  dense[STRUCTURE_AT] = squash(dense[STRUCTURE_AT]!, 24); // role turns: many-shot dialogues have dozens
  for (let i = 1; i < STRUCTURE_NAMES.length; i++) dense[STRUCTURE_AT + i] = squash(dense[STRUCTURE_AT + i]!, 6);
  if (input.suffixSignals !== false) gibberishFeatures(input.raw, rare, dense, GIBBERISH_AT);
  for (let i = 0; i < GIBBERISH_NAMES.length; i++) {
    const v = dense[GIBBERISH_AT + i]!;
    dense[GIBBERISH_AT + i] = GIBBERISH_NAMES[i] === 'shouting' ? squash(v, 8) : Math.min(1, v * 2);
  }
  for (let i = 0; i < TRANSFORMS.length; i++) dense[TRANSFORMS_AT + i] = input.normalized.transforms.has(TRANSFORMS[i]!) ? 1 : 0;
  const harm = lexical.counts[COUNT_NAMES.indexOf('harm')]! > 0 ? 1 : 0;
  const has = (name: string) => (dense[count(name)]! > 0 ? 1 : 0);
  dense[COMBOS_AT] = harm * has('frame');
  dense[COMBOS_AT + 1] = harm * Math.max(has('persona'), has('role-noun'));
  dense[COMBOS_AT + 2] = harm * has('pretext');
  dense[COMBOS_AT + 3] = harm * has('leverage');
  dense[COMBOS_AT + 4] = nw ? Math.min(1, (10 * lexical.counts[COUNT_NAMES.indexOf('harm')]!) / nw) : 0;
  dense[COMBOS_AT + 5] = input.encodedProse ? 1 : 0;
  // A role handed to the model ("you are a consultant ...") around a harmful deliverable.
  dense[COMBOS_AT + 6] = harm * has('role-setup');
  dense[CONTEXT_AT] = languageMix(lexical.langs);
  return { buckets: out, length: k, dense, lexical };
}

/**
 * Share of the second language among the text's function words (0 for one language); a stray
 * foreign word or two (a quoted name, a URL) does not count.
 */
function languageMix(langs: Int32Array): number {
  let total = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < langs.length; i++) {
    const c = langs[i]!;
    total += c;
    if (c > first) {
      second = first;
      first = c;
    } else if (c > second) second = c;
  }
  return second < 3 ? 0 : Math.min(1, (2 * second) / total);
}

/** What `contextFeatures` needs of each window. */
export type WindowStats = Pick<LexicalScan, 'langs' | 'you' | 'words'>;

/**
 * The shift features of each of a document's windows: the share of its function words in another
 * language than the document's, and how much more it addresses "you" than the rest of the page (a
 * planted instruction talks to the reader; the page around it rarely does). All zero for a
 * document of one window. One pass over the windows, then one per window: linear in their number.
 * Returns [language-shift, address-shift] per window.
 */
export function contextFeatures(windows: readonly WindowStats[]): [number, number][] {
  if (windows.length < 2) return windows.map(() => [0, 0]);
  const n = windows[0]!.langs.length;
  const docLangs = new Int32Array(n);
  let youAll = 0;
  let wordsAll = 0;
  for (const w of windows) {
    for (let l = 0; l < n; l++) docLangs[l] += w.langs[l]!;
    youAll += w.you;
    wordsAll += w.words;
  }
  let main = 0;
  for (let l = 1; l < n; l++) if (docLangs[l]! > docLangs[main]!) main = l;
  return windows.map((w) => {
    let total = 0;
    for (let l = 0; l < n; l++) total += w.langs[l]!;
    const other = total - w.langs[main]!;
    const shift = other >= 3 ? other / total : 0;
    const rate = w.words ? w.you / w.words : 0;
    const restWords = wordsAll - w.words;
    const rest = restWords ? (youAll - w.you) / restWords : 0;
    return [shift, Math.min(1, Math.max(0, (rate - rest) * 12))];
  });
}
