/**
 * Runs hdf5-worker.ts on a file's bytes with a time limit and a heap limit, so that a hostile HDF5
 * file that sends jsfive into a loop or an allocation storm costs one terminated worker.
 */
import { Worker } from 'node:worker_threads';

export type Hdf5Result = { readonly ok: true; readonly attrs: Record<string, string>; readonly keys: string[] } | { readonly ok: false; readonly error: string };

export function readHdf5RootAttrs(bytes: Buffer, timeoutMs: number): Promise<Hdf5Result> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  const heapMb = Math.max(256, Math.ceil((bytes.length * 4) / (1024 * 1024)));
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./hdf5-worker.ts', import.meta.url), {
      workerData: { buffer },
      transferList: [buffer],
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const done = (r: Hdf5Result): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, error: `the HDF5 reader did not finish within ${timeoutMs} ms` }), timeoutMs);
    worker.on('message', (m: Hdf5Result) => done(m));
    worker.on('error', (e: Error) => done({ ok: false, error: e.message }));
    worker.on('exit', (code) => done({ ok: false, error: `the HDF5 reader exited (${code})` }));
  });
}
