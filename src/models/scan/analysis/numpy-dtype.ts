/**
 * numpy dtype strings as found in `.npy` headers (`'<f8'`, `'|O'`, `[('a', '<i4', (2,))]`) and in
 * pickled `numpy.dtype('f8', False, True)` calls: item size and whether the dtype holds Python
 * objects (then the data is a pickle, numpy/lib/format.py `write_array`).
 */

export interface DtypeInfo {
  readonly itemsize: number;
  readonly hasObject: boolean;
}

/** Item size of a simple type string ('<f8', 'u1', '|S10', '<U5', 'M8[ns]', 'O'), or null when unknown. */
export function simpleDtype(typestr: string): DtypeInfo | null {
  const m = /^([<>|=]?)([?bBhHiIlLqQpPefdgFDGSUVOMmaucix])(\d*)(\[[A-Za-z0-9]+\])?$/.exec(typestr.trim());
  if (!m) return null;
  const kind = m[2]!;
  const n = m[3] ? Number(m[3]) : undefined;
  if (n !== undefined && (!Number.isSafeInteger(n) || n > 1 << 30)) return null;
  const fixed: Record<string, number> = { '?': 1, b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: 8, L: 8, q: 8, Q: 8, p: 8, P: 8, e: 2, f: 4, d: 8, g: 16, F: 8, D: 16, G: 32 };
  switch (kind) {
    case 'O':
      return { itemsize: 8, hasObject: true };
    case 'S':
    case 'a':
    case 'V':
      return n === undefined ? null : { itemsize: n, hasObject: false };
    case 'U':
      return n === undefined ? null : { itemsize: 4 * n, hasObject: false };
    case 'M':
    case 'm':
      return { itemsize: n ?? 8, hasObject: false };
    case 'u':
    case 'i':
    case 'f':
    case 'c':
      if (n !== undefined) return { itemsize: n, hasObject: false };
      return kind === 'i' ? { itemsize: 4, hasObject: false } : kind === 'f' ? { itemsize: 8, hasObject: false } : null;
    default:
      return n !== undefined && kind !== 'b' ? null : { itemsize: n ?? fixed[kind] ?? 0, hasObject: false };
  }
}

/** A Python literal as parsed from a `.npy` header: str, int, bool, None, tuple/list. */
export type PyLiteral = string | number | boolean | null | PyLiteral[] | { readonly [k: string]: PyLiteral };

/** Item size of an `.npy` `descr` (a type string or a structured list), or null when invalid. */
export function descrDtype(descr: PyLiteral, depth = 0): DtypeInfo | null {
  if (typeof descr === 'string') return simpleDtype(descr);
  if (!Array.isArray(descr) || depth > 8 || descr.length === 0) return null;
  let itemsize = 0;
  let hasObject = false;
  for (const field of descr) {
    if (!Array.isArray(field) || field.length < 2 || field.length > 3) return null;
    const [name, type, shape] = field;
    if (typeof name !== 'string' && !Array.isArray(name)) return null;
    const inner = descrDtype(type!, depth + 1);
    if (!inner) return null;
    let count = 1;
    if (shape !== undefined) {
      const dims = Array.isArray(shape) ? shape : [shape];
      for (const d of dims) {
        if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return null;
        count *= d;
      }
    }
    itemsize += inner.itemsize * count;
    hasObject ||= inner.hasObject;
  }
  return Number.isSafeInteger(itemsize) ? { itemsize, hasObject } : null;
}

/** Product of a shape, or null when not a tuple of non-negative ints or too large to be real. */
export function shapeCount(shape: readonly unknown[]): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}
