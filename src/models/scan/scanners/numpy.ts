/**
 * numpy `.npy` files (numpy/lib/format.py, format versions 1.0-3.0): magic, header length and
 * the header dict (`descr`, `fortran_order`, `shape`). Arrays of plain dtypes must hold exactly
 * `prod(shape) * itemsize` bytes. An object dtype (`|O`, or a structured dtype with an object
 * field) means the data is a pickle (loaded only with allow_pickle=True): it is scanned as one.
 * `.npz` files are zips of `.npy` files and reach this scanner through the zip scanner.
 */
import { descrDtype, shapeCount } from '../analysis/numpy-dtype.ts';
import { parsePyLiteral } from '../analysis/py-literal.ts';
import { scanPickleFile } from '../pickle/run.ts';
import type { ScannerDescriptor } from '../scanner.ts';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export const numpyScanner: ScannerDescriptor = {
  id: 'numpy',
  version: '1.0.0',
  description: 'numpy .npy arrays: header, sizes, and object arrays scanned as pickles.',
  sniff: (head) => head.length >= 8 && head.subarray(0, 6).equals(MAGIC),
  async scan(input, ctx) {
    const r = input.reader;
    const fail = (offset: number, why: string): void => ctx.report({ severity: 'error', rule: 'numpy.malformed', offset, message: `${why}: the array cannot be verified.` });
    const pre = await r.read(8);
    if (pre === null) return fail(0, 'Truncated before the header length');
    const major = pre[6]!;
    if (major < 1 || major > 3) return fail(6, `Unknown .npy format version ${major}.${pre[7]}`);
    const lenBytes = await r.read(major === 1 ? 2 : 4);
    if (lenBytes === null) return fail(8, 'Truncated header length');
    const headerLen = major === 1 ? lenBytes.readUInt16LE(0) : lenBytes.readUInt32LE(0);
    if (headerLen > Math.min(ctx.limits.maxHeaderBytes, 1 << 20)) return fail(8, `Header length ${headerLen} is out of range`);
    const raw = await r.read(headerLen);
    if (raw === null) return fail(r.offset, 'Truncated header');
    const text = raw.toString(major === 3 ? 'utf8' : 'latin1');
    const header = parsePyLiteral(text);
    if (header === undefined || header === null || typeof header !== 'object' || Array.isArray(header)) return fail(r.offset - headerLen, 'The header is not a Python dict literal');
    const h = header as Record<string, unknown>;
    const dtype = descrDtype(h['descr'] as never);
    const shape = Array.isArray(h['shape']) ? shapeCount(h['shape']) : null;
    if (dtype === null || shape === null || typeof h['fortran_order'] !== 'boolean') return fail(r.offset - headerLen, `Header ${JSON.stringify(text.trim().slice(0, 200))} lacks a valid descr, shape or fortran_order`);
    const dataAt = r.offset;
    if (dtype.hasObject) {
      ctx.report({ severity: 'info', rule: 'numpy.object-array', offset: dataAt, message: `Object dtype ${JSON.stringify(h['descr'])}: the data from offset ${dataAt} is a pickle (np.load needs allow_pickle=True); scanned as one.` });
      await scanPickleFile(r, ctx, false);
      return;
    }
    const bytes = shape * dtype.itemsize;
    if (!(await r.skip(bytes))) {
      ctx.report({ severity: 'error', rule: 'numpy.truncated', offset: r.offset, message: `The header promises ${bytes} bytes of data from offset ${dataAt} but the file ends at ${r.offset}.` });
      return;
    }
    if ((await r.peek(1)).length > 0) {
      ctx.report({ severity: 'suspicious', rule: 'numpy.trailing-data', offset: r.offset, message: `Bytes after the array data (from offset ${r.offset}): np.load ignores them; another reader may not.` });
    }
  },
};
