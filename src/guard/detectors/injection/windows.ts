/**
 * Splits a long document into windows scored separately, so one injected paragraph is judged on
 * its own words instead of being diluted by pages of benign text around it. Windows follow
 * paragraph breaks, are merged while short and cut at line or sentence ends when long.
 */

export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface WindowOptions {
  /** Paragraphs are merged until a window reaches this many characters. */
  readonly minChars: number;
  /** Windows longer than this are cut. */
  readonly maxChars: number;
}

export const DEFAULT_WINDOWS: WindowOptions = { minChars: 60, maxChars: 900 };

function cut(text: string, start: number, end: number, max: number, out: Window[]): void {
  let s = start;
  while (end - s > max) {
    // Prefer a line break, then a sentence end, in the last third of the allowed span.
    const lo = s + Math.floor((max * 2) / 3);
    let at = text.lastIndexOf('\n', s + max);
    if (at < lo) {
      at = -1;
      for (let i = s + max; i >= lo; i--) {
        const c = text.charCodeAt(i);
        if ((c === 46 || c === 33 || c === 63) && text.charCodeAt(i + 1) === 32) {
          at = i + 1;
          break;
        }
      }
    }
    if (at < lo) at = s + max;
    out.push({ start: s, end: at });
    s = at;
  }
  if (end > s) out.push({ start: s, end });
}

/**
 * @example windows('para one\n\npara two', { minChars: 1, maxChars: 900 }) // [{start:0,end:8},{start:10,end:18}]
 */
export function windows(text: string, options: WindowOptions = DEFAULT_WINDOWS): Window[] {
  const paragraphs: Window[] = [];
  const re = /\n[^\S\n]*\n\s*/g;
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > from) paragraphs.push({ start: from, end: m.index });
    from = m.index + m[0].length;
  }
  if (from < text.length) paragraphs.push({ start: from, end: text.length });
  const out: Window[] = [];
  let cur: Window | undefined;
  for (const p of paragraphs) {
    if (cur && cur.end - cur.start < options.minChars && p.end - cur.start <= options.maxChars) {
      cur = { start: cur.start, end: p.end };
      continue;
    }
    if (cur) cut(text, cur.start, cur.end, options.maxChars, out);
    cur = p;
  }
  if (cur) cut(text, cur.start, cur.end, options.maxChars, out);
  return out;
}

