/**
 * Markdown constructs that make a renderer load or link a URL (CommonMark 0.31 §6.3-6.4, §4.7):
 * inline images and links `![alt](url "title")`, full/collapsed/shortcut references
 * `![alt][ref]`, `[text][]`, `[ref]` and the definitions `[ref]: url` they point to.
 *
 * Brackets and parentheses are matched once with stacks (backslash escapes honoured, reset at
 * blank lines, which end a paragraph), so finding every construct is one pass plus constant work
 * per bracket: no regex runs over attacker text. The parser is deliberately more lenient than
 * CommonMark (whitespace inside a destination, unclosed destinations at the end of the text, as
 * in a stream cut mid-link): a construct a strict renderer would not render is still checked, and
 * neutralizing it is harmless.
 */
import type { Candidate } from './text.ts';
import { isSpace, urlVariants } from './text.ts';

/** CommonMark §4.7: a link label has at most 999 characters. */
const MAX_LABEL = 999;
/** Destinations longer than this are read up to their first whitespace only. */
const MAX_LENIENT = 512;
/** A destination is read on its first this many characters (the host is at its start). */
const MAX_DEST = 4096;

interface Matches {
  /** For a `]`, the index of its `[`; -1 otherwise. */
  readonly openOf: Int32Array;
  /** For a `[`, the index of its `]`; -1 otherwise. */
  readonly closeOf: Int32Array;
  /** For a `(`, the index of its `)`; -1 otherwise. */
  readonly parenClose: Int32Array;
}

function isPunct(c: number): boolean {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

function matchBrackets(text: string): Matches {
  const n = text.length;
  const openOf = new Int32Array(n).fill(-1);
  const closeOf = new Int32Array(n).fill(-1);
  const parenClose = new Int32Array(n).fill(-1);
  const brackets: number[] = [];
  const parens: number[] = [];
  let lineBlank = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < n && isPunct(text.charCodeAt(i + 1))) {
      i++;
      lineBlank = false;
      continue;
    }
    if (c === 10) {
      if (lineBlank) {
        brackets.length = 0;
        parens.length = 0;
      }
      lineBlank = true;
      continue;
    }
    if (c !== 32 && c !== 9 && c !== 13) lineBlank = false;
    if (c === 91) brackets.push(i);
    else if (c === 93) {
      const o = brackets.pop();
      if (o !== undefined) {
        openOf[i] = o;
        closeOf[o] = i;
      }
    } else if (c === 40) parens.push(i);
    else if (c === 41) {
      const o = parens.pop();
      if (o !== undefined) parenClose[o] = i;
    }
  }
  return { openOf, closeOf, parenClose };
}

/** CommonMark §4.7: labels match case-insensitively with whitespace runs collapsed. */
function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

interface Definition {
  readonly start: number;
  readonly end: number;
  readonly dest: string;
  usedByImage: boolean;
}

/** `[label]: destination "title"` at the start of a line (up to 3 spaces of indent). */
function definitions(text: string, nextSpace: Int32Array, nextNonSpace: Int32Array): Map<string, Definition> {
  const defs = new Map<string, Definition>();
  const n = text.length;
  for (let ls = 0; ls < n; ) {
    const eolRaw = text.indexOf('\n', ls);
    const eol = eolRaw < 0 ? n : eolRaw;
    let i = ls;
    while (i < eol && i - ls < 3 && text[i] === ' ') i++;
    if (text[i] === '[') {
      let j = i + 1;
      for (; j < n && j - i <= MAX_LABEL + 1; j++) {
        const ch = text[j];
        if (ch === '\\') j++;
        else if (ch === '[' || ch === ']') break;
      }
      if (text[j] === ']' && text[j + 1] === ':' && j > i + 1 && text.slice(i + 1, j).trim()) {
        const ds = nextNonSpace[j + 2]!;
        let de: number;
        if (text[ds] === '<') {
          let gt = ds + 1;
          while (gt < n && text[gt] !== '>' && text[gt] !== '\n') gt++;
          de = text[gt] === '>' ? gt + 1 : nextSpace[ds]!;
        } else de = nextSpace[ds]!;
        if (de > ds) {
          const endRaw = text.indexOf('\n', de);
          const end = endRaw < 0 ? n : endRaw;
          const label = normalizeLabel(text.slice(i + 1, j));
          let dest = text.slice(ds, de);
          if (dest.startsWith('<') && dest.endsWith('>')) dest = dest.slice(1, -1);
          // CommonMark §4.7: the first definition of a label wins.
          if (!defs.has(label)) defs.set(label, { start: i, end, dest, usedByImage: false });
          ls = end + 1;
          continue;
        }
      }
    }
    ls = eol + 1;
  }
  return defs;
}

