/**
 * Model-relative path rules: the names in a manifest, ignore paths, and their canonical order.
 * Names are POSIX paths relative to the model root. Absolute paths and `..` are never valid
 * (they would name something outside the model), whatever the signer or the caller says.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { ModelSignatureError, malformed, quoteName } from './errors.ts';

/** The name of the only item of a model that is a single file (the reference tool writes "."). */
export const SINGLE_FILE_NAME = '.';

const MAX_NAME_LENGTH = 4096;

/** Why a model-relative path is not acceptable, or undefined if it is. */
export function pathProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return 'is too long';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.startsWith('/')) return 'is absolute';
  for (const part of name.split('/')) {
    if (part === '..') return 'contains ".."';
    if (part === '' || part === '.') return 'is not in normal form';
  }
  return undefined;
}

/** Validates a manifest item name taken from a signature (untrusted). */
export function checkSignedName(name: string): void {
  if (name === SINGLE_FILE_NAME) return;
  const problem = pathProblem(name);
  if (problem) throw malformed(`The manifest name ${quoteName(name)} ${problem}.`);
}

/**
 * Normalizes an ignore path given by the caller: relative to the model root, or absolute inside
 * it. `./a/` becomes `a`; a path outside the model or naming the whole model is refused.
 */
export function normalizeIgnorePath(path: string, modelRoot: string): string {
  let p = path;
  if (isAbsolute(p)) {
    p = relative(modelRoot, p);
    if (p === '' || p.startsWith('..') || isAbsolute(p)) {
      throw new ModelSignatureError('MODEL_PATH_REFUSED', `The ignore path ${quoteName(path)} is not inside the model.`);
    }
    if (sep !== '/') p = p.split(sep).join('/');
  }
  const parts = p.split('/').filter((part) => part !== '' && part !== '.');
  const normal = parts.join('/');
  const problem = pathProblem(normal);
  if (problem) throw new ModelSignatureError('MODEL_PATH_REFUSED', `The ignore path ${quoteName(path)} ${problem}.`);
  return normal;
}

/** Validates an ignore path recorded in a signature (untrusted, but signed). */
export function checkSignedIgnorePath(path: string): void {
  const problem = pathProblem(path);
  if (problem) throw malformed(`The recorded ignore path ${quoteName(path)} ${problem}.`);
}

/** True when `name` is an ignore path or lies below one (path-component prefix, not string prefix). */
export function isIgnored(name: string, ignore: ReadonlySet<string>): boolean {
  if (ignore.size === 0) return false;
  let end = name.indexOf('/');
  while (end !== -1) {
    if (ignore.has(name.slice(0, end))) return true;
    end = name.indexOf('/', end + 1);
  }
  return ignore.has(name);
}

/** Compares two strings by Unicode code point (JavaScript's `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates order differently by code unit and by code point: lift them above the BMP.
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The reference tool's order of files: Python compares `PurePosixPath`s by their list of
 * components, so `a/b` sorts before `a.txt` (unlike a plain string sort).
 */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareCodePoints(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** A shard name `path:start:end` split into its parts; undefined if it does not have that form. */
export interface ShardName {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

export function parseShardName(name: string): ShardName | undefined {
  const parts = name.split(':');
  if (parts.length !== 3 || !DECIMAL.test(parts[1]!) || !DECIMAL.test(parts[2]!)) return undefined;
  const start = Number(parts[1]);
  const end = Number(parts[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  return { path: parts[0]!, start, end };
}

export function shardName(path: string, start: number, end: number): string {
  return `${path}:${start}:${end}`;
}

/** Order of shard items: (path, start, end), like the reference tool's `Shard` dataclass. */
export function compareShardNames(a: string, b: string): number {
  const sa = parseShardName(a);
  const sb = parseShardName(b);
  if (!sa || !sb) return comparePaths(a, b);
  return comparePaths(sa.path, sb.path) || sa.start - sb.start || sa.end - sb.end;
}
