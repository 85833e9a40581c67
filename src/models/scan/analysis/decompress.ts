/**
 * Streams a compressed input through a node:zlib transform into a nested scan, bounded: the
 * decompressed bytes may not exceed maxArchiveBytes, nor the ratio maxRatio once past
 * ratioFloorBytes (a decompression bomb is stopped as soon as it shows, not after).
 */
import type { Transform } from 'node:stream';
import type { ChunkSource } from '../byte-reader.ts';
import type { ScanContext, ScanInput } from '../scanner.ts';

export async function scanDecompressed(input: ScanInput, ctx: ScanContext, inflater: Transform, nestedName: string, skipBytes = 0): Promise<void> {
  const { maxArchiveBytes, maxRatio, ratioFloorBytes } = ctx.limits;
  let compressed = 0;
  let out = 0;
  let bomb: string | null = null;
  let failure: Error | null = null;
  inflater.on('error', (e: Error) => {
    failure ??= e;
  });
  const pump = (async () => {
    if (skipBytes > 0) await input.reader.skip(skipBytes);
    for await (const c of input.reader.chunks()) {
      if (inflater.destroyed) return;
      compressed += c.length;
      if (!inflater.write(c)) await new Promise<void>((resolve) => {
        const done = (): void => {
          inflater.off('drain', done);
          inflater.off('close', done);
          resolve();
        };
        inflater.on('drain', done);
        inflater.on('close', done);
      });
    }
    if (!inflater.destroyed) inflater.end();
  })().catch((e: unknown) => {
    failure ??= e instanceof Error ? e : new Error(String(e));
    inflater.destroy();
  });
  const it = inflater[Symbol.asyncIterator]();
  const source: ChunkSource = {
    async read() {
      if (bomb !== null) return null;
      let r: IteratorResult<unknown>;
      try {
        r = await it.next();
      } catch (e) {
        failure ??= e instanceof Error ? e : new Error(String(e));
        return null;
      }
      if (r.done) return null;
      const c = r.value as Buffer;
      out += c.length;
      if (out > maxArchiveBytes) bomb = `more than ${maxArchiveBytes} bytes decompressed (maxArchiveBytes)`;
      else if (out > ratioFloorBytes && out / Math.max(1, compressed) > maxRatio) bomb = `expands more than ${maxRatio}:1 (maxRatio)`;
      if (bomb !== null) {
        inflater.destroy();
        return null;
      }
      return c;
    },
    async close() {
      inflater.destroy();
    },
  };
  await ctx.scanNested(nestedName, source, undefined);
  inflater.destroy();
  await pump;
  if (bomb !== null) {
    ctx.report({ severity: 'malicious', rule: 'compression.bomb', message: `The compressed stream ${bomb}: a decompression bomb; scanning stopped.` });
  } else if (failure !== null) {
    ctx.report({ severity: 'error', rule: 'compression.corrupt', message: `The compressed stream is corrupt or truncated after ${compressed} compressed bytes (${(failure as Error).message}): not fully verified.` });
  }
}