/**
 * The end of a destination starting at `ds`: whitespace, `limit`, or a bracket. CommonMark allows
 * brackets in destinations, but no host contains one (an IPv6 literal cut at `[` fails to parse and
 * is reported as such), and stopping there keeps nested constructs out of each other's
 * destinations, so the destinations read are disjoint and the whole scan linear.
 */
function destinationEnd(text: string, ds: number, limit: number): number {
  let i = ds;
  const cap = Math.min(limit, ds + MAX_DEST);
  while (i < cap) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 93 || isSpace(c)) break;
    i++;
  }
  return i;
}

/** The destination of an inline link whose `(` is at `p`: candidate URL strings and the construct's end. */
function inlineDestination(text: string, p: number, m: Matches, nextNonSpace: Int32Array): { urls: string[]; end: number } | null {
  const close = m.parenClose[p]!;
  if (close < 0) {
    // Unclosed: a stream cut mid-link, or not a link at all. Check the first word either way.
    const ds = nextNonSpace[p + 1]!;
    const de = destinationEnd(text, ds, text.length);
    return de > ds ? { urls: [text.slice(ds, de)], end: de } : null;
  }
  const ds = Math.min(nextNonSpace[p + 1]!, close);
  if (ds >= close) return null;
  let strict: string;
  let restFrom: number;
  if (text[ds] === '<') {
    const limit = Math.min(close, ds + MAX_DEST);
    let gt = ds + 1;
    while (gt < limit && text[gt] !== '>') gt++;
    strict = text.slice(ds + 1, gt);
    restFrom = gt + 1;
  } else {
    restFrom = destinationEnd(text, ds, close);
    strict = text.slice(ds, restFrom);
  }
  const urls = [strict];
  // Lenient renderers accept whitespace and newlines inside the destination; read it without them.
  if (restFrom < close && close - ds <= MAX_LENIENT) {
    const inner = text.slice(ds, close);
    const title = /\s["']/.exec(inner);
    urls.push((title ? inner.slice(0, title.index) : inner).replace(/\s+/g, ''));
  }
  return { urls, end: close + 1 };
}

/**
 * Every Markdown image, link, reference use and reference definition that names a URL.
 * @example
 *   markdownCandidates('see ![x](https://e.com/a.png)') // [{ start: 4, end: 29, construct: 'markdown_image', ... }]
 */
export function markdownCandidates(text: string, nextSpace: Int32Array, nextNonSpace: Int32Array): Candidate[] {
  if (!text.includes(']')) return [];
  const m = matchBrackets(text);
  const defs = text.includes(']:') ? definitions(text, nextSpace, nextNonSpace) : new Map<string, Definition>();
  const out: Candidate[] = [];
  const n = text.length;
  for (let c = 0; c < n; c++) {
    const o = m.openOf[c]!;
    if (o < 0) continue;
    const image = o > 0 && text[o - 1] === '!';
    const start = image ? o - 1 : o;
    const use = image ? 'image' : 'link';
    const construct = image ? 'markdown_image' : 'markdown_link';
    const next = text[c + 1];
    if (next === '(') {
      const dest = inlineDestination(text, c + 1, m, nextNonSpace);
      if (dest) out.push({ start, end: dest.end, construct, urls: dest.urls.flatMap((u) => urlVariants(u, true).map((url) => ({ url, use }))) });
      continue;
    }
    if (defs.size === 0 || next === ':') continue;
    let label: string;
    let end: number;
    const c2 = next === '[' ? m.closeOf[c + 1]! : -1;
    if (c2 > c + 1) {
      // Full `[text][label]` or collapsed `[label][]`.
      label = c2 === c + 2 ? text.slice(o + 1, c) : text.slice(c + 2, c2);
      end = c2 + 1;
    } else {
      label = text.slice(o + 1, c);
      end = c + 1;
    }
    if (label.length > MAX_LABEL) continue;
    const def = defs.get(normalizeLabel(label));
    if (!def) continue;
    if (image) def.usedByImage = true;
    out.push({ start, end, construct, urls: urlVariants(def.dest, true).map((url) => ({ url, use })) });
  }
  for (const def of defs.values()) {
    const use = def.usedByImage ? 'image' : 'link';
    out.push({ start: def.start, end: def.end, construct: 'reference_definition', urls: urlVariants(def.dest, true).map((url) => ({ url, use })) });
  }
  return out;
}
