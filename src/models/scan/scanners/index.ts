/**
 * The registered format scanners, in sniffing order: strong magic numbers first, then content
 * shapes (protobuf, pickle opcodes), then text, then weak magics (zlib's two bytes), last the
 * recognized-but-inert binaries. The order is part of the behaviour: a protocol-0 pickle is ASCII
 * text, a GGUF or safetensors header is never text, a zlib header can be two ASCII characters.
 */
import type { ScannerDescriptor } from '../scanner.ts';
import { ggufScanner } from './gguf.ts';
import { gzipScanner } from './gzip.ts';
import { hdf5Scanner } from './hdf5.ts';
import { joblibScanner } from './joblib.ts';
import { kerasScanner } from './keras.ts';
import { knownBinaryScanner } from './known-binary.ts';
import { numpyScanner } from './numpy.ts';
import { onnxScanner } from './onnx.ts';
import { pickleScanner } from './pickle.ts';
import { pytorchLegacyScanner } from './pytorch.ts';
import { safetensorsScanner } from './safetensors.ts';
import { savedModelScanner } from './savedmodel.ts';
import { tarScanner } from './tar.ts';
import { textScanner } from './text.ts';
import { zipScanner } from './zip.ts';

export const SCANNERS: readonly ScannerDescriptor[] = [
  zipScanner,
  gzipScanner,
  ggufScanner,
  numpyScanner,
  hdf5Scanner,
  tarScanner,
  safetensorsScanner,
  pytorchLegacyScanner,
  onnxScanner,
  savedModelScanner,
  pickleScanner,
  kerasScanner,
  textScanner,
  joblibScanner,
  knownBinaryScanner,
];
