/**
 * URLs written out in the text: `scheme://...`, protocol-relative `//host/...`, `www.` autolinks
 * (GFM §6.9) and `data:` URIs. This is also the backstop of the structured scanners: any absolute
 * URL anywhere in the answer, inside a construct they did not recognise or not, is seen here.
 *
 * A URL ends where GFM's autolinker ends it (whitespace or `<`), or at the quote, bracket or
 * parenthesis that opened it; trailing sentence punctuation and unbalanced `)` are not part of it.
 * Each scan resumes after the URL it just read, so the work is linear in the text.
 */
import type { Candidate } from './text.ts';
import { isSpace } from './text.ts';

function isSchemeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isAlnum(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c > 127;
}

/** Characters after which `//` or `www.` can start a URL. */
const OPENERS = new Set([' ', '\t', '\n', '\r', '"', "'", '(', '=', '<', '>', '[', '*', '_', '~', ':', ',', ';']);
const CLOSER: Record<string, string> = { '"': '"', "'": "'", '<': '>', '(': ')', '[': ']' };
const TRAILING = new Set(['?', '!', '.', ',', ':', ';', '*', '_', '~', "'", '"']);

/** End of the URL starting at `s` whose body starts at `from`: stops at whitespace, `<`, or the opener's closer. */
function urlEnd(text: string, s: number, from: number): number {
  const closer = s > 0 ? CLOSER[text[s - 1]!] : undefined;
  let e = from;
  const n = text.length;
  while (e < n) {
    const c = text.charCodeAt(e);
    if (isSpace(c) || c === 60 /* < */ || c < 32) break;
    if (closer !== undefined && text[e] === closer && closer !== ')') break;
    e++;
  }
  // GFM §6.9 trailing punctuation, and a ')' that closes something outside the URL.
  let open = 0;
  let close = 0;
  for (let i = s; i < e; i++) {
    if (text[i] === '(') open++;
    else if (text[i] === ')') close++;
  }
  while (e > from) {
    const last = text[e - 1]!;
    if (TRAILING.has(last)) e--;
    else if (last === ')' && close > open) {
      close--;
      e--;
    } else break;
  }
  return e;
}

/** `host.tld` or an IPv4 address right after `//`, as code comments (`// note`, `//foo()`) are not. */
function hostLike(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && i - from <= 255 && !'/?#:'.includes(text[i]!)) i++;
  if (i - from > 255) return false;
  const host = text.slice(from, i);
  return /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:\p{L}{2,63}|xn--[a-z0-9-]+|\d{1,3})\.?$/iu.test(host) && (i === to || '/?#:'.includes(text[i]!));
}

/** Whether `i` falls in one of `spans` (sorted by start, not overlapping): binary search. */
function inside(spans: readonly Candidate[], i: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = spans[mid]!;
    if (i < c.start) hi = mid - 1;
    else if (i >= c.end) lo = mid + 1;
    else return true;
  }
  return false;
}

function candidate(text: string, s: number, e: number, url: string, bare: boolean): Candidate {
  // An autolink `<https://...>` goes with its angle brackets.
  const wrapped = s > 0 && text[s - 1] === '<' && text[e] === '>';
  return { start: wrapped ? s - 1 : s, end: wrapped ? e + 1 : e, construct: 'bare_url', urls: [{ url, use: 'link' }], bare };
}

/**
 * Every URL written out in `text`.
 * @example
 *   bareCandidates('go to https://e.com/x.') // [{ start: 6, end: 21, construct: 'bare_url', ... }]
 */
export function bareCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  const n = text.length;
  for (let p = text.indexOf('//'); p >= 0; p = text.indexOf('//', p + 2)) {
    let s = p;
    if (p > 0 && text[p - 1] === ':') {
      s = p - 1;
      while (s > 0 && p - s < 33 && isSchemeChar(text.charCodeAt(s - 1))) s--;
      while (s < p - 1 && !isLetter(text.charCodeAt(s))) s++;
      if (s === p - 1) continue;
    } else if ((p > 0 && !OPENERS.has(text[p - 1]!)) || text[p + 2] === '/') continue;
    if (p + 2 >= n || !isAlnum(text.charCodeAt(p + 2)) && text[p + 2] !== '[') continue;
    const e = urlEnd(text, s, p + 2);
    if (e <= p + 2) continue;
    if (s === p && !hostLike(text, p + 2, e)) continue;
    out.push(candidate(text, s, e, text.slice(s, e), true));
    p = e - 2;
  }
  const schemeUrls = out.slice();
  let lastEnd = 0;
  for (const m of text.matchAll(/www\./gi)) {
    const s = m.index;
    if (s < lastEnd || (s > 0 && !OPENERS.has(text[s - 1]!)) || inside(schemeUrls, s)) continue;
    const e = urlEnd(text, s, s + 4);
    lastEnd = e;
    if (e > s + 4 && hostLike(text, s, e)) out.push(candidate(text, s, e, `http://${text.slice(s, e)}`, true));
  }
  const urls = out.slice().sort((a, b) => a.start - b.start);
  lastEnd = 0;
  for (const m of text.matchAll(/data:[a-z]{1,20}\//gi)) {
    const s = m.index;
    if (s < lastEnd || (s > 0 && isAlnum(text.charCodeAt(s - 1))) || inside(urls, s)) continue;
    const e = urlEnd(text, s, s + 5);
    lastEnd = e;
    out.push(candidate(text, s, e, text.slice(s, e), true));
  }
  return out.sort((a, b) => a.start - b.start);
}
