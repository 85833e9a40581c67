/**
 * Classifying database errors the same way for both backends (PGlite and `pg` raise errors with
 * the same SQLSTATE `code`), and keeping credentials out of every message we raise.
 */
import { RampartError } from '../core/errors.ts';

/** SQLSTATE 23505 (PostgreSQL appendix A). */
export function isUniqueViolation(e: unknown): boolean {
  return sqlState(e) === '23505';
}

/** SQLSTATE class 22: the data itself is unacceptable; retrying the same data cannot help. */
export function isDataException(e: unknown): boolean {
  return sqlState(e)?.startsWith('22') ?? false;
}

export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// Class 08: connection exception; 57P0x: server shutting down / starting; 53300: too many
// connections; 57014: canceled by statement_timeout.
const UNAVAILABLE_STATES = /^(08...|57P0[1-4]|53300|57014)$/;
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Cannot use a pool after calling end/i;

/** True when the store could not be reached or gave up, as opposed to rejecting the statement. */
export function isUnavailable(e: unknown): boolean {
  if (e instanceof RampartError) return e.code === 'RAMPART_STORE_UNAVAILABLE';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
  return e instanceof Error && UNAVAILABLE_MESSAGES.test(e.message);
}

/** `postgres://user:***@host/db`: the URL without its password, safe for logs and errors. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '[unparseable URL]';
  }
}

/** Removes the URL's password from any text (driver messages may echo parts of the URL). */
export function scrubPassword(text: string, raw: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(raw).password);
  } catch {
    return text;
  }
  return password.length >= 3 ? text.split(password).join('***') : text;
}

/**
 * Wraps a connection-class failure as RAMPART_STORE_UNAVAILABLE; other errors pass through. The
 * driver's message stays in `cause` (logged, never sent to clients): it names hosts and ports.
 */
export function wrapStoreError(e: unknown): unknown {
  if (e instanceof RampartError || !isUnavailable(e)) return e;
  return new RampartError('RAMPART_STORE_UNAVAILABLE', { cause: e });
}
