/**
 * A detection: one finding of the guard engine on one request, as stored and queried. Plain data,
 * never the matched value: `excerpt` has every sensitive span replaced by its type.
 */
export interface DetectionRecord {
  readonly id: string;
  readonly time: number;
  readonly requestId: string;
  readonly principalId: string | null;
  readonly deployment: string | null;
  readonly profile: string;
  readonly detector: string;
  readonly detectorVersion: string;
  readonly category: string;
  readonly severity: 'low' | 'medium' | 'high' | 'critical';
  readonly score: number;
  /** user, system, document or output. */
  readonly channel: string;
  /** Where in the body, e.g. `messages[2].content`. */
  readonly segment: string;
  /** What was done: block, mask, placeholder, pseudonymize, neutralize, annotate, alert. */
  readonly action: string;
  readonly rule: string;
  readonly explanation: string;
  readonly excerpt: string;
}
