/**
 * JSON logs (pino). Credentials are redacted by path as a second line of defence; the first is that
 * secrets are `Secret` objects, which serialize as [REDACTED].
 */
import { openSync } from 'node:fs';
import { pino, type Logger, type DestinationStream } from 'pino';
import { LogSink } from './log-sink.ts';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.secret',
];

let lastMs = Number.NaN;
let lastTime = '';

/**
 * pino's `isoTime`, made once per millisecond: a busy gateway writes several lines in the same
 * millisecond (one access line per request), and `toISOString` costs about a µs under load.
 */
export function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'rampart' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? logDestination(1),
  );
}

/** How long a log line may wait in the buffer before it is written. */
const LOG_FLUSH_MS = 250;

/**
 * The log's destination (a file descriptor or a path): writes of 16 KiB of lines (`LogSink`), so
 * that a busy gateway makes one write system call per fifty lines rather than one per line, with
 * every line written within LOG_FLUSH_MS, and the rest when the process exits.
 */
export function logDestination(dest: number | string): LogSink {
  // A path is opened here, synchronously: the file must be ready for the synchronous write at
  // exit when the process exits within its first turn of the event loop.
  const fd = typeof dest === 'number' ? dest : openSync(dest, 'a', 0o600);
  const sink = new LogSink(fd);
  const timer = setInterval(() => sink.flush(), LOG_FLUSH_MS);
  timer.unref();
  process.on('exit', () => sink.flushSync());
  return sink;
}

export const silentLogger: Logger = pino({ level: 'silent' });
