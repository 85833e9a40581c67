/**
 * The `serialization` section of the predicate: its JSON form (as the reference tool writes and
 * reads it) and the strict reading of an untrusted one.
 */
import { ModelSignatureError, malformed } from './errors.ts';
import { checkSignedIgnorePath } from './paths.ts';
import type { Serialization } from './types.ts';

const FILE_KEYS = new Set(['method', 'hash_type', 'allow_symlinks', 'ignore_paths']);
const SHARD_KEYS = new Set(['method', 'hash_type', 'allow_symlinks', 'ignore_paths', 'shard_size']);
const MAX_IGNORE_PATHS = 10_000;

export function serializationToJson(s: Serialization): Record<string, unknown> {
  const out: Record<string, unknown> = { method: s.method, hash_type: s.hashType, allow_symlinks: s.allowSymlinks };
  if (s.method === 'shards') out['shard_size'] = s.shardSize;
  if (s.ignorePaths) out['ignore_paths'] = [...s.ignorePaths];
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `predicate.serialization` of a signed statement, refusing anything not understood. */
export function parseSerialization(raw: unknown): Serialization {
  if (!isRecord(raw)) throw malformed('predicate.serialization must be an object.');
  const method = raw['method'];
  if (method !== 'files' && method !== 'shards') {
    throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', `Serialization method ${JSON.stringify(method)} is not supported (files, shards).`);
  }
  // Unknown parameters could change what the manifest means: refuse rather than ignore them.
  const allowed = method === 'files' ? FILE_KEYS : SHARD_KEYS;
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', `Unknown serialization parameter ${JSON.stringify(key)}.`);
  }
  const allowSymlinks = raw['allow_symlinks'];
  if (typeof allowSymlinks !== 'boolean') throw malformed('serialization.allow_symlinks must be a boolean.');
  const ignorePaths = parseIgnorePaths(raw['ignore_paths']);
  const hashType = raw['hash_type'];
  if (typeof hashType !== 'string') throw malformed('serialization.hash_type must be a string.');
  if (method === 'files') {
    if (hashType !== 'sha256') throw unsupportedHash(hashType);
    return { method, hashType, allowSymlinks, ...(ignorePaths ? { ignorePaths } : {}) };
  }
  const shardSize = raw['shard_size'];
  if (typeof shardSize !== 'number' || !Number.isSafeInteger(shardSize) || shardSize <= 0) {
    throw malformed('serialization.shard_size must be a positive integer.');
  }
  if (hashType !== 'sha256' && hashType !== `sha256-sharded-${shardSize}`) throw unsupportedHash(hashType);
  return { method, hashType, shardSize, allowSymlinks, ...(ignorePaths ? { ignorePaths } : {}) };
}

function unsupportedHash(hashType: string): ModelSignatureError {
  return new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', `Hash type ${JSON.stringify(hashType.slice(0, 64))} is not supported (sha256).`);
}

function parseIgnorePaths(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > MAX_IGNORE_PATHS) throw malformed('serialization.ignore_paths must be a list of paths.');
  return raw.map((p) => {
    if (typeof p !== 'string') throw malformed('serialization.ignore_paths must be a list of strings.');
    checkSignedIgnorePath(p);
    return p;
  });
}
