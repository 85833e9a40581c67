/**
 * Span actions: `mask` (****), `placeholder` (<EMAIL_1>), `pseudonymize` (a placeholder that the
 * answer gets back as the real value) and `neutralize` (a plain-text stand-in that keeps a link's
 * text and drops its URL, see neutralize.ts). The vault keeps one placeholder per distinct value for the
 * whole request, so the model sees consistent stand-ins ("<EMAIL_1> wrote to <EMAIL_2>"), and never
 * issues one that the request already contains as text.
 * Findings that overlap are rewritten as their union with the strongest of their actions; a finding
 * that only records (annotate, alert) never keeps another from being rewritten.
 * Also builds the redacted excerpt of every finding.
 */
import type { GuardAction } from '../config/guard.ts';
import { neutralizedText } from './neutralize.ts';
import type { Finding } from './types.ts';

/**
 * Span actions by how little of a value they let through: `mask` not even its type, `placeholder`
 * its type, `pseudonymize` its type and the value itself in the answer, `neutralize` a link's text.
 * A merged span gets the strongest action of its findings. `block` stops the whole text and
 * `annotate`/`alert` rewrite nothing, so neither takes part.
 */
const SPAN_RANK: Partial<Record<GuardAction, number>> = { mask: 4, placeholder: 3, pseudonymize: 2, neutralize: 1 };

/** Whether an action rewrites its span (mask, placeholder, pseudonymize, neutralize). */
export const isSpanAction = (action: string): boolean => (SPAN_RANK[action as GuardAction] ?? 0) > 0;
const MASK = '****';
/** What `restore` puts values back into; `reserve` keeps user text of this shape from being issued. */
const PLACEHOLDER_RE = /<[A-Z0-9_]{1,64}_\d{1,6}>/g;

