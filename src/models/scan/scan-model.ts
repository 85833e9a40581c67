/**
 * `scanModelPath`: static scanning of model files, never loading them. Sniffs every file by
 * content, recurses into containers (zip, tar, gzip, PyTorch, npz, .keras) and reports what would
 * run on load: pickle globals outside an allow-list, computed callables, Keras Lambda code, file
 * system ops in TensorFlow graphs, ONNX external data that escapes the model directory, chat
 * templates that reach Python internals, plus every structural defect that makes a file
 * unverifiable (truncation, bad offsets, archive bombs, zip-slip names).
 *
 * @example
 * const report = await scanModelPath('models/bert', { onProgress: (p) => log.info(p) });
 * if (report.verdict === 'malicious' || report.verdict === 'error') refuse(report.findings);
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { RampartError } from '../../core/errors.ts';
import { fileSource } from './byte-reader.ts';
import { resolveLimits } from './limits.ts';
import { ScannerRegistry } from './registry.ts';
import { SCANNERS } from './scanners/index.ts';
import { ScanSession } from './session.ts';
import type { ScanOptions, ScanReport, Severity } from './types.ts';
import { worstOf } from './verdict.ts';
import { walkTree, type WalkFile } from './walk.ts';

export type { Finding, ScanLimits, ScanOptions, ScanProgress, ScanReport, ScannedFile, Severity, Verdict } from './types.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export { isFailing } from './verdict.ts';

/** Checked once, at module load: duplicate scanner ids fail here. */
const REGISTRY = new ScannerRegistry(SCANNERS);

const CHUNK_BYTES = 4 * 1024 * 1024;
const PROGRESS_EVERY = 16 * 1024 * 1024;

/** The registered format scanners, in sniffing order (for docs and `--help`). */
export function scannerIds(): string[] {
  return REGISTRY.list().map((s) => s.id);
}

/** Scans a file, or a directory recursively (symbolic links are reported, never followed). */
export async function scanModelPath(path: string, options: ScanOptions = {}): Promise<ScanReport> {
  const limits = resolveLimits(options.limits);
  const signal = options.signal;
  const started = performance.now();
  let st;
  try {
    st = await stat(path); // the target itself may be a link the caller chose; links below it are not followed
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RampartError('RAMPART_NOT_FOUND', { detail: `No file or directory at '${path}'.`, cause: e });
    throw e;
  }
  const session = new ScanSession({ registry: REGISTRY, limits, hash: options.hash ?? true, signal });
  let items: WalkFile[];
  if (st.isDirectory()) {
    const walked = await walkTree(path, limits.maxFiles, signal);
    items = walked.files;
    for (const n of walked.notes) session.note(n.rel, 'filesystem', n.finding);
  } else if (st.isFile()) {
    items = [{ rel: basename(path), abs: path, size: st.size }];
  } else {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `'${path}' is neither a file nor a directory.` });
  }

  const totalBytes = items.reduce((n, f) => n + f.size, 0);
  let bytes = 0;
  let files = 0;
  let lastProgress = 0;
  const progress = (): void => {
    lastProgress = bytes;
    try {
      options.onProgress?.({ bytes, files, totalBytes });
    } catch {
      // A progress callback must not break the scan.
    }
  };
  const onBytes = (n: number): void => {
    bytes += n;
    if (bytes - lastProgress >= PROGRESS_EVERY) progress();
  };
  try {
    for (const item of items) {
      signal?.throwIfAborted();
      const source = await fileSource(item.abs, CHUNK_BYTES, signal);
      await session.scan(item.rel, source, item.size, 0, {}, item.abs, onBytes);
      files++;
      progress();
    }
  } finally {
    await session.close();
  }
  const findings = session.findings;
  const counts: Record<Severity, number> = { malicious: 0, suspicious: 0, error: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const fileList = session.files;
  return {
    target: path,
    verdict: worstOf(findings.map((f) => f.severity)),
    files: fileList,
    findings,
    stats: { files: fileList.length, bytes: totalBytes, scannedBytes: session.scannedBytes, durationMs: Math.round(performance.now() - started), findings: counts },
  };
}
