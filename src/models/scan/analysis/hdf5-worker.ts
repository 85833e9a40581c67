/**
 * Worker thread: reads the root attributes of an HDF5 file with jsfive (a pure-JS HDF5 reader).
 * jsfive was written for trusted files (it follows B-tree and heap addresses without bounds on
 * work), so it runs here, behind a time limit and a heap limit set by the parent (hdf5-read.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as hdf5 from 'jsfive';

interface Input { readonly buffer: ArrayBuffer }

function asText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v) && v.length === 1) return asText(v[0]);
  return null;
}

const { buffer } = workerData as Input;
try {
  const file = new hdf5.File(buffer, 'model.h5');
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.attrs as Record<string, unknown>)) {
    const t = asText(v);
    if (t !== null) attrs[k] = t;
  }
  parentPort?.postMessage({ ok: true, attrs, keys: file.keys });
} catch (e) {
  parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
}
