/**
 * File operations on a session's file space, from the host (as root), safe against whatever the
 * sandboxed program left there: symlinks to /etc/shadow or to another session, symlinked parent
 * directories, FIFOs that would block a reader, hard links, names swapped while we walk.
 *
 * How: no path is ever resolved by the kernel across more than one component. The walk opens the
 * space's root directory, then each component relative to the descriptor of its parent, through
 * /proc/self/fd/<fd>/<name> (Node has no openat(2); this is its equivalent: the kernel resolves the
 * magic link to the already-open directory, then looks up one name in it), always with O_NOFOLLOW,
 * so a symlink anywhere is refused (ELOOP) instead of followed, and a name swapped for a symlink
 * between two steps is refused too. Every directory and file opened is checked to be on the
 * space's own tmpfs (st_dev). Files are opened O_NONBLOCK (a FIFO does not hang the reader) and
 * must be regular files. Hard links cannot point outside the space: it is a filesystem of its own,
 * and link(2) across filesystems fails; a hard link between two files of the same session is
 * harmless. Writes go to a new temporary file that is renamed over the name, so an existing symlink
 * or hard link there is replaced, never written through.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { RampartError } from '../../../core/errors.ts';
import type { SandboxFile } from '../../backend.ts';

export interface SpaceRef {
  /** Host path of the space's root. */
  readonly dir: string;
  /** st_dev of the space's tmpfs. */
  readonly dev: number;
  /** Owner of the files (the sandbox user). */
  readonly uid: number;
  readonly gid: number;
}

const MAX_PATH_BYTES = 1024;
const MAX_NAME_BYTES = 255;
const MAX_DEPTH = 32;
/** listFiles stops after this many files. */
export const MAX_LISTED_FILES = 10_000;
const UPLOAD_PREFIX = '.rampart-upload-';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_DIRECTORY } = constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

const at = (dir: FileHandle, name: string): string => `/proc/self/fd/${dir.fd}/${name}`;

const invalid = (detail: string): RampartError => new RampartError('RAMPART_INVALID_REQUEST', { detail });
const refused = (detail: string): RampartError => new RampartError('RAMPART_FORBIDDEN', { detail });

/** The components of a relative path, or a coded error naming what is wrong with it. */
export function splitPath(path: unknown): string[] {
  if (typeof path !== 'string' || path.length === 0) throw invalid('path: a non-empty string is required.');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw invalid(`path: at most ${MAX_PATH_BYTES} bytes.`);
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw invalid('path: control characters and backslashes are not allowed.');
  if (path.startsWith('/')) throw invalid('path: must be relative to the session\'s file space.');
  const parts = path.split('/');
  if (parts.length > MAX_DEPTH) throw invalid(`path: at most ${MAX_DEPTH} components.`);
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') throw invalid('path: empty, "." and ".." components are not allowed.');
    if (Buffer.byteLength(p) > MAX_NAME_BYTES) throw invalid(`path: a name is at most ${MAX_NAME_BYTES} bytes.`);
  }
  return parts;
}

/** A directory entry the API can address again; U+FFFD stands for bytes that were not UTF-8. */
const validName = (name: string): boolean =>
  name !== '.' && name !== '..' && Buffer.byteLength(name) <= MAX_NAME_BYTES && !/[\u0000-\u001f\u007f\\\ufffd]/.test(name);

