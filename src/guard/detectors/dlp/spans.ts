/**
 * Overlap resolution for detectors that try several rules on the same text: when two hits
 * overlap, the one from the earlier (stronger) rule wins. Sort and sweep, O(n log n), so that a
 * text packed with matches cannot make the detector quadratic.
 */
export interface Ranked {
  readonly start: number;
  readonly end: number;
  /** Lower is stronger: the index of the rule in its table. */
  readonly rank: number;
}

/** Keeps, of each group of overlapping hits, the strongest; ties go to the earlier one. */
export function dropOverlaps<T extends Ranked>(hits: readonly T[]): T[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || a.rank - b.rank);
  const kept: T[] = [];
  for (const h of sorted) {
    const last = kept[kept.length - 1];
    if (!last || h.start >= last.end) kept.push(h);
    else if (h.rank < last.rank) kept[kept.length - 1] = h;
  }
  return kept;
}
