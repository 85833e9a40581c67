/**
 * Sequential access to a file or a stream of decompressed bytes, without holding it in memory.
 *
 * Scanners see a window `buf[pos..end)` whose first byte sits at absolute offset `base`. `fill(n)`
 * guarantees `n` contiguous bytes at `pos`, stitching chunk boundaries by copying only the few
 * bytes that straddle them (and going back to the chunk itself once `pos` is past them);
 * `skip(n)` drops payloads without copying them (with a seek when the source can and no hash is
 * wanted). Every byte pulled from the source is hashed once.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

export interface ChunkSource {
  /** The next chunk, or null at the end. Chunks are never reused by the source. */
  read(): Promise<Buffer | null>;
  /** Skips `n` bytes without reading them; returns how many were skipped (fewer at the end). */
  seek?(n: number): Promise<number>;
  close(): Promise<void>;
}

const EMPTY = Buffer.alloc(0);
/** Slack copied with a stitch so that the next few opcodes do not stitch again. */
const STITCH_SLACK = 64 * 1024;

export interface ByteReaderOptions {
  readonly hash: boolean;
  /** Told about every chunk pulled (progress accounting). */
  readonly onBytes?: (n: number) => void;
}

export class ByteReader {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  /** Absolute offset of buf[0]. */
  base = 0;
  readonly #source: ChunkSource;
  readonly #hash: Hash | null;
  readonly #onBytes: ((n: number) => void) | undefined;
  #pending: Buffer | null = null;
  /** After a stitch: the chunk whose head was copied to `buf` from index `#stitchAt` (its rest is `#pending`). */
  #stitched: Buffer | null = null;
  #stitchAt = 0;
  #eof = false;
  #seeked = false;
  #pulled = 0;

  constructor(source: ChunkSource, options: ByteReaderOptions) {
    this.#source = source;
    this.#hash = options.hash ? createHash('sha256') : null;
    this.#onBytes = options.onBytes;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes buffered after `pos`. */
  get available(): number {
    return this.end - this.pos;
  }

  /** Total bytes of the source consumed or skipped so far. */
  get bytesSeen(): number {
    return this.#pulled;
  }

  /** True once the source is exhausted and the window is empty. */
  get atEnd(): boolean {
    return this.#eof && this.#pending === null && this.pos >= this.end;
  }

  async #pull(): Promise<Buffer | null> {
    if (this.#pending) {
      const p = this.#pending;
      this.#pending = null;
      return p;
    }
    if (this.#eof) return null;
    const c = await this.#source.read();
    if (c === null) {
      this.#eof = true;
      return null;
    }
    this.#hash?.update(c);
    this.#pulled += c.length;
    this.#onBytes?.(c.length);
    return c;
  }

  /**
   * Once `pos` is past the bytes a stitch copied from before a chunk, reads that chunk in place
   * again: otherwise every later window would be a stitch too, and the whole chunk copied.
   */
  #unstitch(): void {
    const c = this.#stitched;
    if (c === null || this.pos < this.#stitchAt) return;
    this.#stitched = null;
    this.#pending = null; // the rest of `c`, which is the window again
    this.base += this.#stitchAt;
    this.pos -= this.#stitchAt;
    this.buf = c;
    this.end = c.length;
  }

  /** Makes at least `n` contiguous bytes available at `pos`; false when the source ends first. */
  async fill(n: number): Promise<boolean> {
    if (this.end - this.pos >= n) return true;
    this.#unstitch();
    if (this.end - this.pos >= n) return true;
    this.#stitched = null;
    const parts: Buffer[] = [];
    let have = this.end - this.pos;
    if (have > 0) parts.push(this.buf.subarray(this.pos, this.end));
    const start = this.base + this.pos;
    while (have < n) {
      const c = await this.#pull();
      if (c === null) break;
      parts.push(c);
      have += c.length;
    }
    if (parts.length === 1) {
      this.buf = parts[0]!;
    } else if (parts.length > 1) {
      // Copy what is needed plus some slack; the rest of the last chunk stays pending, uncopied.
      const last = parts[parts.length - 1]!;
      const before = have - last.length;
      const take = Math.min(last.length, Math.max(n - before, STITCH_SLACK));
      if (take < last.length) {
        this.#pending = last.subarray(take);
        parts[parts.length - 1] = last.subarray(0, take);
        this.#stitched = last;
        this.#stitchAt = before;
      }
      this.buf = Buffer.concat(parts, before + take);
    } else {
      this.buf = EMPTY;
    }
    this.base = start;
    this.pos = 0;
    this.end = this.buf.length;
    return this.end >= n;
  }

  /** Drops `n` bytes; false when the source ended before (everything left was dropped). */
  async skip(n: number): Promise<boolean> {
    this.#unstitch();
    let left = n;
    const inBuf = Math.min(left, this.end - this.pos);
    this.pos += inBuf;
    left -= inBuf;
    if (left === 0) return true;
    // The window is empty from here on.
    this.#dropWindow();
    if (this.#pending) {
      const p = this.#pending;
      this.#pending = null;
      if (p.length > left) {
        this.buf = p.subarray(left);
        this.end = this.buf.length;
        this.base += left;
        return true;
      }
      left -= p.length;
      this.base += p.length;
    }
    if (!this.#hash && this.#source.seek && left > 0) {
      const skipped = await this.#source.seek(left);
      this.#seeked = true;
      this.#pulled += skipped;
      this.#onBytes?.(skipped);
      this.base += skipped;
      left -= skipped;
      if (left > 0) this.#eof = true;
      return left === 0;
    }
    while (left > 0) {
      const c = await this.#pull();
      if (c === null) return false;
      if (c.length > left) {
        this.base += left;
        this.buf = c.subarray(left);
        this.end = this.buf.length;
        return true;
      }
      this.base += c.length;
      left -= c.length;
    }
    return true;
  }

  /** Drops bytes up to and including the next `byte`; false when the source ends first. */
  async skipPast(byte: number): Promise<boolean> {
    for (;;) {
      const i = this.buf.indexOf(byte, this.pos);
      if (i >= 0 && i < this.end) {
        this.pos = i + 1;
        return true;
      }
      this.pos = this.end;
      if (!(await this.fill(1))) return false;
    }
  }

  /** The next `n` bytes (a view, valid until the next call), or null when fewer remain. */
  async read(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) return null;
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Up to `n` bytes from `pos` without consuming them. */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.buf.subarray(this.pos, Math.min(this.end, this.pos + n));
  }

