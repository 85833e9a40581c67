/**
 * Characters that render as nothing but change what a model reads.
 *
 * - Zero-width and filler characters split trigger words (`ig\u200Bnore`) so that naive matching
 *   misses them; they are removed.
 * - Bidi embedding/override controls (U+202A..E, U+2066..9) reorder what a reviewer sees
 *   ("Trojan Source", CVE-2021-42574); they are removed and reported.
 * - Unicode tag characters (U+E0020..E007E) mirror ASCII but are invisible, so they smuggle a
 *   whole instruction past a human reviewer while tokenizers still feed it to the model
 *   ("ASCII smuggling"). They are decoded to the ASCII they mirror and kept in place, except in
 *   emoji subdivision flags (U+1F3F4 followed by tags), their one legitimate use.
 * - Runs of variation selectors (U+FE00..F, U+E0100..E01EF) can carry arbitrary bytes, one
 *   selector per byte; a lone selector after an emoji is presentation and is simply dropped.
 */

export interface InvisibleScan {
  /** The text with invisible characters removed and smuggled ASCII decoded in place. */
  readonly text: string;
  /** Text recovered from tag characters and variation-selector runs (also inlined in `text`). */
  readonly hidden: string;
  /** Zero-width characters found between two letters (a split word, not emoji glue). */
  readonly splitLetters: number;
  readonly bidiControls: number;
  readonly tagChars: number;
  readonly variationBytes: number;
}

/** Decoded variation-selector runs shorter than this are presentation selectors, not payloads. */
const MIN_SMUGGLED_BYTES = 4;

function isZeroWidth(c: number): boolean {
  return (
    (c >= 0x200b && c <= 0x200d) ||
    (c >= 0x2060 && c <= 0x2064) ||
    c === 0xfeff ||
    c === 0x180e ||
    c === 0x00ad ||
    c === 0x034f ||
    c === 0x115f ||
    c === 0x1160 ||
    c === 0x3164 ||
    c === 0xffa0 ||
    c === 0x17b4 ||
    c === 0x17b5
  );
}

/** Embedding, override and isolate controls; LRM/RLM (U+200E/F) are ordinary in RTL text and only dropped. */
function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/**
 * Latin letters only: joiners between letters are how Persian, Indic and other scripts are
 * written (ZWNJ in `می‌خواهم`), while inside a Latin word they only serve to split it.
 */
function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x250);
}

/** Byte value carried by a variation selector, or -1. */
function variationByte(cp: number): number {
  if (cp >= 0xfe00 && cp <= 0xfe0f) return cp - 0xfe00;
  if (cp >= 0xe0100 && cp <= 0xe01ef) return cp - 0xe0100 + 16;
  return -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function decodeSmuggledBytes(bytes: number[]): string {
  const s = utf8.decode(Uint8Array.from(bytes));
  let printable = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c !== 0x7f && c !== 0xfffd) || c === 0x0a || c === 0x09) printable++;
  }
  return printable >= s.length * 0.9 ? s : '';
}

/** True when the text has any character this module would touch (cheap pre-check). */
export function mayHaveInvisible(text: string): boolean {
  return /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0\udb40]/.test(text);
}

/** Removes invisible characters and decodes smuggled ASCII. Linear in the input. */
export function scanInvisible(text: string): InvisibleScan {
  if (!mayHaveInvisible(text)) {
    return { text, hidden: '', splitLetters: 0, bidiControls: 0, tagChars: 0, variationBytes: 0 };
  }
  const out: string[] = [];
  const hidden: string[] = [];
  let splitLetters = 0;
  let bidiControls = 0;
  let tagChars = 0;
  let variationBytes = 0;
  let prevVisible = 0; // last code point kept, to tell split words and emoji flags apart
  let inFlag = false;
  let vsBytes: number[] = [];
  let pendingZw = false;

  const flushSelectors = () => {
    if (vsBytes.length >= MIN_SMUGGLED_BYTES) {
      const decoded = decodeSmuggledBytes(vsBytes);
      if (decoded) {
        variationBytes += vsBytes.length;
        out.push(decoded);
        hidden.push(decoded);
      }
    }
    vsBytes = [];
  };

  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const vb = variationByte(cp);
    if (vb >= 0) {
      vsBytes.push(vb);
      i += width - 1;
      continue;
    }
    if (vsBytes.length) flushSelectors();

    if (cp >= 0xe0000 && cp <= 0xe007f) {
      // Tag block: U+E007F ends a flag; inside a flag the tags name a region and are dropped.
      if (cp === 0xe007f) inFlag = false;
      else if (!inFlag && cp >= 0xe0020 && cp <= 0xe007e) {
        const ch = String.fromCharCode(cp - 0xe0000);
        out.push(ch);
        hidden.push(ch);
        tagChars++;
      }
      i += width - 1;
      continue;
    }
    if (isZeroWidth(cp)) {
      if (isLetter(prevVisible)) pendingZw = true;
      continue;
    }
    if (isBidiControl(cp)) {
      bidiControls++;
      continue;
    }
    if (cp === 0x200e || cp === 0x200f || cp === 0x061c) continue;
    if (pendingZw && isLetter(cp)) splitLetters++;
    pendingZw = false;
    inFlag = cp === 0x1f3f4;
    prevVisible = cp;
    out.push(width === 2 ? text.slice(i, i + 2) : text[i]!);
    i += width - 1;
  }
  if (vsBytes.length) flushSelectors();
  return { text: out.join(''), hidden: hidden.join(''), splitLetters, bidiControls, tagChars, variationBytes };
}
