/**
 * Lists the files of a model: a directory walked recursively, or a single file. Symbolic links are
 * refused unless allowed (then followed, with loops detected); sockets, pipes and devices are
 * always refused, like the reference tool does. Ignore paths are applied before any check, so an
 * ignored symlink (e.g. inside `.git`) is harmless.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ModelSignatureError, quoteName } from './errors.ts';
import { SINGLE_FILE_NAME, isIgnored, pathProblem } from './paths.ts';

export interface ModelFile {
  /** Model-relative POSIX name (`.` for a single-file model). */
  readonly name: string;
  /** Absolute path to open. */
  readonly path: string;
  readonly size: number;
  /** Identity of the file that was listed; the hasher refuses to read another one. */
  readonly dev: number;
  readonly ino: number;
  /** True when the path is (or passes through) a symlink that was allowed. */
  readonly viaSymlink: boolean;
}

export interface ModelListing {
  readonly modelName: string;
  readonly root: string;
  readonly kind: 'file' | 'directory';
  readonly files: ModelFile[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const STAT_BATCH = 64;

function refused(name: string, why: string): ModelSignatureError {
  return new ModelSignatureError('MODEL_PATH_REFUSED', `${quoteName(name)} ${why}.`, { file: name });
}

function ioError(name: string, e: unknown): ModelSignatureError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new ModelSignatureError('MODEL_IO_ERROR', `${quoteName(name)} could not be read (${code}).`, { file: name, cause: e });
}

/** Lists a model's files (unsorted). */
export async function listModelFiles(
  modelPath: string,
  opts: { ignore: ReadonlySet<string>; allowSymlinks: boolean },
): Promise<ModelListing> {
  const root = resolve(modelPath);
  let top: Stats;
  try {
    top = await lstat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelSignatureError('MODEL_NOT_FOUND', `No model at ${quoteName(modelPath)}.`);
    throw ioError(modelPath, e);
  }
  let viaSymlink = false;
  if (top.isSymbolicLink()) {
    if (!opts.allowSymlinks) throw refused(modelPath, 'is a symbolic link (allowSymlinks is off)');
    viaSymlink = true;
    try {
      top = await stat(root);
    } catch (e) {
      throw refused(modelPath, `is a broken symbolic link (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const modelName = basename(root);
  if (top.isFile()) {
    const file: ModelFile = { name: SINGLE_FILE_NAME, path: root, size: top.size, dev: top.dev, ino: top.ino, viaSymlink };
    return { modelName, root, kind: 'file', files: [file] };
  }
  if (!top.isDirectory()) throw refused(modelPath, 'is neither a regular file nor a directory');

  const files: ModelFile[] = [];
  const seenDirs = new Set<string>([await realpath(root)]);
  const walkDir = async (dirPath: string, prefix: string, linked: boolean): Promise<void> => {
    let raw: Buffer[];
    try {
      raw = await readdir(dirPath, { encoding: 'buffer' });
    } catch (e) {
      throw ioError(prefix || '.', e);
    }
    const names: string[] = [];
    for (const entry of raw) {
      let name: string;
      try {
        name = utf8.decode(entry);
      } catch {
        throw refused(`${prefix}${entry.toString('latin1')}`, 'has a name that is not valid UTF-8');
      }
      const rel = prefix + name;
      if (isIgnored(rel, opts.ignore)) continue;
      const problem = pathProblem(rel);
      if (problem) throw refused(rel, problem);
      names.push(name);
    }
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      const batch = names.slice(i, i + STAT_BATCH);
      const subdirs = await Promise.all(batch.map((name) => visit(join(dirPath, name), prefix + name, linked)));
      for (const sub of subdirs) if (sub) await walkDir(sub.path, `${sub.name}/`, sub.linked);
    }
  };
  /** Records a file, or returns a directory to descend into. */
  const visit = async (path: string, name: string, linked: boolean): Promise<{ path: string; name: string; linked: boolean } | undefined> => {
    let st: Stats;
    try {
      st = await lstat(path);
    } catch (e) {
      throw ioError(name, e);
    }
    let isLink = linked;
    if (st.isSymbolicLink()) {
      if (!opts.allowSymlinks) throw refused(name, 'is a symbolic link (allowSymlinks is off)');
      isLink = true;
      try {
        st = await stat(path);
      } catch (e) {
        throw refused(name, `is a broken symbolic link (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (st.isFile()) {
      files.push({ name, path, size: st.size, dev: st.dev, ino: st.ino, viaSymlink: isLink });
      return undefined;
    }
    if (st.isDirectory()) {
      if (isLink) {
        // A followed directory link may point back up the tree: descend into each directory once.
        const real = await realpath(path);
        if (seenDirs.has(real)) throw refused(name, 'is a symbolic link that forms a loop');
        seenDirs.add(real);
      }
      return { path, name, linked: isLink };
    }
    throw refused(name, 'is neither a regular file nor a directory');
  };
  await walkDir(root, '', viaSymlink);
  return { modelName, root, kind: 'directory', files };
}
