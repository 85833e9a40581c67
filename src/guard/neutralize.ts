/**
 * The `neutralize` action: a span is replaced by a plain-text rendering that keeps what the reader
 * needs (the alt text of an image, the text of a link) and drops what the client would act on
 * (the URL, the tag). Deterministic and computed from the span alone:
 *
 *   ![chart](https://x/p.png)        -> chart [image removed]
 *   [docs](https://x/?d=...)         -> docs [link removed]
 *   <a href="https://x">docs</a>     -> docs [link removed]
 *   <img src=...>, https://x/...     -> [image removed] / [link removed]
 *   any other category               -> [removed]
 *
 * The kept text is itself made inert: brackets, parentheses, angle brackets and backticks are
 * dropped, and text that still looks like a URL is dropped entirely, so a link nested in an alt
 * text (`[![x](https://...)](...)`) or a URL used as link text cannot come back.
 */

const MAX_LABEL = 200;
const URLISH = /:\/\/|\/\/|\bwww\.|\bdata:|\bjavascript:|\\\\/i;

/** Text between the `[` at `open` and its matching `]`, or null. */
function bracketText(span: string, open: number): { text: string; close: number } | null {
  let depth = 0;
  for (let i = open; i < span.length; i++) {
    const ch = span[i];
    if (ch === '\\') i++;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return { text: span.slice(open + 1, i), close: i };
  }
  return null;
}

/** Inner text of `<a ...>text</a>`: after the start tag's `>` (quotes honoured), before `</a`. */
function anchorText(span: string): string | null {
  if (!/^<a[\s/>]/i.test(span) || !/<\/a\s*>$/i.test(span)) return null;
  let quote = '';
  for (let i = 2; i < span.length; i++) {
    const ch = span[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return span.slice(i + 1, span.search(/<\/a\s*>$/i));
  }
  return null;
}

/** The label made inert; '' when nothing safe is left. */
export function safeLabel(raw: string): string {
  const text = raw
    .replace(/<[^<>]{0,500}>/g, ' ')
    .replace(/[[\]()<>`]/g, ' ')
    .replace(/!(?=\s)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text || URLISH.test(text)) return '';
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL)}…` : text;
}

/**
 * The plain-text stand-in for a neutralized span.
 * @example
 *   neutralizedText('![cat](https://evil.example/c.png?d=x)', 'exfiltration.image'); // 'cat [image removed]'
 */
export function neutralizedText(span: string, category: string): string {
  if (!category.startsWith('exfiltration.')) return '[removed]';
  const image = span.startsWith('![') || category === 'exfiltration.image' || /^<(?:img|image|picture|video|audio|source)[\s/>]/i.test(span);
  const marker = image ? '[image removed]' : '[link removed]';
  let label: string | null = null;
  const open = span.startsWith('![') ? 1 : span.startsWith('[') ? 0 : -1;
  if (open >= 0) {
    const b = bracketText(span, open);
    // `[ref]: url` is a definition: its label is an id, not text meant for the reader.
    if (b && span[b.close + 1] !== ':') label = b.text;
  } else label = anchorText(span);
  const safe = label === null ? '' : safeLabel(label);
  return safe ? `${safe} ${marker}` : marker;
}
