/**
 * A corpus row and the way templates build one: a list of plain text pieces and labelled
 * `[type, value]` pieces, concatenated with the gold spans computed from the offsets.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

export interface Row {
  readonly text: string;
  readonly spans: readonly Span[];
  /** Style and template, for slicing results; not used by the scorer. */
  readonly style: string;
}

export type Piece = string | readonly [type: string, value: string];

export function row(style: string, pieces: readonly Piece[]): Row {
  let text = '';
  const spans: Span[] = [];
  for (const p of pieces) {
    if (typeof p === 'string') {
      text += p;
    } else {
      spans.push({ start: text.length, end: text.length + p[1].length, type: p[0] });
      text += p[1];
    }
  }
  return { text, spans, style };
}

export type Template = (r: import('./random.ts').Rng) => Row;
