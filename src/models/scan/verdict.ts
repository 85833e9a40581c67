/**
 * Verdict arithmetic. Order, best to worst: clean < suspicious < error < malicious. `error`
 * ("could not be verified") is never better than suspicious; evidence of an attack still outranks
 * it. The CLI fails on `malicious` and on `error`.
 */
import type { Severity, Verdict } from './types.ts';

const RANK: Readonly<Record<Verdict, number>> = { clean: 0, suspicious: 1, error: 2, malicious: 3 };

export function verdictOf(severity: Severity): Verdict {
  return severity === 'info' ? 'clean' : severity;
}

export function worse(a: Verdict, b: Verdict): Verdict {
  return RANK[b] > RANK[a] ? b : a;
}

export function worstOf(severities: Iterable<Severity>): Verdict {
  let v: Verdict = 'clean';
  for (const s of severities) v = worse(v, verdictOf(s));
  return v;
}

/** True when a CI gate should fail on this verdict. */
export function isFailing(verdict: Verdict): boolean {
  return verdict === 'malicious' || verdict === 'error';
}
