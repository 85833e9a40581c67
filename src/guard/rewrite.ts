/**
 * Span actions: `mask` (****), `placeholder` (<EMAIL_1>), `pseudonymize` (a placeholder that the
 * answer gets back as the real value) and `neutralize` (a plain-text stand-in that keeps a link's
 * text and drops its URL, see neutralize.ts). The vault keeps one placeholder per distinct value for the
 * whole request, so the model sees consistent stand-ins ("<EMAIL_1> wrote to <EMAIL_2>").
 * Also builds the redacted excerpt of every finding.
 */
import type { GuardAction } from '../config/guard.ts';
import { neutralizedText } from './neutralize.ts';
import type { Finding } from './types.ts';

const SPAN_ACTIONS: ReadonlySet<GuardAction> = new Set(['mask', 'placeholder', 'pseudonymize', 'neutralize']);
/** Categories whose findings are spans to rewrite even when they cover the whole text. */
const SPAN_CATEGORIES = ['pii.', 'secret.', 'exfiltration.', 'leak.'];
const MASK = '****';

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

  placeholderFor(category: string, value: string, restorable: boolean): string {
    const key = `${placeholderType(category)}\u0000${value}`;
    let ph = this.#byValue.get(key);
    if (!ph) {
      const type = placeholderType(category);
      const n = (this.#counters.get(type) ?? 0) + 1;
      this.#counters.set(type, n);
      ph = `<${type}_${n}>`;
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
    return text.replace(/<[A-Z0-9_]{1,64}_\d{1,6}>/g, (ph) => this.#restorable.get(ph) ?? ph);
  }
}

interface Located {
  finding: Finding;
  seg: { path: string; text: string };
  action: GuardAction;
}

/** Non-overlapping span edits of one segment, earliest first; the longer span wins an overlap. */
function spanEdits(items: { i: number; f: Finding; action: GuardAction }[]) {
  const sorted = [...items].sort((a, b) => a.f.start - b.f.start || b.f.end - b.f.start - (a.f.end - a.f.start));
  const out: typeof sorted = [];
  for (const it of sorted) {
    const prev = out.at(-1);
    if (prev && it.f.start < prev.f.end) continue;
    out.push(it);
  }
  return out;
}

export function applyRewrites(
  segments: readonly { path: string; text: string }[],
  located: readonly Located[],
  vault: Vault | null,
  excerptChars: number,
): { rewrites: Map<string, string>; excerpts: string[] } {
  const rewrites = new Map<string, string>();
  const v = vault ?? new Vault();
  const excerpts: string[] = new Array(located.length).fill('');
  const bySegment = new Map<string, { i: number; f: Finding; action: GuardAction }[]>();
  located.forEach((l, i) => {
    const list = bySegment.get(l.seg.path) ?? [];
    list.push({ i, f: l.finding, action: l.action });
    bySegment.set(l.seg.path, list);
  });
  for (const seg of segments) {
    const items = bySegment.get(seg.path);
    if (!items) continue;
    const text = seg.text;
    // Span findings (not whole-text verdicts) are redacted in excerpts whatever their action.
    const spans = spanEdits(items.filter((it) => it.f.end - it.f.start < text.length || it.action === 'neutralize' || SPAN_CATEGORIES.some((p) => it.f.category.startsWith(p))));
    let rewritten = '';
    let redacted = '';
    let cursor = 0;
    const redactedStart = new Map<number, number>();
    let changed = false;
    for (const it of spans) {
      const { start, end, category } = it.f;
      rewritten += text.slice(cursor, start);
      redacted += text.slice(cursor, start);
      redactedStart.set(it.i, redacted.length);
      const value = text.slice(start, end);
      if (SPAN_ACTIONS.has(it.action)) {
        changed = true;
        rewritten +=
          it.action === 'mask'
            ? MASK
            : it.action === 'neutralize'
              ? neutralizedText(value, category)
              : v.placeholderFor(category, value, it.action === 'pseudonymize');
      } else {
        rewritten += value;
      }
      redacted += `[${placeholderType(category)}]`;
      cursor = end;
    }
    rewritten += text.slice(cursor);
    redacted += text.slice(cursor);
    if (changed) rewrites.set(seg.path, rewritten);
    for (const it of items) {
      const at = redactedStart.get(it.i) ?? 0;
      const from = Math.max(0, at - excerptChars);
      const to = Math.min(redacted.length, at + excerptChars + (redactedStart.has(it.i) ? placeholderType(it.f.category).length + 2 : excerptChars));
      excerpts[it.i] = `${from > 0 ? '…' : ''}${redacted.slice(from, to)}${to < redacted.length ? '…' : ''}`;
    }
  }
  return { rewrites, excerpts };
}
