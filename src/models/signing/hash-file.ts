/**
 * Hashes one file, or one byte range of it, with SHA-256, streaming through a fixed buffer. Runs
 * synchronously: inside a worker thread (its own core), or on the calling thread for small models.
 * The file is opened without following a final symlink (unless symlinks were allowed) and must be
 * the very file the walk listed (device and inode), so a swap between listing and hashing fails.
 */
import { constants, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

export interface HashJob {
  readonly path: string;
  /** First byte (0 for a whole file). */
  readonly start: number;
  /** End offset (exclusive) of a range; null hashes to the end of the file. */
  readonly end: number | null;
  /** Size the walk saw; a whole file of another size has changed while being hashed. */
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  readonly followSymlinks: boolean;
}

export interface HashJobFailure {
  readonly code: 'MODEL_IO_ERROR' | 'MODEL_PATH_REFUSED';
  readonly reason: string;
}

export const HASH_BUFFER_BYTES = 2 * 1024 * 1024;
/** How often (in bytes) a long job reports progress. */
export const PROGRESS_STEP_BYTES = 32 * 1024 * 1024;

/** Thrown by `hashJobSync`; carries a code the caller turns into a coded error naming the file. */
export class HashJobError extends Error {
  readonly failure: HashJobFailure;
  constructor(failure: HashJobFailure) {
    super(failure.reason);
    this.failure = failure;
  }
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export function hashJobSync(job: HashJob, buffer: Buffer, onBytes?: (n: number) => void): string {
  let fd: number;
  try {
    fd = openSync(job.path, OPEN_FLAGS | (job.followSymlinks ? 0 : (constants.O_NOFOLLOW ?? 0)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new HashJobError({ code: 'MODEL_PATH_REFUSED', reason: 'became a symbolic link after it was listed' });
    throw new HashJobError({ code: 'MODEL_IO_ERROR', reason: `could not be opened (${code ?? 'error'})` });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.dev !== job.dev || st.ino !== job.ino) {
      throw new HashJobError({ code: 'MODEL_PATH_REFUSED', reason: 'was replaced after it was listed' });
    }
    const hash = createHash('sha256');
    let position = job.start;
    const limit = job.end ?? Number.POSITIVE_INFINITY;
    let sinceReport = 0;
    while (position < limit) {
      const want = Math.min(buffer.length, limit - position);
      let n: number;
      try {
        n = readSync(fd, buffer, 0, want, position);
      } catch (e) {
        throw new HashJobError({ code: 'MODEL_IO_ERROR', reason: `could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      }
      if (n === 0) break;
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      position += n;
      sinceReport += n;
      if (onBytes && sinceReport >= PROGRESS_STEP_BYTES) {
        onBytes(sinceReport);
        sinceReport = 0;
      }
    }
    const expectedEnd = job.end ?? job.size;
    if (position !== expectedEnd) {
      throw new HashJobError({ code: 'MODEL_IO_ERROR', reason: 'changed size while it was being hashed' });
    }
    if (onBytes && sinceReport > 0) onBytes(sinceReport);
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}
