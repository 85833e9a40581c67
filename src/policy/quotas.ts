/**
 * Request and token limits per principal, per API key and per deployment, plus monthly token
 * budgets. Before the upstream call, one all-or-nothing `takeAll` reserves 1 request and the
 * estimated tokens on every applicable counter; after it, `reconcile` adds the difference between
 * the actual usage the upstream reported and the estimate.
 */
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { CounterWindow, Counters, LimitCheck, LimitCheckResult, LimitValues } from '../store/types.ts';

const MINUTE: CounterWindow = { kind: 'sliding', ms: 60_000 };

export interface QuotaSubject {
  principal: Principal;
  /** Limits carried by the API key itself, if any (else the config's apiKey default applies). */
  keyLimits: LimitValues | null;
  deployment: string;
  deploymentLimits: LimitValues | undefined;
}

export interface QuotaDefaults {
  principal?: LimitValues | undefined;
  apiKey?: LimitValues | undefined;
}

export interface Reservation {
  /** Token counters that got the estimate, to reconcile later. */
  readonly tokenKeys: readonly { key: string; window: CounterWindow }[];
  readonly estimatedTokens: number;
  /** When the estimate was counted: a refund goes back to the buckets it went into. */
  readonly atMs: number;
  /** OpenAI-style x-ratelimit-* headers for the response. */
  readonly headers: Record<string, string>;
}

type Kind = 'requests' | 'tokens' | 'budget';

/** One counter a subject is checked against. */
interface PlannedCounter {
  readonly key: string;
  readonly kind: Kind;
  readonly limit: number;
  readonly window: CounterWindow;
}

/** The counters of one subject, and what they were built from. */
interface Plan {
  readonly counters: readonly PlannedCounter[];
  readonly tokenKeys: readonly { key: string; window: CounterWindow }[];
  readonly keyLimits: LimitValues | null;
  readonly deploymentLimits: LimitValues | undefined;
  /** A monthly budget's window is the month of `now`: the plan holds only within it. */
  readonly validFrom: number;
  readonly validUntil: number;
}

const PLANS_PER_PRINCIPAL = 64;

function buildPlan(subject: QuotaSubject, defaults: QuotaDefaults, now: number): Plan {
  const counters: PlannedCounter[] = [];
  let validFrom = Number.NEGATIVE_INFINITY;
  let validUntil = Number.POSITIVE_INFINITY;
  const add = (scope: string, limits: LimitValues | undefined | null) => {
    if (!limits) return;
    if (limits.requestsPerMinute) counters.push({ key: `rpm:${scope}`, kind: 'requests', limit: limits.requestsPerMinute, window: MINUTE });
    if (limits.tokensPerMinute) counters.push({ key: `tpm:${scope}`, kind: 'tokens', limit: limits.tokensPerMinute, window: MINUTE });
    if (limits.tokensPerMonth) {
      const window = monthWindow(now);
      validFrom = Math.max(validFrom, window.startMs);
      validUntil = Math.min(validUntil, window.endMs);
      counters.push({ key: `tpmo:${scope}`, kind: 'budget', limit: limits.tokensPerMonth, window });
    }
  };
  const { principal } = subject;
  add(`p:${principal.id}`, defaults.principal);
  if (principal.apiKeyId) add(`k:${principal.apiKeyId}`, subject.keyLimits ?? defaults.apiKey);
  add(`d:${subject.deployment}`, subject.deploymentLimits);
  return {
    counters,
    tokenKeys: counters.filter((c) => c.kind !== 'requests').map((c) => ({ key: c.key, window: c.window })),
    keyLimits: subject.keyLimits,
    deploymentLimits: subject.deploymentLimits,
    validFrom,
    validUntil,
  };
}

/** Start and end of the calendar month (UTC) containing `now`. */
export function monthWindow(now: number): Extract<CounterWindow, { kind: 'fixed' }> {
  const d = new Date(now);
  const startMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const endMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { kind: 'fixed', startMs, endMs };
}

