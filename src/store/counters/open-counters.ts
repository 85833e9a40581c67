/**
 * Builds the Counters from the `counters` config. With Redis, start-up fails (coded error) when
 * Redis cannot be reached, rather than starting an instance that refuses every limited request.
 */
import type { Logger } from 'pino';
import type { CountersConfig } from '../../config/storage.ts';
import type { Counters } from '../types.ts';
import { MemoryCounters } from './memory-counters.ts';
import { RedisCounters } from './redis-counters.ts';

export interface OpenCountersDeps {
  logger: Logger;
}

/**
 * @example
 * const counters = await openCounters({ kind: 'redis', url: 'redis://127.0.0.1:6379', keyPrefix: 'rampart:',
 *   connectTimeoutMs: 2000, commandTimeoutMs: 500 }, { logger });
 */
export async function openCounters(config: CountersConfig, deps: OpenCountersDeps): Promise<Counters> {
  if (config.kind === 'memory') return new MemoryCounters({ maxKeys: config.maxKeys });
  const counters = new RedisCounters({ ...config, logger: deps.logger.child({ component: 'counters' }) });
  await counters.connect();
  return counters;
}
