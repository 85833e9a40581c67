/**
 * Window arithmetic shared by the memory and Redis counters, so both decide and report alike.
 *
 * A sliding window of W ms is approximated from two fixed buckets (the current one and the one
 * before), weighting the previous bucket by the part of it still inside the window:
 *   used(now) = prev * (1 - elapsed / W) + cur,   elapsed = now - start of the current bucket.
 * It assumes the previous bucket's traffic was spread evenly; it never forgets a burst entirely
 * until a full W has passed after the bucket ended. A fixed window [startMs, endMs) is one bucket.
 */
import type { CounterWindow, LimitCheck, LimitCheckResult, LimitResult } from '../types.ts';

/** Counter values of one check, read before this call changed anything. */
export interface CheckState {
  cur: number;
  /** Previous bucket (sliding windows only; 0 for fixed). */
  prev: number;
}

export interface BucketKeys {
  cur: string;
  /** Previous bucket's key; null for fixed windows. */
  prev: string | null;
  /** Epoch ms after which the current bucket is no longer needed. */
  expiresAt: number;
}

export function bucketStart(now: number, ms: number): number {
  return now - (now % ms);
}

/** Bucket keys of a counter; both backends use the same names. */
export function bucketKeys(key: string, window: CounterWindow, now: number): BucketKeys {
  if (!Number.isSafeInteger(now) || now < 0) throw new RangeError('nowMs must be epoch milliseconds');
  if (window.kind === 'fixed') {
    if (!(window.endMs > window.startMs)) throw new RangeError('a fixed window needs startMs < endMs');
    return { cur: `${key}:f${window.startMs}`, prev: null, expiresAt: window.endMs };
  }
  if (!Number.isSafeInteger(window.ms) || window.ms < 1) throw new RangeError('a sliding window needs a whole number of ms');
  const start = bucketStart(now, window.ms);
  const base = `${key}:s${window.ms}:`;
  // The current bucket is still read as "previous" during the next one.
  return { cur: base + start, prev: base + (start - window.ms), expiresAt: start + 2 * window.ms };
}

/**
 * The bucket an adjustment goes to: a refund with a time goes back to the bucket current then,
 * anything else to the current one. Null when that bucket has expired (nothing left to correct).
 */
export function adjustmentBucket(key: string, window: CounterWindow, amount: number, atMs: number | undefined, nowMs: number): BucketKeys | null {
  const keys = bucketKeys(key, window, amount < 0 && atMs !== undefined && atMs <= nowMs ? atMs : nowMs);
  return keys.expiresAt > nowMs ? keys : null;
}

/** Costs are whole units; rounding up never lets fractional costs slip under a limit. */
export function wholeUnits(amount: number): number {
  return Number.isFinite(amount) ? Math.ceil(amount) : 0;
}

export function usedNow(window: CounterWindow, s: CheckState, now: number): number {
  if (window.kind === 'fixed') return Math.max(0, s.cur);
  const elapsed = (now - bucketStart(now, window.ms)) / window.ms;
  return Math.max(0, s.prev * (1 - elapsed) + s.cur);
}

/** A zero-cost check passes only while the window is not exhausted. */
export function fits(used: number, cost: number, limit: number): boolean {
  return cost > 0 ? used + cost <= limit : used < limit;
}

/** The first check without room, or -1. The Redis script implements the same rule in Lua. */
export function firstDenied(checks: readonly LimitCheck[], states: readonly CheckState[], now: number): number {
  return checks.findIndex((c, i) => !fits(usedNow(c.window, states[i]!, now), wholeUnits(c.cost), c.limit));
}

/** Builds the result from the states read before the call and the decision taken on them. */
export function summarize(
  checks: readonly LimitCheck[],
  before: readonly CheckState[],
  now: number,
  deniedIndex: number,
): LimitResult {
  const allowed = deniedIndex === -1;
  const results = checks.map((c, i): LimitCheckResult => {
    const cost = wholeUnits(c.cost);
    const state = allowed ? { cur: before[i]!.cur + cost, prev: before[i]!.prev } : before[i]!;
    // Integers for headers; the epsilon keeps 4.0000000001 from showing as 5.
    const used = Math.max(0, Math.ceil(usedNow(c.window, state, now) - 1e-9));
    return { key: c.key, limit: c.limit, used, remaining: Math.max(0, c.limit - used), resetMs: waitForRoom(c, state, now) };
  });
  return { allowed, results, deniedIndex, retryAfterMs: allowed ? 0 : results[deniedIndex]!.resetMs };
}

/** Milliseconds until `cost` fits again given `state`; 0 when it fits now. */
export function waitForRoom(check: LimitCheck, state: CheckState, now: number): number {
  const cost = Math.max(1, wholeUnits(check.cost));
  const target = check.limit - cost;
  const w = check.window;
  if (w.kind === 'fixed') {
    return state.cur <= target ? 0 : Math.max(0, w.endMs - now);
  }
  const start = bucketStart(now, w.ms);
  const { cur, prev } = state;
  if (target < 0) {
    // Never fits: report when the window will be empty, the best a client can do.
    return cur > 0 ? start + 2 * w.ms - now : prev > 0 ? start + w.ms - now : 0;
  }
  if (cur <= target) {
    if (prev <= 0 || prev * (1 - (now - start) / w.ms) + cur <= target) return 0;
    // prev decays linearly through this bucket: solve prev * (1 - f) + cur = target.
    return Math.max(0, Math.ceil(start + w.ms * (1 - (target - cur) / prev) - now));
  }
  // This bucket alone is over: wait into the next one, where it decays as `prev`.
  return Math.ceil(start + w.ms - now + w.ms * (1 - target / cur));
}