/** OpenAI formats reset durations like `1s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

export class QuotaService {
  readonly #counters: Counters;
  readonly #defaults: QuotaDefaults;
  readonly #plans = new WeakMap<Principal, Map<string, Plan>>();

  constructor(counters: Counters, defaults: QuotaDefaults) {
    this.#counters = counters;
    this.#defaults = defaults;
  }

  /** Reserves 1 request and `estimatedTokens`; throws 429 errors with Retry-After when over. */
  async reserve(subject: QuotaSubject, estimatedTokens: number, now: number): Promise<Reservation> {
    const { counters, tokenKeys } = this.#planOf(subject, now);
    const checks: LimitCheck[] = counters.map((c) => ({ key: c.key, cost: c.kind === 'requests' ? 1 : estimatedTokens, limit: c.limit, window: c.window }));
    if (checks.length === 0) return { tokenKeys, estimatedTokens, atMs: now, headers: {} };

    let result;
    try {
      result = await this.#counters.takeAll(checks, now);
    } catch (e) {
      // Fail closed: without counters no limit can be enforced.
      throw e instanceof RampartError ? e : new RampartError('RAMPART_COUNTERS_UNAVAILABLE', { cause: e });
    }
    const headers = rateLimitHeaders(result.results, counters);
    if (!result.allowed) {
      const kind = counters[result.deniedIndex]!.kind;
      const retryAfter = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
      const denied = result.results[result.deniedIndex]!;
      const what = kind === 'requests' ? 'requests per minute' : kind === 'tokens' ? 'tokens per minute' : 'tokens per month';
      const tooBig = kind !== 'requests' && estimatedTokens > denied.limit;
      throw new RampartError(kind === 'budget' ? 'RAMPART_BUDGET_EXCEEDED' : 'RAMPART_RATE_LIMITED', {
        detail: tooBig
          ? `This request (~${estimatedTokens} tokens) is larger than the limit of ${denied.limit} ${what}.`
          : `Limit: ${denied.limit} ${what} (${scopeName(denied.key)}).`,
        headers: { ...headers, 'retry-after': retryAfter },
      });
    }
    return { tokenKeys, estimatedTokens, atMs: now, headers };
  }

  /**
   * The counters a subject is checked against. They depend only on who calls which deployment
   * with which limits, so they are built once per principal (the authenticators hand out the same
   * frozen principal object while it is cached) and deployment, not six key strings per request.
   */
  #planOf(subject: QuotaSubject, now: number): Plan {
    const { principal, deployment } = subject;
    let perDeployment = this.#plans.get(principal);
    if (perDeployment === undefined) {
      perDeployment = new Map();
      this.#plans.set(principal, perDeployment);
    }
    const cached = perDeployment.get(deployment);
    if (cached !== undefined && cached.keyLimits === subject.keyLimits && cached.deploymentLimits === subject.deploymentLimits && now >= cached.validFrom && now < cached.validUntil) {
      return cached;
    }
    const plan = buildPlan(subject, this.#defaults, now);
    // Bounded: a principal calls a handful of deployments, and only existing deployments get here.
    if (perDeployment.size >= PLANS_PER_PRINCIPAL) perDeployment.clear();
    perDeployment.set(deployment, plan);
    return plan;
  }

  /** Adds actual minus estimated tokens to every token counter of the reservation. */
  async reconcile(reservation: Reservation, actualTokens: number, now: number): Promise<void> {
    const delta = actualTokens - reservation.estimatedTokens;
    if (delta === 0 || reservation.tokenKeys.length === 0) return;
    await this.#counters.addAll(
      reservation.tokenKeys.map((k) => ({ key: k.key, amount: delta, window: k.window, atMs: reservation.atMs })),
      now,
    );
  }
}

function scopeName(key: string): string {
  const scope = key.slice(key.indexOf(':') + 1);
  if (scope.startsWith('p:')) return 'per principal';
  if (scope.startsWith('k:')) return 'per API key';
  return 'per deployment';
}

/** The tightest request and token limits, in OpenAI's header names. */
function rateLimitHeaders(results: readonly LimitCheckResult[], counters: readonly PlannedCounter[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const tightest = (kind: Kind) => {
    let best: LimitCheckResult | undefined;
    results.forEach((r, i) => {
      if (counters[i]!.kind === kind && (!best || r.remaining < best.remaining)) best = r;
    });
    return best;
  };
  const req = tightest('requests');
  if (req) {
    headers['x-ratelimit-limit-requests'] = String(req.limit);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, req.remaining));
    headers['x-ratelimit-reset-requests'] = formatDuration(req.resetMs);
  }
  const tok = tightest('tokens');
  if (tok) {
    headers['x-ratelimit-limit-tokens'] = String(tok.limit);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tok.remaining));
    headers['x-ratelimit-reset-tokens'] = formatDuration(tok.resetMs);
  }
  return headers;
}