  /** Empties the window (its bytes count as read) and forgets any stitched view of it. */
  #dropWindow(): void {
    this.#stitched = null;
    this.base += this.end;
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
  }

  /** Reads everything left, at most `max` bytes; null when there is more than that. */
  async readAll(max: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let total = 0;
    if (this.end > this.pos) {
      parts.push(this.buf.subarray(this.pos, this.end));
      total = this.end - this.pos;
    }
    this.#dropWindow();
    for (;;) {
      if (total > max) return null;
      const c = await this.#pull();
      if (c === null) break;
      parts.push(c);
      total += c.length;
      this.base += c.length;
    }
    return total > max ? null : Buffer.concat(parts, total);
  }

  /** The rest of the source, chunk by chunk (the window first). */
  async *chunks(): AsyncGenerator<Buffer> {
    const first = this.end > this.pos ? this.buf.subarray(this.pos, this.end) : null;
    this.#dropWindow();
    if (first) yield first;
    for (;;) {
      const c = await this.#pull();
      if (c === null) return;
      this.base += c.length;
      yield c;
    }
  }

  /** Consumes the rest of the source (so that the hash and byte count cover the whole file). */
  async drain(): Promise<void> {
    this.#dropWindow();
    this.#pending = null;
    if (!this.#hash && this.#source.seek) {
      for (;;) {
        const n = await this.#source.seek(1 << 30);
        this.#pulled += n;
        this.#onBytes?.(n);
        if (n === 0) break;
      }
      this.#seeked = true;
      this.#eof = true;
      return;
    }
    while ((await this.#pull()) !== null);
  }

  /** The SHA-256 of every byte, once the source is exhausted and nothing was skipped by seeking. */
  digest(): string | undefined {
    if (!this.#hash || !this.#eof || this.#seeked) return undefined;
    return this.#hash.digest('hex');
  }

  async close(): Promise<void> {
    await this.#source.close();
  }
}

/**
 * Chunks of a file on disk; `seek` skips without reading. One read is kept in flight ahead of the
 * consumer, so that disk IO (in libuv's thread pool) overlaps hashing and parsing.
 */
export async function fileSource(path: string, chunkSize: number, signal?: AbortSignal): Promise<ChunkSource> {
  const fh: FileHandle = await open(path, 'r');
  const size = (await fh.stat()).size;
  let position = 0; // next byte to request from the file
  let ahead: Promise<Buffer | null> | null = null;
  let stash: Buffer | null = null;
  const readNext = async (): Promise<Buffer | null> => {
    if (position >= size) return null;
    const want = Math.min(chunkSize, size - position);
    const at = position;
    position += want;
    const b = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(b, 0, want, at);
    if (bytesRead === 0) return null;
    return bytesRead === want ? b : b.subarray(0, bytesRead);
  };
  return {
    async read() {
      signal?.throwIfAborted();
      if (stash) {
        const s = stash;
        stash = null;
        return s;
      }
      const c = await (ahead ?? readNext());
      ahead = c === null ? null : readNext();
      return c;
    },
    async seek(n) {
      let left = n;
      if (stash) {
        const take = Math.min(left, stash.length);
        stash = take < stash.length ? stash.subarray(take) : null;
        left -= take;
      }
      if (left > 0 && ahead) {
        const c = await ahead;
        ahead = null;
        if (c) {
          if (c.length > left) {
            stash = c.subarray(left);
            left = 0;
          } else left -= c.length;
        }
      }
      const k = Math.max(0, Math.min(left, size - position));
      position += k;
      return n - left + k;
    },
    async close() {
      await ahead?.catch(() => null);
      await fh.close();
    },
  };
}

/** One buffer, in slices of `chunkSize` (nested content held in memory). */
export function bufferSource(buffer: Buffer, chunkSize = 1 << 20): ChunkSource {
  let position = 0;
  return {
    async read() {
      if (position >= buffer.length) return null;
      const c = buffer.subarray(position, Math.min(buffer.length, position + chunkSize));
      position += c.length;
      return c;
    },
    async close() {},
  };
}

/** A Node readable stream (a zip entry, a gunzip pipe). Closing destroys it. */
export function streamSource(stream: NodeJS.ReadableStream & { destroy(error?: Error): void }): ChunkSource {
  const it = stream[Symbol.asyncIterator]();
  return {
    async read() {
      const r = await it.next();
      if (r.done) return null;
      const v: unknown = r.value;
      return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
    },
    async close() {
      stream.destroy();
    },
  };
}
