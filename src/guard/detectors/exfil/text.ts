/**
 * What the exfiltration scanners share: the candidate they report (a construct and the URLs it
 * would load or open), decoding of HTML character references and Markdown backslash escapes (both
 * are undone by renderers before a URL is used), and whitespace jump tables that keep every
 * scanner linear in the text.
 */

/** How a rendered construct uses its URL: `image` loads without a click, `link` needs one. */
export type UrlUse = 'image' | 'link';

export type Construct = 'markdown_image' | 'markdown_link' | 'reference_definition' | 'html_tag' | 'bare_url';

export interface Candidate {
  /** Span of the whole construct, the part a neutralize action replaces. */
  readonly start: number;
  readonly end: number;
  readonly construct: Construct;
  /** The URLs it uses, each as written plus decoded variants; the worst of them decides. */
  readonly urls: readonly { readonly url: string; readonly use: UrlUse }[];
  /** For `bare_url`: not in any rendering context (plain text), so data URLs are only noted. */
  readonly bare?: boolean;
}

export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** `next[i]`: the first index ≥ i whose character is (or is not) whitespace, or text.length. */
export function jumpTables(text: string): { nextSpace: Int32Array; nextNonSpace: Int32Array } {
  const n = text.length;
  const nextSpace = new Int32Array(n + 1);
  const nextNonSpace = new Int32Array(n + 1);
  nextSpace[n] = n;
  nextNonSpace[n] = n;
  for (let i = n - 1; i >= 0; i--) {
    const ws = isSpace(text.charCodeAt(i));
    nextSpace[i] = ws ? i : nextSpace[i + 1]!;
    nextNonSpace[i] = ws ? nextNonSpace[i + 1]! : i;
  }
  return { nextSpace, nextNonSpace };
}

/** Named references that matter for URLs (HTML Living Standard §13.5); others are left as written. */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', sol: '/', bsol: '\\', period: '.', quest: '?', num: '#',
  commat: '@', equals: '=', percnt: '%', lpar: '(', rpar: ')', excl: '!', tab: '\t', newline: '\n', nbsp: '\u00a0', plus: '+', comma: ',',
};

/** Decodes `&#104;`, `&#x68;` and the named references above (with or without the `;`). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));?/g, (m, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? m;
    const cp = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
  });
}

/** CommonMark §2.4: a backslash before ASCII punctuation makes it literal. */
export function unescapeMarkdown(s: string): string {
  return s.includes('\\') ? s.replace(/\\([!-/:-@[-`{-~])/g, '$1') : s;
}

/** The URL as written and as a renderer would decode it; checking all of them over-approximates safely. */
export function urlVariants(written: string, markdown: boolean): string[] {
  const out = new Set([written, decodeEntities(written)]);
  if (markdown) {
    const unescaped = unescapeMarkdown(written);
    out.add(unescaped);
    out.add(decodeEntities(unescaped));
  }
  return [...out];
}
