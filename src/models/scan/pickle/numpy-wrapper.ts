/**
 * joblib writes numpy array bytes straight into the pickle stream, right after the BUILD of a
 * `joblib.numpy_pickle.NumpyArrayWrapper` (joblib/numpy_pickle.py `write_array`): a padding-length
 * byte and padding when `numpy_array_alignment_bytes` is set, then `prod(shape) * itemsize` bytes;
 * or, for object arrays, a whole nested pickle. To keep reading opcodes after the array, the
 * wrapper's state must be sized from its symbolic value.
 */
import { shapeCount, simpleDtype } from '../analysis/numpy-dtype.ts';
import { K_CALL, K_DICT, K_GLOBAL, K_TUPLE, type Sym } from './symbolic.ts';

export interface ArrayLayout {
  /** The data is a nested pickle (object dtype). */
  readonly objects: boolean;
  readonly bytes: number;
  /** A padding-length byte (and that many padding bytes) precede the data. */
  readonly padded: boolean;
}

/** numpy's NPY_ITEM_HASOBJECT flag in a dtype's pickled state (numpy/core/include/numpy/ndarraytypes.h). */
const NPY_ITEM_HASOBJECT = 0x01;

function dtypeOf(sym: Sym): { itemsize: number; hasObject: boolean } | null {
  if (typeof sym !== 'object' || sym === null || sym.t !== K_CALL) return null;
  const fn = sym.fn;
  if (typeof fn !== 'object' || fn === null || fn.t !== K_GLOBAL || fn.name !== 'dtype' || !fn.module.startsWith('numpy')) return null;
  const args = sym.args;
  if (typeof args !== 'object' || args === null || args.t !== K_TUPLE || args.items === null) return null;
  const typestr = args.items[0];
  if (typeof typestr !== 'string') return null;
  const base = simpleDtype(typestr);
  // State tuple (version, endian, subarray, names, fields, elsize, alignment, flags): elsize and
  // flags are authoritative for structured ('V') dtypes.
  const st = sym.state;
  let itemsize = base?.itemsize ?? -1;
  let hasObject = base?.hasObject ?? false;
  if (typeof st === 'object' && st !== null && st.t === K_TUPLE && st.items !== null && st.items.length >= 8) {
    const elsize = st.items[5];
    const flags = st.items[7];
    if (typeof elsize === 'number' && elsize > 0) itemsize = elsize;
    if (typeof flags === 'number' && (flags & NPY_ITEM_HASOBJECT) !== 0) hasObject = true;
  }
  if (hasObject) return { itemsize: 8, hasObject };
  return itemsize >= 0 ? { itemsize, hasObject } : null;
}

/** The bytes that follow a wrapper with this BUILD state, or null when they cannot be sized. */
export function wrapperLayout(state: Sym): ArrayLayout | null {
  if (typeof state !== 'object' || state === null || state.t !== K_DICT || state.entries === null) return null;
  const dtype = dtypeOf(state.entries.get('dtype') ?? null);
  if (!dtype) return null;
  if (dtype.hasObject) return { objects: true, bytes: 0, padded: false };
  const shape = state.entries.get('shape');
  let count: number | null;
  if (typeof shape === 'object' && shape !== null && shape.t === K_TUPLE) count = shape.items === null ? null : shapeCount(shape.items);
  else count = null;
  if (count === null) return null;
  const align = state.entries.get('numpy_array_alignment_bytes');
  const bytes = count * dtype.itemsize;
  if (!Number.isSafeInteger(bytes)) return null;
  return { objects: false, bytes, padded: typeof align === 'number' };
}
