/**
 * The data plane's access line: one JSON line per request, written where the process's log goes
 * and shaped exactly as pino writes it (its level, time and bindings prefix, then the fields, then
 * `msg`), so log pipelines see one format.
 *
 * Built by hand rather than through `logger.info(obj)`: the line has a fixed shape of ids, names
 * and numbers, and pino's general path (walking the object, escaping each value, its serializer
 * and hook checks) was the largest single cost Rampart added to a request: 12 µs of the request
 * thread's ~210 µs under load and ~5 KB of garbage per line (docs/benchmarks.md, session 10). The
 * prefix comes from the logger itself, so levels, timestamps and bindings stay pino's.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export interface AccessEntry {
  readonly requestId: string;
  readonly route: string;
  readonly principal: string | undefined;
  readonly deployment: string | null;
  readonly upstream: string | null;
  readonly status: number;
  readonly code: string | null;
  readonly latencyMs: number;
}

export type AccessLog = (entry: AccessEntry) => void;

/** Level 30 is pino's `info`. */
const INFO = 30;

function str(s: string | null): string {
  return s === null ? 'null' : JSON.stringify(s);
}

/**
 * The access log of `logger` at `info`, or null when the logger does not write `info` lines.
 *
 * @example
 *   const access = createAccessLog(logger);
 *   access?.({ requestId, route, principal, deployment, upstream, status, code: null, latencyMs });
 */
export function createAccessLog(logger: Logger): AccessLog | null {
  if (!logger.isLevelEnabled('info')) return null;
  const internals = logger as unknown as Record<symbol, unknown>;
  const levelPrefix = (internals[pino.symbols.lsCacheSym] as Record<number, string>)[INFO]!;
  const time = internals[pino.symbols.timeSym] as () => string;
  const bindings = internals[pino.symbols.chindingsSym] as string;
  const stream = internals[pino.symbols.streamSym] as DestinationStream;
  return (e) => {
    // The optional principal is left out when unknown, as JSON.stringify (and pino) leave out undefined.
    const principal = e.principal === undefined ? '' : `,"principal":${JSON.stringify(e.principal)}`;
    stream.write(
      `${levelPrefix}${time()}${bindings},"requestId":${JSON.stringify(e.requestId)},"route":${JSON.stringify(e.route)}${principal},"deployment":${str(e.deployment)},"upstream":${str(e.upstream)},"status":${e.status},"code":${str(e.code)},"latencyMs":${Number.isFinite(e.latencyMs) ? e.latencyMs : 'null'},"msg":"request"}\n`,
    );
  };
}