/** `pii.email` -> `EMAIL`, `secret.aws_access_key` -> `AWS_ACCESS_KEY`. */
export function placeholderType(category: string): string {
  const last = category.slice(category.lastIndexOf('.') + 1);
  return (last || 'VALUE').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** Placeholders of one request (or one analyze call). Values never leave it. */
export class Vault {
  readonly #byValue = new Map<string, string>();
  readonly #restorable = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  /** Placeholder-shaped text the request already contains: never issued, so never restored. */
  readonly #taken = new Set<string>();

  /**
   * Marks every placeholder-shaped string in `text` as taken. A user who writes `<EMAIL_1>` gets
   * `<EMAIL_1>` back, and the value the guard replaces becomes `<EMAIL_2>`.
   */
  reserve(text: string): void {
    if (!text.includes('<')) return;
    // Placeholders issued already are numbered below the counters: marking them changes nothing.
    for (const [ph] of text.matchAll(PLACEHOLDER_RE)) this.#taken.add(ph);
  }

  placeholderFor(category: string, value: string, restorable: boolean): string {
    const type = placeholderType(category);
    const key = `${type}\u0000${value}`;
    let ph = this.#byValue.get(key);
    if (!ph) {
      let n = this.#counters.get(type) ?? 0;
      do ph = `<${type}_${++n}>`;
      while (this.#taken.has(ph));
      this.#counters.set(type, n);
      this.#byValue.set(key, ph);
    }
    if (restorable) this.#restorable.set(ph, value);
    return ph;
  }

  get size(): number {
    return this.#restorable.size;
  }

  /** Longest placeholder, for stream hold-back. */
  get longest(): number {
    let n = 0;
    for (const ph of this.#restorable.keys()) n = Math.max(n, ph.length);
    return n;
  }

  /** Puts real values back wherever a pseudonymized placeholder appears. */
  restore(text: string): string {
    if (this.#restorable.size === 0 || !text.includes('<')) return text;
    return text.replace(PLACEHOLDER_RE, (ph) => this.#restorable.get(ph) ?? ph);
  }
}

interface Located {
  finding: Finding;
  seg: { path: string; text: string };
  action: GuardAction;
}

interface Item {
  i: number;
  f: Finding;
  action: GuardAction;
}

/** A range of one segment and the finding that names it (the strongest action, then the longest). */
interface Range {
  start: number;
  end: number;
  top: Item;
  rank: number;
  /** Every finding in the range asked for `pseudonymize`: only then may the answer get it back. */
  restorable: boolean;
}

const rankOf = (it: Item) => SPAN_RANK[it.action] ?? 0;

/**
 * Merges the spans of `items` (clamped to the text) into disjoint ranges, earliest first: findings
 * that overlap become their union, named by the one with the strongest action, then the longest.
 */
function mergeRanges(items: readonly Item[], length: number): Range[] {
  const spans = items
    .map((it) => ({ it, start: Math.max(0, it.f.start), end: Math.min(length, it.f.end) }))
    .filter((s) => s.end > s.start);
  if (spans.length > 1) spans.sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const { it, start, end } of spans) {
    const rank = rankOf(it);
    const prev = out.at(-1);
    if (prev && start < prev.end) {
      if (rank > prev.rank || (rank === prev.rank && end - start > prev.top.f.end - prev.top.f.start)) {
        prev.top = it;
        prev.rank = rank;
      }
      prev.end = Math.max(prev.end, end);
      prev.restorable &&= it.action === 'pseudonymize';
      continue;
    }
    out.push({ start, end, top: it, rank, restorable: it.action === 'pseudonymize' });
  }
  return out;
}

/** The stand-in for a merged span. A pseudonym that overlaps a stronger finding is not restored. */
function replacement(r: Range, value: string, vault: Vault): string {
  const { action, f } = r.top;
  if (action === 'mask') return MASK;
  if (action === 'neutralize') return neutralizedText(value, f.category);
  return vault.placeholderFor(f.category, value, action === 'pseudonymize' && r.restorable);
}

export function applyRewrites(
  segments: readonly { path: string; text: string }[],
  located: readonly Located[],
  vault: Vault | null,
  excerptChars: number,
): { rewrites: Map<string, string>; excerpts: string[] } {
  const rewrites = new Map<string, string>();
  const excerpts: string[] = new Array(located.length).fill('');
  if (located.length === 0) return { rewrites, excerpts };
  const v = vault ?? new Vault();
  // Before a placeholder is issued: placeholder-shaped text in any segment is the caller's, not ours.
  if (located.some((l) => l.action === 'placeholder' || l.action === 'pseudonymize')) for (const seg of segments) v.reserve(seg.text);
  const bySegment = new Map<string, Item[]>();
  located.forEach((l, i) => {
    const list = bySegment.get(l.seg.path) ?? [];
    list.push({ i, f: l.finding, action: l.action });
    bySegment.set(l.seg.path, list);
  });
  for (const seg of segments) {
    const items = bySegment.get(seg.path);
    if (!items) continue;
    const text = seg.text;
    // Overlapping span actions rewrite their union with the strongest action; a finding that only
    // records (annotate, alert) never stands in the way of one that rewrites.
    const edits = mergeRanges(items.filter((it) => rankOf(it) > 0), text.length);
    if (edits.length > 0) {
      let rewritten = '';
      let cursor = 0;
      for (const r of edits) {
        rewritten += text.slice(cursor, r.start) + replacement(r, text.slice(r.start, r.end), v);
        cursor = r.end;
      }
      rewrites.set(seg.path, rewritten + text.slice(cursor));
    }
    // Excerpts hide every value span whatever its action, and everything that was rewritten;
    // only verdicts (a classifier's judgement on a stretch of text) are shown as context.
    const hidden = mergeRanges(items.filter((it) => !it.f.verdict || rankOf(it) > 0), text.length);
    excerptsOf(text, items, hidden, excerptChars, excerpts);
  }
  return { rewrites, excerpts };
}

/** Writes the excerpt of every finding of one segment: context around it, `hidden` ranges as [TYPE]. */
function excerptsOf(text: string, items: readonly Item[], hidden: readonly Range[], excerptChars: number, excerpts: string[]): void {
  let redacted = '';
  let cursor = 0;
  const at: number[] = [];
  const labels: string[] = [];
  for (const r of hidden) {
    redacted += text.slice(cursor, r.start);
    at.push(redacted.length);
    const label = `[${placeholderType(r.top.f.category)}]`;
    labels.push(label);
    redacted += label;
    cursor = r.end;
  }
  redacted += text.slice(cursor);
  for (const it of items) {
    // Where the finding starts in the redacted text: the label of the range that covers it, or
    // (a verdict outside every range) its own offset shifted by the labels before it.
    let pos = Math.max(0, Math.min(text.length, it.f.start));
    let width = excerptChars;
    const k = lastStartingAtOrBefore(hidden, pos);
    if (k >= 0 && pos < hidden[k]!.end) {
      width = labels[k]!.length;
      pos = at[k]!;
    } else if (k >= 0) {
      pos = at[k]! + labels[k]!.length + (pos - hidden[k]!.end);
    }
    const from = Math.max(0, pos - excerptChars);
    const to = Math.min(redacted.length, pos + width + excerptChars);
    excerpts[it.i] = `${from > 0 ? '…' : ''}${redacted.slice(from, to)}${to < redacted.length ? '…' : ''}`;
  }
}

/** Index of the last range that starts at or before `pos` (ranges are sorted and disjoint); -1 if none. */
function lastStartingAtOrBefore(ranges: readonly Range[], pos: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]!.start <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
