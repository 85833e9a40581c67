/**
 * Detections the execution plane raises for the threat-detection work (DetectionRecord, like the
 * guard's): unapproved code refused, network attempts the egress proxy refused, and repeated limit
 * kills by one caller. Plain data, never the program text or its output: the excerpt is the
 * code's hash and language.
 */
import type { DetectionRecord } from '../core/detection.ts';
import { newId } from '../core/ids.ts';

export const SANDBOX_DETECTOR_VERSION = '1';

export interface DetectionContext {
  readonly requestId: string;
  readonly principalId: string;
  readonly identifier: string;
  readonly sha256: string;
  readonly language: string;
  readonly time: number;
}

function base(ctx: DetectionContext): Omit<DetectionRecord, 'detector' | 'category' | 'severity' | 'action' | 'rule' | 'explanation'> {
  return {
    id: newId('det', ctx.time),
    time: ctx.time,
    requestId: ctx.requestId,
    principalId: ctx.principalId,
    deployment: null,
    profile: 'sandbox',
    detectorVersion: SANDBOX_DETECTOR_VERSION,
    score: 1,
    channel: 'sandbox',
    segment: `session:${ctx.identifier}`,
    excerpt: `sha256:${ctx.sha256} (${ctx.language})`,
  };
}

export function unapprovedCodeDetection(ctx: DetectionContext, reason: string, policy: string): DetectionRecord {
  return {
    ...base(ctx),
    detector: 'sandbox.approvals',
    category: 'sandbox.unapproved_code',
    severity: 'high',
    action: 'block',
    rule: `${policy}.approvedCodeOnly`,
    explanation: `Code not in the approval registry (${reason}) was refused: ${policy} runs approved code only.`,
  };
}

/**
 * Connections the egress proxy refused. Only an allow-list has a proxy: with network `none` a
 * connection fails in the kernel (no route) and nothing is recorded, so there is nothing to raise.
 * `refusedCount` includes refusals the backend only counted (past its record cap), `refused` are
 * the ones it listed.
 */
export function networkAttemptDetection(ctx: DetectionContext, refused: readonly { host: string; port: number }[], refusedCount: number, policy: string): DetectionRecord {
  const hosts = [...new Set(refused.map((r) => `${r.host}:${r.port}`))];
  const unlisted = refusedCount - refused.length;
  const named = hosts.length === 0 ? 'hosts it did not name in the record' : `${hosts.slice(0, 10).join(', ')}${hosts.length > 10 ? ` and ${hosts.length - 10} more` : ''}`;
  return {
    ...base(ctx),
    detector: 'sandbox.egress',
    category: 'sandbox.network_attempt',
    severity: 'medium',
    action: 'block',
    rule: `${policy}.network`,
    explanation: `The program tried to reach ${named}; the egress proxy refused (${refusedCount} attempts${unlisted > 0 ? `, ${unlisted} of them counted but not listed` : ''}).`,
  };
}

export function limitAbuseDetection(ctx: DetectionContext, kills: number, windowSeconds: number, reasons: readonly string[]): DetectionRecord {
  return {
    ...base(ctx),
    detector: 'sandbox.limits',
    category: 'sandbox.limit_abuse',
    severity: 'medium',
    action: 'alert',
    rule: 'sandbox.abuse',
    explanation: `${kills} executions of this caller were killed by a limit within ${windowSeconds} s (${[...new Set(reasons)].join(', ')}).`,
  };
}

/**
 * Limit kills per caller within a sliding window. Bounded: at most `threshold` times per caller,
 * and callers with nothing in the window are dropped when the map grows.
 */
export class KillTracker {
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #maxCallers: number;
  readonly #kills = new Map<string, { time: number; reason: string }[]>();

  constructor(threshold: number, windowMs: number, maxCallers = 10_000) {
    this.#threshold = threshold;
    this.#windowMs = windowMs;
    this.#maxCallers = maxCallers;
  }

  /** Records a kill; returns the kills in the window when they reach the threshold (then starts over), else null. */
  record(principalId: string, reason: string, now: number): { count: number; reasons: string[] } | null {
    const recent = (this.#kills.get(principalId) ?? []).filter((k) => now - k.time < this.#windowMs);
    recent.push({ time: now, reason });
    if (recent.length >= this.#threshold) {
      this.#kills.delete(principalId);
      return { count: recent.length, reasons: recent.map((k) => k.reason) };
    }
    this.#kills.set(principalId, recent);
    if (this.#kills.size > this.#maxCallers) this.#prune(now);
    return null;
  }

  #prune(now: number): void {
    for (const [id, kills] of this.#kills) if (kills.every((k) => now - k.time >= this.#windowMs)) this.#kills.delete(id);
    // Still too many callers with recent kills: forget the oldest entries (Map keeps insertion order).
    for (const id of this.#kills.keys()) {
      if (this.#kills.size <= this.#maxCallers) break;
      this.#kills.delete(id);
    }
  }
}
