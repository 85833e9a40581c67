/**
 * Opaque keyset-pagination cursors: the sort key of the last item of a page, as base64url JSON.
 * Opaque to clients, but not secret or signed: a forged cursor only moves where a page starts,
 * within what the filter already allows.
 */
import { RampartError } from '../core/errors.ts';

export type CursorValue = string | number;

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor whose parts must have the given types; anything else is a 400. */
export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): CursorValue[] {
  let values: unknown;
  try {
    if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('bad alphabet');
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(values) || values.length !== shape.length) throw invalidCursor();
  values.forEach((v, i) => {
    const ok = shape[i] === 'number' ? Number.isSafeInteger(v) : typeof v === 'string';
    if (!ok) throw invalidCursor();
  });
  return values as CursorValue[];
}

/** Page sizes are clamped to [1, max] so a client cannot ask for the whole table. */
export function clampLimit(limit: number, max = 1000): number {
  return Number.isFinite(limit) ? Math.min(max, Math.max(1, Math.trunc(limit))) : max;
}

function invalidCursor(): RampartError {
  return new RampartError('RAMPART_INVALID_REQUEST', { detail: 'The pagination cursor is not valid.', param: 'cursor' });
}
