/**
 * Spans found in an NFKC-folded text, mapped back onto the text it was folded from: a match on
 * the folded text (fullwidth letters, ligatures, decomposed accents) then covers exactly the
 * original characters it came from, so a rewrite replaces the value and nothing else.
 *
 * Normalization is not closed under concatenation (UAX #15), except at a boundary before a
 * character that never composes with what precedes it (ASCII, CJK ideographs, Hangul syllables,
 * kana): folding is additive there. The text is cut at such boundaries into blocks of about `BLOCK` units,
 * each folded on its own; blocks that fold to themselves map one to one, and a block a span falls
 * in is mapped cluster by cluster (a character and the marks or conjoining jamo after it) when first
 * needed, so a long text costs one more folding pass, not one per character. Should the pieces
 * ever fold differently from the whole (never seen), every span covers the whole text: too much
 * is hidden, never too little.
 */

const BLOCK = 1024;

/**
 * Characters that can change the character before them under NFKC: combining marks, conjoining
 * Hangul vowels and finals, the Hangul compatibility and half-width jamo that fold to them,
 * half-width kana voicing marks. A cluster is one other character followed by any of these.
 */
const JOINERS = '\\p{M}\\u1160-\\u11FF\\uD7B0-\\uD7FF\\u3131-\\u318E\\uFFA0-\\uFFDC\\uFF9E\\uFF9F';
/** ASCII runs (mapped unit by unit) unless a joiner follows their last character; clusters otherwise. */
const CLUSTERS = new RegExp(`[\\x00-\\x7F]+(?![${JOINERS}])|[^${JOINERS}][${JOINERS}]*|[${JOINERS}]+`, 'gu');

/** A block may start before ASCII, CJK unified ideographs, Hangul syllables, hiragana and katakana. */
function blockMayStartAt(c: number): boolean {
  return c < 0x80 || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0x3041 && c <= 0x3096) || (c >= 0x30a1 && c <= 0x30fa);
}

interface Block {
  /** Where the block starts in the original and in the folded text. */
  readonly at: number;
  readonly foldedAt: number;
  readonly text: string;
  /** Folds to itself: offsets map one to one. */
  readonly same: boolean;
  /** Per folded unit of the block: the original start and end (block offsets) of its cluster. */
  units?: { start: Int32Array; end: Int32Array };
}

export class NfkcOffsets {
  readonly #blocks: Block[] = [];
  readonly #length: number;
  #whole = false;

  /** `folded` must be `text.normalize('NFKC')`. */
  constructor(text: string, folded: string) {
    this.#length = text.length;
    let foldedAt = 0;
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + BLOCK);
      while (end < text.length && !blockMayStartAt(text.charCodeAt(end))) end++;
      const piece = text.slice(at, end);
      const f = piece.normalize('NFKC');
      if (!folded.startsWith(f, foldedAt)) {
        this.#whole = true;
        return;
      }
      this.#blocks.push({ at, foldedAt, text: piece, same: f === piece });
      foldedAt += f.length;
      at = end;
    }
    if (foldedAt !== folded.length) this.#whole = true;
  }

  /**
   * The original span of the folded span [start, end) (end > start).
   * @example new NfkcOffsets('ﬁ tok', 'fi tok').span(3, 6) // [2, 5]
   */
  span(start: number, end: number): [number, number] {
    if (this.#whole) return [0, this.#length];
    const a = this.#unit(start);
    const b = this.#unit(end - 1);
    return a && b ? [a[0], b[1]] : [0, this.#length];
  }

  /** The original start and end of the cluster that folded unit `i` came from. */
  #unit(i: number): [number, number] | null {
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (blocks[mid]!.foldedAt <= i) lo = mid + 1;
      else hi = mid;
    }
    const b = blocks[lo - 1];
    if (!b) return null;
    const k = i - b.foldedAt;
    if (b.same) return [b.at + k, b.at + k + 1];
    b.units ??= clusterUnits(b.text);
    if (!b.units || k >= b.units.start.length) {
      this.#whole = true;
      return null;
    }
    return [b.at + b.units.start[k]!, b.at + b.units.end[k]!];
  }
}

/** Folds `text` cluster by cluster; undefined when that does not give its folding as a whole. */
function clusterUnits(text: string): { start: Int32Array; end: Int32Array } | undefined {
  const folded = text.normalize('NFKC');
  const start = new Int32Array(folded.length);
  const end = new Int32Array(folded.length);
  let at = 0;
  for (const c of text.matchAll(CLUSTERS)) {
    const s = c[0];
    // An ASCII run folds to itself unit by unit (a cluster that starts with ASCII ends with a mark).
    const ascii = s.charCodeAt(s.length - 1) < 0x80;
    const f = ascii ? s : s.normalize('NFKC');
    if (!folded.startsWith(f, at)) return undefined;
    for (let k = 0; k < f.length; k++) {
      start[at + k] = ascii ? c.index + k : c.index;
      end[at + k] = ascii ? c.index + k + 1 : c.index + s.length;
    }
    at += f.length;
  }
  return at === folded.length ? { start, end } : undefined;
}
