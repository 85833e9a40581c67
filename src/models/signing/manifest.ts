/**
 * The manifest of a model: every file (or shard) paired with its SHA-256, in the reference tool's
 * canonical order, plus the root digest over them. Compatible with OpenSSF model signing v1.0
 * (`model_signing`): the same names, order, root digest and default ignore paths.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { ModelSignatureError, quoteName } from './errors.ts';
import type { ManifestMismatch } from './errors.ts';
import { HashPoolError, hashJobs } from './hash-pool.ts';
import type { HashJob } from './hash-file.ts';
import { compareShardNames, comparePaths, normalizeIgnorePath, shardName } from './paths.ts';
import { listModelFiles } from './walk.ts';
import type { HashProgress, ManifestEntry, ModelManifest, Serialization } from './types.ts';

export const DEFAULT_SIGNATURE_NAME = 'model.sig';
/** Ignored by default, like the reference tool's `ignore_git_paths`. */
export const GIT_IGNORE_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

const PROGRESS_INTERVAL_MS = 100;
const MISMATCH_LIST_MAX = 100;

export interface HashModelOptions {
  modelPath: string;
  /** Paths to leave out, relative to the model (or absolute inside it); a directory covers its contents. */
  ignorePaths?: string[];
  allowSymlinks?: boolean;
  /** The signature file to leave out; default `<modelPath>/model.sig` (beside a single-file model). */
  signaturePath?: string;
  /** Leave out `.git`, `.gitattributes`, `.github` and `.gitignore` (default true). */
  ignoreGitPaths?: boolean;
  /** Worker threads for hashing; default: the number of CPUs (at most 8). */
  concurrency?: number;
  onProgress?: (p: HashProgress) => void;
}

export type ManifestMethod =
  | { kind: 'files' }
  | { kind: 'shards'; shardSize: number; hashType: string; emptyShards: ReadonlySet<string> };

export interface BuildManifestOptions {
  modelPath: string;
  /** Normalized model-relative ignore paths. */
  ignorePaths: readonly string[];
  allowSymlinks: boolean;
  method: ManifestMethod;
  concurrency?: number;
  onProgress?: (p: HashProgress) => void;
}

/**
 * Hashes a model without signing it, e.g. to register it by digest. With the same options as
 * `signModel`, `rootDigest` equals the signed root digest.
 *
 * @example
 *   const m = await hashModel({ modelPath: '/models/llama-3-8b' });
 *   m.rootDigest; // 'a3f1…' (hex SHA-256 over the per-file digests)
 */
