/**
 * Routes one call of a deployment to its targets: lowest priority first, weighted random order
 * among equal priorities, retries with exponential backoff and jitter on retryable failures (429,
 * 5xx, timeouts, connect errors), failing over to the next target; a target whose Retry-After is
 * longer than the router may wait is not called again in the same call. A call that has resolved
 * (response headers received) is never retried, so a stream is never restarted after its first
 * byte reached the client.
 */
import { RampartError } from '../core/errors.ts';
import type { Operation, ProviderTarget, UpstreamCallOptions, UpstreamSuccess } from './providers/provider.ts';
import { UpstreamFailure } from './providers/provider.ts';

export interface RetryOptions {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface RouteObserver {
  /** Called for every failed attempt (metrics, logs). */
  onAttemptFailed?(target: ProviderTarget, failure: UpstreamFailure, attempt: number): void;
}

export interface RoutedResult {
  result: UpstreamSuccess;
  target: ProviderTarget;
  attempts: number;
  /** Milliseconds spent waiting on upstreams (all attempts, including backoff). */
  upstreamMs: number;
}

export interface DeploymentRouterOptions {
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class DeploymentRouter {
  readonly name: string;
  readonly #targets: readonly ProviderTarget[];
  readonly #retry: RetryOptions;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #now: () => number;

  constructor(name: string, targets: readonly ProviderTarget[], retry: RetryOptions, opts: DeploymentRouterOptions = {}) {
    if (targets.length === 0) throw new Error(`deployment ${name} has no targets`);
    this.name = name;
    this.#targets = [...targets].sort((a, b) => a.options.priority - b.options.priority);
    this.#retry = { ...retry };
    this.#random = opts.random ?? Math.random;
    this.#sleep = opts.sleep ?? abortableSleep;
    this.#now = opts.now ?? (() => performance.now());
  }

  supports(op: Operation): boolean {
    return this.#targets.some((t) => t.supports(op));
  }

  get targets(): readonly ProviderTarget[] {
    return this.#targets;
  }

  /** Targets in the order this call will try them. */
  plan(op: Operation): ProviderTarget[] {
    const usable = this.#targets.filter((t) => t.supports(op));
    const out: ProviderTarget[] = [];
    let i = 0;
    while (i < usable.length) {
      let j = i;
      while (j < usable.length && usable[j]!.options.priority === usable[i]!.options.priority) j++;
      out.push(...this.#weightedOrder(usable.slice(i, j)));
      i = j;
    }
    return out;
  }

  #weightedOrder(group: ProviderTarget[]): ProviderTarget[] {
    if (group.length === 1) return group;
    const pool = [...group];
    const out: ProviderTarget[] = [];
    while (pool.length > 0) {
      const total = pool.reduce((s, t) => s + t.options.weight, 0);
      let r = this.#random() * total;
      let k = 0;
      for (; k < pool.length - 1; k++) {
        r -= pool[k]!.options.weight;
        if (r < 0) break;
      }
      out.push(pool.splice(k, 1)[0]!);
    }
    return out;
  }

  async call(op: Operation, body: Record<string, unknown>, opts: UpstreamCallOptions, observer: RouteObserver = {}): Promise<RoutedResult> {
    const plan = this.plan(op);
    if (plan.length === 0) {
      throw new RampartError('RAMPART_UNSUPPORTED_OPERATION', { detail: `Deployment '${this.name}' cannot serve ${op}.` });
    }
    const maxAttempts = 1 + this.#retry.attempts;
    let last: UpstreamFailure | undefined;
    let upstreamMs = 0;
    // Targets that asked to be left alone for longer than the router may wait (Retry-After over
    // maxBackoffMs): not called again in this call. When none is left, the call ends with the
    // upstream's 429 and its Retry-After, instead of hammering it early.
    const resting = new Set<ProviderTarget>();
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const target = plan[attempt % plan.length]!;
      if (attempt > 0 && attempt % plan.length === 0) {
        // Every target failed once: back off before going round again.
        const wait = this.#backoff(attempt / plan.length, last);
        const t0 = this.#now();
        try {
          await this.#sleep(wait, opts.signal);
        } finally {
          upstreamMs += this.#now() - t0;
        }
      }
      if (opts.signal.aborted) break;
      if (resting.has(target)) continue; // after the round's backoff, so the others still wait
      const t0 = this.#now();
      try {
        const result = await target.call(op, body, opts);
        upstreamMs += this.#now() - t0;
        return { result, target, attempts: attempt + 1, upstreamMs };
      } catch (e) {
        upstreamMs += this.#now() - t0;
        if (!(e instanceof UpstreamFailure)) throw e;
        last = e;
        observer.onAttemptFailed?.(target, e, attempt);
        if (!e.retryable) break;
        if (e.retryAfterMs !== undefined && e.retryAfterMs > this.#retry.maxBackoffMs) {
          resting.add(target);
          if (resting.size === plan.length) break;
        }
      }
    }
    throw finalError(last, this.name);
  }

  #backoff(round: number, last: UpstreamFailure | undefined): number {
    const { backoffMs, maxBackoffMs } = this.#retry;
    if (last?.retryAfterMs !== undefined && last.retryAfterMs <= maxBackoffMs) return last.retryAfterMs;
    const exp = Math.min(maxBackoffMs, backoffMs * 2 ** (round - 1));
    return Math.round(exp / 2 + this.#random() * (exp / 2)); // "equal jitter"
  }
}

/** What the client gets when every attempt failed. */
export function finalError(last: UpstreamFailure | undefined, deployment: string): Error {
  if (!last) return new RampartError('RAMPART_UPSTREAM_UNAVAILABLE', { detail: `Deployment '${deployment}': the request was cancelled.` });
  if (!last.retryable && last.body) return last; // the upstream's own (sanitised) error, passed through
  switch (last.kind) {
    case 'timeout':
      return new RampartError('RAMPART_UPSTREAM_TIMEOUT', { detail: `Deployment '${deployment}'.`, cause: last });
    case 'connect':
      return new RampartError('RAMPART_UPSTREAM_UNAVAILABLE', { detail: `Deployment '${deployment}'.`, cause: last });
    case 'bad-response':
      return new RampartError('RAMPART_UPSTREAM_BAD_RESPONSE', { detail: `Deployment '${deployment}'.`, cause: last });
    default: {
      const headers: Record<string, string> = {};
      if (last.status === 429 && last.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(last.retryAfterMs / 1000));
      return new RampartError('RAMPART_UPSTREAM_ERROR', {
        status: last.status === 429 ? 429 : 502,
        detail: `Deployment '${deployment}': upstream status ${last.status}.`,
        headers,
        cause: last,
      });
    }
  }
}
