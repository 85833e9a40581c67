/**
 * JSON logs (pino). Credentials are redacted by path as a second line of defence; the first is that
 * secrets are `Secret` objects, which serialize as [REDACTED].
 */
import { openSync } from 'node:fs';
import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'rampart' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? logDestination(1),
  );
}

/** How long a log line may wait in the buffer before it is written. */
const LOG_FLUSH_MS = 250;

/**
 * The log's destination (a file descriptor or a path): asynchronous writes of at least 4 KiB, so
 * that a busy gateway makes one write system call per dozen lines rather than one per line, with
 * every line written within LOG_FLUSH_MS, and the rest when the process exits.
 */
export function logDestination(dest: number | string): DestinationStream {
  // A path is opened here, synchronously: an asynchronously opened file is not ready for the
  // synchronous flush at exit when the process exits within its first turn of the event loop.
  const fd = typeof dest === 'number' ? dest : openSync(dest, 'a', 0o600);
  const stream = pino.destination({ dest: fd, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // not open yet, or closed: the next tick or the exit handler writes the lines
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  // pino writes what is still buffered synchronously when the process exits (its autoEnd).
  return stream;
}

export const silentLogger: Logger = pino({ level: 'silent' });