export async function hashModel(opts: HashModelOptions): Promise<ModelManifest> {
  const modelPath = requirePath(opts.modelPath, 'modelPath');
  const signaturePath = opts.signaturePath ?? (await defaultSignaturePath(modelPath));
  const ignorePaths = await resolveIgnorePaths(modelPath, opts.ignorePaths ?? [], signaturePath, opts.ignoreGitPaths ?? true);
  return buildManifest({
    modelPath,
    ignorePaths,
    allowSymlinks: opts.allowSymlinks ?? false,
    method: { kind: 'files' },
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
}

export function requirePath(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) {
    throw new ModelSignatureError('MODEL_NOT_FOUND', `${name} must be a non-empty path.`);
  }
  return value;
}

/** `<model>/model.sig` for a directory, `model.sig` beside a single-file model. */
export async function defaultSignaturePath(modelPath: string): Promise<string> {
  const root = resolve(modelPath);
  try {
    if ((await stat(root)).isFile()) return join(dirname(root), DEFAULT_SIGNATURE_NAME);
  } catch {
    // A missing model is reported by the walk, with its own code.
  }
  return join(root, DEFAULT_SIGNATURE_NAME);
}

/** The caller's ignore paths, the git paths and the signature file (if inside the model), sorted. */
export async function resolveIgnorePaths(modelPath: string, user: readonly string[], signaturePath: string, git: boolean): Promise<string[]> {
  if (!Array.isArray(user)) throw new ModelSignatureError('MODEL_PATH_REFUSED', 'ignorePaths must be a list of paths.');
  const root = resolve(modelPath);
  const out = new Set<string>(git ? GIT_IGNORE_PATHS : []);
  for (const p of user) {
    if (typeof p !== 'string') throw new ModelSignatureError('MODEL_PATH_REFUSED', 'ignorePaths must be a list of strings.');
    out.add(normalizeIgnorePath(p, root));
  }
  const sig = relative(root, resolve(signaturePath));
  if (sig !== '' && !sig.startsWith('..') && !isAbsolute(sig)) out.add(normalizeIgnorePath(sig, root));
  return [...out].sort(comparePaths);
}

export async function buildManifest(opts: BuildManifestOptions): Promise<ModelManifest> {
  const listing = await listModelFiles(opts.modelPath, { ignore: new Set(opts.ignorePaths), allowSymlinks: opts.allowSymlinks });
  if (listing.files.length === 0) {
    throw new ModelSignatureError('MODEL_EMPTY', `No files in ${quoteName(opts.modelPath)} after ignoring ${opts.ignorePaths.length} path(s).`);
  }
  const names: string[] = [];
  const jobs: HashJob[] = [];
  for (const f of listing.files) {
    const base = { path: f.path, size: f.size, dev: f.dev, ino: f.ino, followSymlinks: opts.allowSymlinks };
    if (opts.method.kind === 'files') {
      names.push(f.name);
      jobs.push({ ...base, start: 0, end: null });
      continue;
    }
    const { shardSize, emptyShards } = opts.method;
    // The reference tool gives an empty file no shard (older versions) or one `0:0` shard.
    if (f.size === 0 && emptyShards.has(shardName(f.name, 0, 0))) {
      names.push(shardName(f.name, 0, 0));
      jobs.push({ ...base, start: 0, end: 0 });
    }
    for (let start = 0; start < f.size; start += shardSize) {
      const end = Math.min(start + shardSize, f.size);
      names.push(shardName(f.name, start, end));
      jobs.push({ ...base, start, end });
    }
  }
  const totalBytes = jobs.reduce((sum, j) => sum + ((j.end ?? j.size) - j.start), 0);
  const progress = progressReporter(totalBytes, jobs.length, opts.onProgress);
  let digests: string[];
  try {
    digests = await hashJobs(jobs, {
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      onBytes: progress.bytes,
      onJobDone: progress.jobDone,
    });
  } catch (e) {
    if (e instanceof HashPoolError) {
      const name = names[e.index]!;
      throw new ModelSignatureError(e.failure.code, `${quoteName(name)} ${e.failure.reason}.`, { file: name });
    }
    throw new ModelSignatureError('MODEL_IO_ERROR', 'Hashing failed.', { cause: e });
  }
  progress.end();
  const compare = opts.method.kind === 'files' ? comparePaths : compareShardNames;
  const files = names.map((name, i) => ({ name, digest: digests[i]! })).sort((a, b) => compare(a.name, b.name));
  const serialization: Serialization =
    opts.method.kind === 'files'
      ? { method: 'files', hashType: 'sha256', allowSymlinks: opts.allowSymlinks, ignorePaths: [...opts.ignorePaths] }
      : { method: 'shards', hashType: opts.method.hashType, shardSize: opts.method.shardSize, allowSymlinks: opts.allowSymlinks, ignorePaths: [...opts.ignorePaths] };
  return { modelName: listing.modelName, rootDigest: rootDigestOf(files), files, bytes: totalBytes, serialization };
}

/** SHA-256 over the raw digests, in the given order (the in-toto subject digest). */
export function rootDigestOf(entries: readonly ManifestEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(Buffer.from(e.digest, 'hex'));
  return hash.digest('hex');
}

/**
 * Compares the signed manifest with the model on disk as sets: any changed, missing or extra
 * item fails, naming the items (changed before missing before extra).
 */
export function compareManifests(signed: readonly ManifestEntry[], actual: readonly ManifestEntry[]): void {
  const local = new Map(actual.map((e) => [e.name, e.digest]));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const e of signed) {
    const d = local.get(e.name);
    if (d === undefined) missing.push(e.name);
    else if (d !== e.digest) changed.push(e.name);
    local.delete(e.name);
  }
  const extra = [...local.keys()];
  if (changed.length + missing.length + extra.length === 0) return;
  const mismatch: ManifestMismatch = {
    changed: changed.slice(0, MISMATCH_LIST_MAX),
    missing: missing.slice(0, MISMATCH_LIST_MAX),
    extra: extra.slice(0, MISMATCH_LIST_MAX),
  };
  const list = (names: string[]) => names.slice(0, 5).map(quoteName).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  const parts = [
    changed.length ? `changed: ${list(changed)}` : '',
    missing.length ? `missing: ${list(missing)}` : '',
    extra.length ? `not signed: ${list(extra)}` : '',
  ].filter(Boolean);
  const code = changed.length ? 'MODEL_FILE_CHANGED' : missing.length ? 'MODEL_FILE_MISSING' : 'MODEL_FILE_EXTRA';
  const file = changed[0] ?? missing[0] ?? extra[0];
  throw new ModelSignatureError(code, `${parts.join('; ')}.`, { ...(file !== undefined ? { file } : {}), mismatch });
}

function progressReporter(totalBytes: number, totalFiles: number, onProgress?: (p: HashProgress) => void) {
  let bytesHashed = 0;
  let filesHashed = 0;
  let last = 0;
  const emit = (force: boolean) => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    onProgress({ bytesHashed, totalBytes, filesHashed, totalFiles });
  };
  return {
    bytes: (n: number) => {
      bytesHashed += n;
      emit(false);
    },
    jobDone: () => {
      filesHashed++;
      emit(false);
    },
    end: () => emit(true),
  };
}
