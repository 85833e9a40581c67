/**
 * Config sections of rampart.yaml owned by the store: `storage` (embedded PGlite or PostgreSQL)
 * and `counters` (memory or Redis). The config layer composes them into the one schema; every
 * field's `.describe()` ends up in the generated reference docs.
 */
import { z } from 'zod';

/** SQL identifier we accept for a schema name: no quoting needed, no injection possible. */
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function hasProtocol(protocols: readonly string[]) {
  return (value: string): boolean => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  };
}

export const embeddedStorageSchema = z
  .strictObject({
    kind: z.literal('embedded').describe('Embedded PostgreSQL (PGlite) in a local directory: zero set-up, one instance.'),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Directory holding the database and its lock file; created with mode 0700, and set to 0700 at start-up if it was open to other users (the database files inside are world-readable by themselves). Relative to the working directory.'),
    threadPriority: z
      .enum(['background', 'normal'])
      .default('background')
      .describe(
        'background: on Linux the database\'s thread (audit writes, key lookups) moves to the idle scheduling class, so requests get the CPU first, and is moved back to normal priority as soon as it waits for a CPU 75 % of the last two seconds, or a request to it is pending over a second while it waits at least a quarter of the time (watched from the request thread; back to the background after 10 s of keeping up, twice as long each time it was starved again soon, up to 10 minutes); ' +
          'applied only where the process may raise it again (CAP_SYS_NICE, or RLIMIT_NICE of at least 20) and `chrt` (util-linux) is installed, otherwise the thread stays normal. normal: never changed.',
      ),
  })
  .describe('Embedded store for a single instance.');

export const postgresStorageSchema = z
  .strictObject({
    kind: z.literal('postgres').describe('PostgreSQL by URL, shared by every instance.'),
    url: z
      .string()
      .refine(hasProtocol(['postgres:', 'postgresql:']), { message: 'must be a postgres:// or postgresql:// URL' })
      .describe(
        'Connection URL, e.g. postgres://rampart@db:5432/rampart?sslmode=verify-full. Put the password in ${env:...} or ${file:...}; it is redacted from every log and error.',
      ),
    poolSize: z.int().min(1).max(200).default(10).describe('Most connections this instance opens.'),
    schema: z
      .string()
      .regex(SQL_IDENTIFIER, 'must be a lower-case SQL identifier (letters, digits, _)')
      .optional()
      .describe('Schema for Rampart\'s tables (created if missing). Default: the server\'s search_path, usually "public".'),
    connectTimeoutMs: z.int().min(100).max(60_000).default(5_000).describe('Longest wait for a new connection.'),
    statementTimeoutMs: z
      .int()
      .min(100)
      .max(600_000)
      .default(30_000)
      .describe('Server-side statement_timeout; a slow query fails instead of holding a connection forever.'),
  })
  .describe('PostgreSQL store, for several instances.');

export const storageSchema = z
  .discriminatedUnion('kind', [embeddedStorageSchema, postgresStorageSchema])
  .describe('Where Rampart keeps API keys and the audit log. Both backends run the same migrations.');

export const memoryCountersSchema = z
  .strictObject({
    kind: z.literal('memory').describe('In-process counters: limits hold for this instance only.'),
    maxKeys: z
      .int()
      .min(1_000)
      .max(100_000_000)
      .default(1_000_000)
      .describe('Most live counter buckets kept; beyond it (after expiring old ones) requests fail closed.'),
  })
  .describe('Counters in memory, for one instance.');

export const redisCountersSchema = z
  .strictObject({
    kind: z.literal('redis').describe('Counters in Redis: every instance enforces the same limit.'),
    url: z
      .string()
      .refine(hasProtocol(['redis:', 'rediss:']), { message: 'must be a redis:// or rediss:// URL' })
      .describe('Redis URL, e.g. rediss://:password@cache:6380/0. The password is redacted from every log and error.'),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9:._-]{0,64}$/, 'must be at most 64 characters of letters, digits and : . _ -')
      .default('rampart:')
      .describe('Prefix of every key Rampart writes, to share a Redis database with other applications.'),
    connectTimeoutMs: z.int().min(100).max(60_000).default(2_000).describe('Longest wait to (re)connect.'),
    commandTimeoutMs: z
      .int()
      .min(10)
      .max(10_000)
      .default(500)
      .describe('Longest wait for one counter round trip; past it the request is refused (fail closed), not delayed.'),
  })
  .describe('Counters in Redis (standalone or behind Sentinel; not Redis Cluster), shared by every instance.');

export const countersSchema = z
  .discriminatedUnion('kind', [memoryCountersSchema, redisCountersSchema])
  .describe('Where rate-limit and budget counters live.');

export type StorageConfig = z.output<typeof storageSchema>;
export type CountersConfig = z.output<typeof countersSchema>;
export type StorageConfigInput = z.input<typeof storageSchema>;
export type CountersConfigInput = z.input<typeof countersSchema>;
