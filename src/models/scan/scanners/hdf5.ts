/**
 * HDF5 files (Keras 2 `.h5` models and weights). The Keras model config is a JSON string in the
 * root group's `model_config` attribute; its Lambda layers carry marshalled Python bytecode that
 * `load_model` executes. The attribute is read with jsfive (pure JS, in a worker with time and
 * memory limits, see analysis/hdf5-read.ts) and analyzed like any Keras config.
 *
 * HDF5 never compresses attributes, so the config's bytes are also in the file verbatim: a byte
 * scan for Lambda layers backs the structured read up when jsfive cannot parse the file (then the
 * file is also an error: unverifiable) and replaces it for files above maxHdf5Bytes.
 */
import { readFile } from 'node:fs/promises';
import { analyzeKerasConfig } from '../analysis/keras-config.ts';
import { readHdf5RootAttrs } from '../analysis/hdf5-read.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const LAMBDA = /"class_name"\s*:\s*"Lambda"/g;
const OVERLAP = 256;

/** HDF5 spec II.A: the superblock sits at 0, 512, 1024, 2048, ... (after a user block). */
function signatureAt(head: Buffer): number {
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) if (head.subarray(at, at + 8).equals(SIGNATURE)) return at;
  return -1;
}

function lambdaMarkers(text: string, base: number, ctx: ScanContext, seen: Set<number>): void {
  LAMBDA.lastIndex = 0;
  for (let m = LAMBDA.exec(text); m !== null; m = LAMBDA.exec(text)) {
    const offset = base + m.index;
    if (seen.has(offset)) continue;
    seen.add(offset);
    ctx.report({ severity: 'malicious', rule: 'keras.lambda-code', offset, callable: 'Lambda', message: `A Keras Lambda layer config is stored at offset ${offset}: Lambda layers in .h5 models carry Python bytecode that load_model executes (found by byte scan).` });
  }
}

function analyzeConfig(json: string, bytes: Buffer, ctx: ScanContext, attr: string): void {
  let config: unknown;
  try {
    config = JSON.parse(json);
  } catch {
    ctx.report({ severity: 'error', rule: 'keras.bad-config', message: `The '${attr}' attribute is not valid JSON: the model cannot be verified.` });
    return;
  }
  const at = bytes.indexOf(Buffer.from(json.slice(0, 64), 'utf8'));
  analyzeKerasConfig(config, (f) => ctx.report({ ...f, ...(at >= 0 ? { offset: at } : {}), message: `${f.message} (root attribute '${attr}')` }));
}

export const hdf5Scanner: ScannerDescriptor = {
  id: 'hdf5',
  version: '1.0.0',
  description: 'HDF5 / Keras .h5: the model_config attribute read with jsfive (in a bounded worker) for Lambda layers and custom objects, plus a byte scan.',
  sniff: (head) => signatureAt(head) >= 0,
  async scan(input, ctx) {
    const { maxHdf5Bytes, hdf5TimeoutMs } = ctx.limits;
    if (input.size === undefined || input.size <= maxHdf5Bytes) {
      const m = await ctx.materialize(input, maxHdf5Bytes);
      if (m !== null) {
        const bytes = m.kind === 'buffer' ? m.buffer : await readFile(m.path);
        const r = signatureAt(input.head) === 0 ? await readHdf5RootAttrs(bytes, hdf5TimeoutMs) : { ok: false as const, error: 'a user block precedes the superblock' };
        if (r.ok) {
          for (const attr of ['model_config', 'training_config']) {
            const v = r.attrs[attr];
            if (v !== undefined) analyzeConfig(v, bytes, ctx, attr);
          }
          // jsfive does not read attributes kept in dense storage (large configs, HDF5 >= 1.8
          // layouts): without a model_config it read, the byte scan still looks for Lambda layers.
          if (r.attrs['model_config'] === undefined) lambdaMarkers(bytes.toString('latin1'), 0, ctx, new Set());
          return;
        }
        ctx.report({ severity: 'error', rule: 'hdf5.unparseable', offset: 0, message: `The HDF5 structure cannot be read (${r.error}): the file is not verified beyond a byte scan.` });
        lambdaMarkers(bytes.toString('latin1'), 0, ctx, new Set());
        return;
      }
    }
    ctx.report({ severity: 'info', rule: 'hdf5.byte-scan-only', offset: 0, message: `Larger than maxHdf5Bytes (${maxHdf5Bytes}): checked by byte scan only.` });
    const seen = new Set<number>();
    let carry = '';
    let base = 0;
    for await (const c of input.reader.chunks()) {
      const text = carry + c.toString('latin1');
      lambdaMarkers(text, base - carry.length, ctx, seen);
      carry = text.slice(-OVERLAP);
      base += c.length;
    }
  },
};