/** Maps a filesystem error to a coded one; the detail names the caller's path, never a host path. */
function mapError(e: unknown, path: string): RampartError {
  if (e instanceof RampartError) return e;
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new RampartError('RAMPART_NOT_FOUND', { detail: `No file ${JSON.stringify(path)} in the session.`, cause: e });
    case 'ELOOP':
    case 'EMLINK':
      return refused(`${JSON.stringify(path)} is or passes through a symbolic link, which is never followed.`);
    case 'ENOTDIR':
      return refused(`A parent of ${JSON.stringify(path)} is not a directory.`);
    case 'EISDIR':
      return invalid(`${JSON.stringify(path)} is a directory.`);
    case 'ENXIO':
      return refused(`${JSON.stringify(path)} is not a regular file.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return invalid("The session's file space is full.");
    case 'ENAMETOOLONG':
      return invalid('path: too long.');
    default:
      return new RampartError('RAMPART_INTERNAL', { cause: e });
  }
}

async function checkOnSpace(h: FileHandle, space: SpaceRef, path: string): Promise<void> {
  if ((await h.stat()).dev !== space.dev) throw refused(`${JSON.stringify(path)} is outside the session's file space.`);
}

/** Opens the directory holding the last component of `parts`, creating parents when `create`. */
async function openParent(space: SpaceRef, parts: readonly string[], path: string, create: boolean): Promise<FileHandle> {
  let cur = await open(space.dir, DIR_FLAGS);
  try {
    await checkOnSpace(cur, space, path);
    for (const name of parts.slice(0, -1)) {
      let next: FileHandle;
      try {
        next = await open(at(cur, name), DIR_FLAGS);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw e;
        await mkdir(at(cur, name), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
        next = await open(at(cur, name), DIR_FLAGS);
        // Owned by the sandbox user, like everything in the space, so programs can use it.
        await next.chown(space.uid, space.gid);
      }
      await cur.close();
      cur = next;
      await checkOnSpace(cur, space, path);
    }
    return cur;
  } catch (e) {
    await cur.close().catch(() => {});
    throw mapError(e, path);
  }
}

export async function readSpaceFile(space: SpaceRef, path: string, maxBytes: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw invalid('maxBytes: a non-negative integer is required.');
  const parts = splitPath(path);
  const dir = await openParent(space, parts, path, false);
  let h: FileHandle | null = null;
  try {
    h = await open(at(dir, parts[parts.length - 1]!), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    const st = await h.stat();
    if (!st.isFile()) throw refused(`${JSON.stringify(path)} is not a regular file.`);
    if (st.dev !== space.dev) throw refused(`${JSON.stringify(path)} is outside the session's file space.`);
    if (st.size > maxBytes) throw invalid(`${JSON.stringify(path)} is larger than ${maxBytes} bytes.`);
    // Read at most maxBytes + 1: the file may have grown since the stat.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await h.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) break;
    }
    if (n > maxBytes) throw invalid(`${JSON.stringify(path)} is larger than ${maxBytes} bytes.`);
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } catch (e) {
    throw mapError(e, path);
  } finally {
    await h?.close().catch(() => {});
    await dir.close().catch(() => {});
  }
}

export async function writeSpaceFile(space: SpaceRef, path: string, data: Uint8Array, maxBytes: number): Promise<SandboxFile> {
  const parts = splitPath(path);
  if (!(data instanceof Uint8Array)) throw invalid('data: bytes are required.');
  if (data.byteLength > maxBytes) throw new RampartError('RAMPART_BODY_TOO_LARGE', { detail: `A file is at most ${maxBytes} bytes.` });
  const name = parts[parts.length - 1]!;
  if (name.startsWith(UPLOAD_PREFIX)) throw invalid(`path: names starting with ${UPLOAD_PREFIX} are reserved.`);
  const dir = await openParent(space, parts, path, true);
  const tmp = `${UPLOAD_PREFIX}${randomBytes(8).toString('hex')}`;
  let created = false;
  try {
    const h = await open(at(dir, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0o600);
    created = true;
    const st = await (async () => {
      try {
        await h.chown(space.uid, space.gid);
        await h.writeFile(data);
        return await h.stat();
      } finally {
        await h.close();
      }
    })();
    await rename(at(dir, tmp), at(dir, name));
    created = false;
    return { path, bytes: st.size, modifiedAt: Math.floor(st.mtimeMs) };
  } catch (e) {
    throw mapError(e, path);
  } finally {
    if (created) await unlink(at(dir, tmp)).catch(() => {});
    await dir.close().catch(() => {});
  }
}

export async function deleteSpaceFile(space: SpaceRef, path: string): Promise<void> {
  const parts = splitPath(path);
  const dir = await openParent(space, parts, path, false);
  try {
    const name = parts[parts.length - 1]!;
    // lstat does not follow the last component: a symlink is removed itself, never its target.
    if ((await lstat(at(dir, name))).isDirectory()) throw invalid(`${JSON.stringify(path)} is a directory.`);
    await unlink(at(dir, name));
  } catch (e) {
    throw mapError(e, path);
  } finally {
    await dir.close().catch(() => {});
  }
}

/** Regular files of the space, sorted by path (symlinks, FIFOs and the like are not listed). */
export async function listSpaceFiles(space: SpaceRef): Promise<SandboxFile[]> {
  const out: SandboxFile[] = [];
  const visit = async (dir: FileHandle, prefix: string, depth: number): Promise<void> => {
    const entries = await readdir(`/proc/self/fd/${dir.fd}`, { withFileTypes: true });
    for (const e of entries) {
      if (out.length >= MAX_LISTED_FILES) return;
      // Only names the API can address again (splitPath) are listed.
      if (!validName(e.name)) continue;
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (Buffer.byteLength(rel) > MAX_PATH_BYTES) continue;
      if (e.isDirectory() && depth < MAX_DEPTH) {
        let sub: FileHandle;
        try {
          sub = await open(at(dir, e.name), DIR_FLAGS);
        } catch {
          continue; // Replaced by a symlink, or gone, since readdir.
        }
        try {
          if ((await sub.stat()).dev === space.dev) await visit(sub, rel, depth + 1);
        } finally {
          await sub.close();
        }
      } else if (e.isFile() && !e.name.startsWith(UPLOAD_PREFIX)) {
        const st = await lstat(at(dir, e.name)).catch(() => null);
        if (st?.isFile() && st.dev === space.dev) out.push({ path: rel, bytes: st.size, modifiedAt: Math.floor(st.mtimeMs) });
      }
    }
  };
  const root = await open(space.dir, DIR_FLAGS);
  try {
    await checkOnSpace(root, space, '.');
    await visit(root, '', 1);
  } catch (e) {
    throw mapError(e, '.');
  } finally {
    await root.close();
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
