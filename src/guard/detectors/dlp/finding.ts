/**
 * Shared shape of a DLP hit. Every DLP detector reports through `dlpFinding` so that findings
 * look the same whatever found them, and so that no call site can slip the matched value into
 * the explanation: the explanation is built from the rule's static description only.
 */
import type { Finding, Severity } from '../../types.ts';

export interface DetectorMeta {
  readonly id: string;
  readonly version: string;
}

export interface Hit {
  readonly category: string;
  readonly start: number;
  readonly end: number;
  readonly score: number;
  readonly severity: Severity;
  readonly rule: string;
  /** Static words about the rule and the checks that passed; never the value. */
  readonly explanation: string;
}

/** Clamps the score to [0, 1] and rounds it so that equal evidence gives equal, stable scores. */
export function dlpFinding(meta: DetectorMeta, hit: Hit): Finding {
  const score = Math.round(Math.min(1, Math.max(0, hit.score)) * 1000) / 1000;
  return {
    detector: meta.id,
    detectorVersion: meta.version,
    category: hit.category,
    start: hit.start,
    end: hit.end,
    score,
    severity: hit.severity,
    rule: hit.rule,
    explanation: hit.explanation,
  };
}
