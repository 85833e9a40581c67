/**
 * Counters in Redis, shared by every instance. One Lua script per call (see counters-script.ts)
 * makes takeAll atomic and all-or-nothing across its keys in one round trip. Every wait is
 * bounded: with Redis slow or down a call rejects with RAMPART_COUNTERS_UNAVAILABLE within the
 * command timeout (at once while disconnected), and the gateway fails closed on it.
 *
 * Bucket TTLs are computed from the caller's `nowMs` (the window end minus now), so keys expire
 * with their window even when the caller runs on an injected clock.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RampartError } from '../../core/errors.ts';
import { redactUrl } from '../sql-errors.ts';
import type { CounterAdjustment, CounterWindow, Counters, LimitCheck, LimitResult } from '../types.ts';
import { COUNTERS_LUA } from './counters-script.ts';
import { adjustmentBucket, bucketKeys, summarize, wholeUnits, type BucketKeys, type CheckState } from './window-math.ts';

export interface RedisCountersOptions {
  url: string;
  keyPrefix: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  logger: Logger;
}

type ScriptReply = (number | string)[];
type WithScript = Redis & { rampartCounters(numKeys: number, ...args: (string | number)[]): Promise<ScriptReply> };

/** A bucket outlives its window slightly: a late reconcile still finds it. */
const MIN_TTL_MS = 1_000;

export class RedisCounters implements Counters {
  readonly kind = 'redis' as const;
  readonly shared = true;
  readonly #redis: WithScript;
  readonly #prefix: string;
  readonly #safeUrl: string;

  /** Does not connect; `connect()` does (openCounters calls it). Until then calls fail closed. */
  constructor(opts: RedisCountersOptions) {
    this.#prefix = `${opts.keyPrefix}ctr:`;
    this.#safeUrl = redactUrl(opts.url);
    const redis = new Redis(opts.url, {
      lazyConnect: true,
      connectTimeout: opts.connectTimeoutMs,
      commandTimeout: opts.commandTimeoutMs,
      // Never queue commands while disconnected: a request waiting for Redis to come back would
      // hang; failing at once lets the gateway answer 503 right away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3_000),
      connectionName: 'rampart-counters',
    });
    redis.defineCommand('rampartCounters', { lua: COUNTERS_LUA });
    let lastLogged = 0;
    // ioredis emits 'error' on every failed reconnect; log it at most every 10 s.
    redis.on('error', (err: Error) => {
      const now = Date.now();
      if (now - lastLogged < 10_000) return;
      lastLogged = now;
      opts.logger.warn({ redis: this.#safeUrl, reason: err.message }, 'Redis counters unavailable; requests with limits are refused');
    });
    redis.on('ready', () => {
      if (lastLogged !== 0) opts.logger.info({ redis: this.#safeUrl }, 'Redis counters reconnected');
      lastLogged = 0;
    });
    this.#redis = redis as WithScript;
  }

  async connect(): Promise<void> {
    try {
      await this.#redis.connect();
      await this.#redis.ping();
    } catch (e) {
      this.#redis.disconnect();
      throw new RampartError('RAMPART_COUNTERS_UNAVAILABLE', { detail: `cannot reach Redis at ${this.#safeUrl}`, cause: e });
    }
  }

  async takeAll(checks: readonly LimitCheck[], nowMs: number): Promise<LimitResult> {
    if (checks.length === 0) return { allowed: true, results: [], deniedIndex: -1, retryAfterMs: 0 };
    const reply = await this.#run('take', checks.map((c) => ({ key: c.key, amount: c.cost, limit: c.limit, window: c.window })), nowMs);
    const states: CheckState[] = checks.map((_, i) => ({ cur: Number(reply[2 + 2 * i]), prev: Number(reply[3 + 2 * i]) }));
    const denied = Number(reply[0]) === 1 ? -1 : Number(reply[1]);
    return summarize(checks, states, nowMs, denied);
  }

  async addAll(items: readonly CounterAdjustment[], nowMs: number): Promise<void> {
    // Each adjustment's bucket, worked out once; a refund whose bucket expired is dropped.
    const live = items.flatMap((it) => {
      const bucket = adjustmentBucket(this.#prefix + it.key, it.window, it.amount, it.atMs, nowMs);
      return bucket ? [{ ...it, limit: 0, bucket }] : [];
    });
    if (live.length === 0) return;
    await this.#run('add', live, nowMs);
  }

  async ping(): Promise<void> {
    try {
      await this.#redis.ping();
    } catch (e) {
      throw unavailable(e);
    }
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  async #run(
    mode: 'take' | 'add',
    items: readonly { key: string; amount: number; limit: number; window: CounterWindow; bucket?: BucketKeys }[],
    nowMs: number,
  ): Promise<ScriptReply> {
    const keys: string[] = [];
    const args: (string | number)[] = [mode, Math.trunc(nowMs)];
    for (const it of items) {
      const b = it.bucket ?? bucketKeys(this.#prefix + it.key, it.window, nowMs);
      keys.push(b.cur, b.prev ?? b.cur);
      const ttl = Math.max(MIN_TTL_MS, Math.ceil(b.expiresAt - nowMs));
      args.push(it.window.kind === 'sliding' ? 's' : 'f', wholeUnits(it.amount), it.limit, it.window.kind === 'sliding' ? it.window.ms : 0, ttl);
    }
    try {
      return await this.#redis.rampartCounters(keys.length, ...keys, ...args);
    } catch (e) {
      throw unavailable(e);
    }
  }
}

function unavailable(cause: unknown): RampartError {
  return new RampartError('RAMPART_COUNTERS_UNAVAILABLE', { cause });
}
