/**
 * Span-level precision, recall and F1 per entity type, for DLP evaluation.
 *
 * Matching rule: within one document and one type, a predicted span matches a gold span when
 * their intersection-over-union (in UTF-16 code units) is at least `minIou` (default 0.5).
 * Matching is one-to-one and greedy by descending IoU, so a detector that reports the same value
 * twice gets one true positive and one false positive, and one long prediction covering two gold
 * values matches at most one of them. Unmatched predictions are false positives, unmatched gold
 * spans false negatives. A prediction of the wrong type never matches: it is a false positive for
 * its type and leaves the gold span a false negative for its own.
 */

export interface LabelledSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

export interface TypeMetrics {
  readonly type: string;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Gold spans of this type (tp + fn). */
  readonly support: number;
}

export interface SpanDocument {
  readonly gold: readonly LabelledSpan[];
  readonly predicted: readonly LabelledSpan[];
}

/** Intersection over union of two half-open spans; 0 when disjoint or both empty. */
export function iou(a: LabelledSpan, b: LabelledSpan): number {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return inter / union;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

function countDocument(doc: SpanDocument, minIou: number, counts: Map<string, Counts>): void {
  const types = new Set([...doc.gold.map((s) => s.type), ...doc.predicted.map((s) => s.type)]);
  for (const type of types) {
    const gold = doc.gold.filter((s) => s.type === type);
    const pred = doc.predicted.filter((s) => s.type === type);
    const pairs: [number, number, number][] = [];
    for (let g = 0; g < gold.length; g++) {
      for (let p = 0; p < pred.length; p++) {
        const score = iou(gold[g]!, pred[p]!);
        if (score >= minIou) pairs.push([score, g, p]);
      }
    }
    pairs.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    const goldUsed = new Set<number>();
    const predUsed = new Set<number>();
    for (const [, g, p] of pairs) {
      if (goldUsed.has(g) || predUsed.has(p)) continue;
      goldUsed.add(g);
      predUsed.add(p);
    }
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    c.tp += goldUsed.size;
    c.fp += pred.length - predUsed.size;
    c.fn += gold.length - goldUsed.size;
    counts.set(type, c);
  }
}

function metrics(type: string, c: Counts): TypeMetrics {
  // An undefined ratio (nothing predicted, or nothing to find) counts as perfect for that side.
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { type, ...c, precision, recall, f1, support: c.tp + c.fn };
}

/**
 * Scores documents and returns one row per type, sorted by type, plus `micro` over all types.
 * @example
 *   spanMetrics([{ gold: [{ start: 0, end: 5, type: 'pii.email' }], predicted: [{ start: 0, end: 5, type: 'pii.email' }] }]);
 *   // { perType: [{ type: 'pii.email', tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, support: 1 }], micro: {...} }
 */
export function spanMetrics(docs: Iterable<SpanDocument>, minIou = 0.5): { perType: TypeMetrics[]; micro: TypeMetrics } {
  if (!(minIou > 0 && minIou <= 1)) throw new RangeError('minIou must be in (0, 1]');
  const counts = new Map<string, Counts>();
  for (const doc of docs) countDocument(doc, minIou, counts);
  const perType = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, c]) => metrics(type, c));
  const total = perType.reduce((t, m) => ({ tp: t.tp + m.tp, fp: t.fp + m.fp, fn: t.fn + m.fn }), { tp: 0, fp: 0, fn: 0 });
  return { perType, micro: metrics('(all)', total) };
}
