/**
 * joblib's compressed files (joblib/compressor.py, numpy_pickle_compat.py): a zlib stream (the
 * default `compress=True`), the pre-0.10 `ZF` format (`ZF` + 19 bytes of hex length + zlib), and
 * bz2 / xz / lz4 streams. zlib is decompressed with node:zlib and the pickle inside is scanned;
 * Node has no bz2, xz or lz4 decoder, so those are suspicious: they cannot be inspected. gzip is
 * the generic gzip scanner's.
 */
import { constants, createInflate, inflateSync } from 'node:zlib';
import { scanDecompressed } from '../analysis/decompress.ts';
import type { ScannerDescriptor } from '../scanner.ts';

/** RFC 1950 §2.2: CM = 8, CINFO ≤ 7, and (CMF*256 + FLG) a multiple of 31; no preset dictionary. */
function isZlib(head: Buffer): boolean {
  if (head.length < 3) return false;
  const cmf = head[0]!;
  const flg = head[1]!;
  if (!((cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0)) return false;
  // Two header bytes are a weak magic: the head must also inflate.
  try {
    inflateSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 4 << 20 });
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
  }
}

function otherCompression(head: Buffer): string | null {
  if (head.length >= 4 && head.subarray(0, 3).toString('latin1') === 'BZh' && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bz2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184d2204) return 'lz4';
  return null;
}

const ZF_HEADER = 2 + 19;

function isZf(head: Buffer): boolean {
  return head.length > ZF_HEADER + 2 && head[0] === 0x5a && head[1] === 0x46 && /^0x[0-9a-f]+ *$/.test(head.subarray(2, ZF_HEADER).toString('latin1')) && isZlib(head.subarray(ZF_HEADER));
}

export const joblibScanner: ScannerDescriptor = {
  id: 'joblib',
  version: '1.0.0',
  description: 'joblib compressed files: zlib and legacy ZF decompressed and scanned; bz2, xz and lz4 reported as not inspectable.',
  sniff: (head) => isZlib(head) || isZf(head) || otherCompression(head) !== null,
  async scan(input, ctx) {
    const other = otherCompression(input.head);
    if (other !== null && !isZlib(input.head)) {
      ctx.report({ severity: 'suspicious', rule: 'joblib.compressed-uninspectable', offset: 0, message: `${other}-compressed content (a joblib compressor): this scanner cannot decompress ${other}, so what it holds (usually a pickle) is not inspected.` });
      return;
    }
    const zf = isZf(input.head);
    await scanDecompressed(input, ctx, createInflate(), '(zlib)', zf ? ZF_HEADER : 0);
  },
};
