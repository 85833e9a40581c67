/**
 * Reading values out of verified JWT claims: own properties only, bounded sizes, one coded error
 * (RAMPART_AUTH_INVALID_TOKEN) for a claim of the wrong shape.
 */
import { RampartError } from '../core/errors.ts';

export const MAX_LIST_ENTRIES = 1_000;
export const MAX_VALUE_CHARS = 1_024;
const MAX_PATH_DEPTH = 8;

export type Claims = Readonly<Record<string, unknown>>;

export function invalid(detail: string): RampartError {
  return new RampartError('RAMPART_AUTH_INVALID_TOKEN', { detail });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(node: Record<string, unknown>, path: string, depth: number): unknown {
  if (Object.hasOwn(node, path)) return node[path];
  if (depth >= MAX_PATH_DEPTH) return undefined;
  // Keys may contain dots themselves (`kubernetes.io`, `https://example.com/roles`): try each split.
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (!Object.hasOwn(node, head)) continue;
    const child = node[head];
    if (!isPlainObject(child)) continue;
    const found = walk(child, path.slice(i + 1), depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Reads a claim by name, else by dotted path (`realm_access.roles`, `kubernetes.io.namespace`).
 * The whole name is tried first so namespaced claims such as `https://example.com/roles` work.
 */
export function readClaim(claims: Claims, path: string): unknown {
  return walk(claims as Record<string, unknown>, path, 0);
}

/** The first of `paths` that is present in the claims, or undefined. */
export function readFirst(claims: Claims, paths: readonly string[]): unknown {
  for (const p of paths) {
    const v = readClaim(claims, p);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** A non-empty, bounded string claim, or undefined when absent; throws when present with another shape. */
export function stringClaim(claims: Claims, paths: readonly string[], what: string): string | undefined {
  const v = readFirst(claims, paths);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_VALUE_CHARS) {
    throw invalid(`The ${what} claim must be a non-empty string of at most ${MAX_VALUE_CHARS} characters.`);
  }
  return v;
}

/** A claim that holds names: absent -> [], a string -> [it], an array of strings -> them (deduplicated). */
export function nameList(value: unknown, what: string, splitSpaces = false): string[] {
  if (value === undefined || value === null) return [];
  // RFC 8693 §4.2 / RFC 9068 §2.2.3: `scope` is one space-separated string.
  const list = typeof value === 'string' ? (splitSpaces ? value.split(' ').filter((s) => s !== '') : [value]) : value;
  if (!Array.isArray(list)) throw invalid(`The ${what} claim must be a string or an array of strings.`);
  if (list.length > MAX_LIST_ENTRIES) throw invalid(`The ${what} claim has more than ${MAX_LIST_ENTRIES} entries.`);
  const out = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_VALUE_CHARS) {
      throw invalid(`The ${what} claim must contain non-empty strings of at most ${MAX_VALUE_CHARS} characters.`);
    }
    out.add(item);
  }
  return [...out];
}
