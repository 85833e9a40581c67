/**
 * Content no scanner recognizes. A file named like a serialized model (`.pt`, `.pkl`, `.bin`,
 * `.onnx`, ...) whose bytes match no known format cannot be verified: that is an `error` (fail
 * closed: a loader chosen by the extension would still try it). `.pb` is left out: protobuf has no
 * magic, and SavedModel directories hold several auxiliary `.pb` files (fingerprints, metadata).
 * So is `.bin`: it names raw weights as often as pickles (ONNX external data, OpenVINO IR). Other unknown binary content
 * (images, fonts, tokenizer blobs, documentation assets) is `info`: model repositories carry many
 * such files and no known loader executes code from a format we do not recognize, so flagging them
 * suspicious would drown the findings that matter.
 */
import type { ScanContext } from './scanner.ts';

export const MODEL_EXTENSIONS = new Set([
  'pkl', 'pickle', 'pck', 'dill', 'sav', 'pt', 'pth', 'ckpt', 'joblib', 'jbl', 'npy', 'npz', 'h5', 'hdf5',
  'keras', 'onnx', 'safetensors', 'gguf', 'ggml', 'pte', 'mar', 'tflite', 'msgpack', 'mlmodel', 'model_weights',
]);

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function reportUnknown(ctx: ScanContext, name: string, empty: boolean): void {
  const ext = extensionOf(name);
  const what = empty ? 'is empty' : 'matches no known model, archive or text format';
  if (MODEL_EXTENSIONS.has(ext)) {
    ctx.report({
      severity: 'error',
      rule: 'scan.unrecognized-model',
      offset: 0,
      message: `Named like a model file (.${ext}) but its content ${what}: it cannot be verified, and a loader chosen by the extension would still try it.`,
    });
  } else if (!empty) {
    ctx.report({ severity: 'info', rule: 'scan.unknown-binary', offset: 0, message: `Binary content that ${what}; not inspected.` });
  }
}
