/**
 * Binary formats that are recognized but hold nothing to inspect for code: images, TFLite
 * flatbuffers, legacy GGML weights, PDFs. Native executables and shared libraries are suspicious
 * in a model artifact: nothing in a model needs one, and custom-op or remote-code loaders will
 * happily load them.
 */
import type { ScannerDescriptor } from '../scanner.ts';

interface Magic { readonly at: number; readonly bytes: Buffer; readonly kind: string; readonly executable?: boolean }

const m = (at: number, hex: string, kind: string, executable = false): Magic => ({ at, bytes: Buffer.from(hex, 'hex'), kind, executable });

const MAGICS: readonly Magic[] = [
  m(0, '7f454c46', 'ELF executable or shared library', true),
  m(0, '4d5a', 'Windows PE executable or DLL', true),
  m(0, 'cffaedfe', 'Mach-O executable', true),
  m(0, 'feedfacf', 'Mach-O executable', true),
  m(0, 'cafebabe', 'Mach-O universal binary or Java class', true),
  m(0, '89504e470d0a1a0a', 'PNG image'),
  m(0, 'ffd8ff', 'JPEG image'),
  m(0, '47494638', 'GIF image'),
  m(0, '25504446', 'PDF document'),
  m(4, '54464c33', 'TensorFlow Lite flatbuffer'),
  m(0, '6c6d6767', 'legacy GGML weights (ggml)'),
  m(0, '666d6767', 'legacy GGML weights (ggmf)'),
  m(0, '746a6767', 'legacy GGML weights (ggjt)'),
  m(0, '0061736d', 'WebAssembly module', true),
];

function match(head: Buffer): Magic | undefined {
  return MAGICS.find((x) => head.length >= x.at + x.bytes.length && head.subarray(x.at, x.at + x.bytes.length).equals(x.bytes));
}

export const knownBinaryScanner: ScannerDescriptor = {
  id: 'known-binary',
  version: '1.0.0',
  description: 'Recognized non-model binaries: images, PDFs, TFLite, legacy GGML (info); executables and shared libraries (suspicious).',
  sniff: (head) => match(head) !== undefined,
  async scan(input, ctx) {
    const x = match(input.head)!;
    if (x.executable) ctx.report({ severity: 'suspicious', rule: 'binary.executable', offset: 0, message: `${x.kind}: native code has no place in a model artifact and runs if a loader or custom op loads it.` });
    else ctx.report({ severity: 'info', rule: 'binary.recognized', offset: 0, message: `${x.kind}: recognized, not inspected further.` });
  },
};
