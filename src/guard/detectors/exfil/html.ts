/**
 * HTML tags in model output whose attributes make a browser fetch or open a URL: `img src` and
 * `srcset`, `a href`, `iframe`, `link`, `script`, `object data`, `embed`, `video`/`audio`/`source`
 * /`track` (and `poster`), `form action`, `formaction`, `background`, `meta` refresh, SVG
 * `image`/`use` (`href`, `xlink:href`), CSS `url(...)` and `@import` in `style` attributes, and
 * markup inside `iframe srcdoc`.
 *
 * Tags are tokenized the way the HTML tokenizer does (HTML Living Standard §13.2.5: attribute
 * names end at whitespace, `/`, `>` or `=`; values are quoted or end at whitespace or `>`), one
 * character at a time and each character once, so the scan is linear whatever the input. Attribute
 * values are entity-decoded before use, as the browser does.
 */
import type { Candidate, UrlUse } from './text.ts';
import { decodeEntities, urlVariants } from './text.ts';

/** Elements whose `href` is a link the reader clicks; on any other element `href` loads a resource. */
const CLICK_HREF = new Set(['a', 'area']);
const LOAD_ATTRS = new Set(['src', 'data', 'poster', 'background', 'lowsrc', 'dynsrc', 'codebase', 'manifest', 'icon', 'profile']);
const CLICK_ATTRS = new Set(['action', 'formaction', 'cite', 'longdesc']);
const LIST_ATTRS: Record<string, UrlUse> = { srcset: 'image', imagesrcset: 'image', archive: 'image', ping: 'link' };
/** How far an `<a ...>` reaches for its `</a>` so that the link text goes with it. */
const MAX_ANCHOR_TEXT = 2048;

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isTagSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

/** URLs inside CSS: `url(...)` (quoted or not) and `@import "..."`. */
export function cssUrls(css: string): string[] {
  const out: string[] = [];
  for (const m of css.matchAll(/url\(\s*(["']?)([^"')\s]*)/gi)) out.push(m[2]!);
  for (const m of css.matchAll(/@import\s*(["'])([^"']*)/gi)) out.push(m[2]!);
  return out;
}

interface Attr {
  readonly name: string;
  readonly value: string;
}

/** The URLs one tag uses, from its attributes. `bareUrls` finds URLs in `srcdoc` markup. */
function tagUrls(tag: string, attrs: readonly Attr[], bareUrls: (s: string) => string[]): { url: string; use: UrlUse }[] {
  const out: { url: string; use: UrlUse }[] = [];
  const add = (raw: string, use: UrlUse) => {
    for (const url of urlVariants(raw.trim(), false)) out.push({ url, use });
  };
  for (const { name, value } of attrs) {
    const v = decodeEntities(value);
    if (name === 'href' || name === 'xlink:href') add(v, CLICK_HREF.has(tag) ? 'link' : 'image');
    else if (LOAD_ATTRS.has(name)) add(v, 'image');
    else if (CLICK_ATTRS.has(name)) add(v, 'link');
    else if (name in LIST_ATTRS) {
      for (const part of v.split(name === 'srcset' || name === 'imagesrcset' ? ',' : /\s+/)) {
        const url = part.trim().split(/\s+/)[0];
        if (url) add(url, LIST_ATTRS[name]!);
      }
    } else if (name === 'style') for (const url of cssUrls(v)) add(url, 'image');
    else if (name === 'content' && tag === 'meta') {
      // <meta http-equiv="refresh" content="0; url=https://...">: navigates without a click.
      const at = /url\s*=\s*['"]?/i.exec(v);
      if (at) add(v.slice(at.index + at[0].length).replace(/['"]\s*$/, ''), 'image');
    } else if (name === 'srcdoc') for (const url of bareUrls(v)) add(url, 'image');
  }
  return out;
}

/** Indices of every `</a>` (any case, optional whitespace), ascending. */
function anchorCloses(text: string): number[] {
  return [...text.matchAll(/<\/a\s*>/gi)].map((m) => m.index);
}

/**
 * Every HTML start tag that names a URL in an attribute. A tag still open at the end of the text
 * (a stream cut inside it) spans to the end.
 * @example
 *   htmlCandidates('<img src="https://e.com/p.png">', () => []) // [{ start: 0, end: 31, construct: 'html_tag', ... }]
 */
export function htmlCandidates(text: string, bareUrls: (s: string) => string[]): Candidate[] {
  if (!text.includes('<')) return [];
  const out: Candidate[] = [];
  const n = text.length;
  let closes: number[] | null = null;
  let closeAt = 0;
  for (let lt = text.indexOf('<'); lt >= 0 && lt < n; lt = text.indexOf('<', lt + 1)) {
    let j = lt + 1;
    if (!isAsciiLetter(text.charCodeAt(j))) continue;
    while (j < n && j - lt <= 64 && !isTagSpace(text.charCodeAt(j)) && text[j] !== '/' && text[j] !== '>') j++;
    if (j - lt > 64) continue;
    const tag = text.slice(lt + 1, j).toLowerCase();
    if (!/^[a-z][a-z0-9:-]*$/.test(tag)) continue;
    const attrs: Attr[] = [];
    let end = -1;
    while (end < 0) {
      while (j < n && (isTagSpace(text.charCodeAt(j)) || text[j] === '/')) j++;
      if (j >= n) break;
      if (text[j] === '>') {
        end = j + 1;
        break;
      }
      const ns = j;
      j++; // HTML §13.2.5.32: a first '=' belongs to the name
      while (j < n && !isTagSpace(text.charCodeAt(j)) && text[j] !== '/' && text[j] !== '>' && text[j] !== '=') j++;
      const name = text.slice(ns, j).toLowerCase();
      while (j < n && isTagSpace(text.charCodeAt(j))) j++;
      let value = '';
      if (text[j] === '=') {
        j++;
        while (j < n && isTagSpace(text.charCodeAt(j))) j++;
        const q = text[j];
        if (q === '"' || q === "'") {
          const close = text.indexOf(q, j + 1);
          value = text.slice(j + 1, close < 0 ? n : close);
          j = close < 0 ? n : close + 1;
        } else {
          const vs = j;
          while (j < n && !isTagSpace(text.charCodeAt(j)) && text[j] !== '>') j++;
          value = text.slice(vs, j);
        }
      }
      if (attrs.length < 64) attrs.push({ name, value });
    }
    const open = end < 0;
    if (open) end = n;
    const urls = tagUrls(tag, attrs, bareUrls);
    if (urls.length > 0) {
      let spanEnd = end;
      if (tag === 'a' && !open) {
        // Take the link text and `</a>` too, so neutralizing leaves "text [link removed]".
        closes ??= anchorCloses(text);
        while (closeAt < closes.length && closes[closeAt]! < end) closeAt++;
        const close = closes[closeAt];
        if (close !== undefined && close - end <= MAX_ANCHOR_TEXT) spanEnd = text.indexOf('>', close) + 1;
      }
      out.push({ start: lt, end: spanEnd, construct: 'html_tag', urls });
    }
    // Everything up to the tag's end belonged to it; an open tag swallows the rest of the text.
    if (open) break;
    lt = end - 1;
  }
  return out;
}
