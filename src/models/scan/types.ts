/**
 * The model scanner's public report shape and the seam every format scanner plugs into.
 *
 * A scan never loads a model: scanners read bytes and reason about them. Problems in the scanned
 * content are findings, never exceptions; only programming errors and IO on the top-level path
 * throw.
 */

/** How bad one finding is. `error` means "could not be verified" (unparseable, truncated, a limit hit). */
export type Severity = 'malicious' | 'suspicious' | 'error' | 'info';

/** A file's or a report's overall verdict: the worst of its findings (`info` counts as clean). */
export type Verdict = 'clean' | 'suspicious' | 'malicious' | 'error';

export interface Finding {
  readonly severity: Severity;
  /** Path relative to the scan target; entries inside containers read `outer.zip!inner/data.pkl`. */
  readonly file: string;
  /** Byte offset inside `file` (the innermost file for container entries). */
  readonly offset?: number;
  /** Format id of the scanner that reported it (`pickle`, `zip`, `safetensors`, ...). */
  readonly format: string;
  /** Stable rule id, e.g. `pickle.dangerous-global`. docs/model-scanning.md lists them all. */
  readonly rule: string;
  /** The Python callable (or op, module, layer) the finding is about, when there is one. */
  readonly callable?: string;
  /** Why, for a human reviewer. */
  readonly message: string;
}

export interface ScannedFile {
  readonly path: string;
  readonly format: string;
  /** Bytes read (decompressed size for container entries). */
  readonly bytes: number;
  /** SHA-256 of the file's bytes, when hashing is on and the file was read to its end. */
  readonly sha256?: string;
  readonly verdict: Verdict;
}

export interface ScanStats {
  /** Files in the report, container entries included. */
  readonly files: number;
  /** Bytes of the top-level files on disk. */
  readonly bytes: number;
  /** Bytes scanned, decompressed container entries included. */
  readonly scannedBytes: number;
  readonly durationMs: number;
  readonly findings: Readonly<Record<Severity, number>>;
}

export interface ScanReport {
  /** The path as given. */
  readonly target: string;
  readonly verdict: Verdict;
  readonly files: readonly ScannedFile[];
  readonly findings: readonly Finding[];
  readonly stats: ScanStats;
}

export interface ScanProgress {
  /** Bytes of top-level files consumed so far. */
  readonly bytes: number;
  /** Top-level files finished so far. */
  readonly files: number;
  /** Sum of the sizes of all top-level files to scan. */
  readonly totalBytes: number;
}

/** Limits against hostile input. Every one has a secure default (see limits.ts). */
export interface ScanLimits {
  /** Containers inside containers (zip in zip, gzip in tar, pickle in npy in zip): deeper is an error. */
  readonly maxDepth: number;
  /** Files scanned in one run, container entries included. */
  readonly maxFiles: number;
  /** Entries in one archive. */
  readonly maxEntries: number;
  /** Decompressed bytes of one archive (all its entries) or one compressed stream. */
  readonly maxArchiveBytes: number;
  /** Decompressed/compressed ratio above which an entry is a bomb (checked past `ratioFloorBytes`). */
  readonly maxRatio: number;
  /** Entries smaller than this are never judged by their ratio (tiny, well-compressed files are normal). */
  readonly ratioFloorBytes: number;
  /** Nested content that must be held whole (a zip inside a zip, HDF5) is kept in memory up to this, spilled to a temp file above. */
  readonly maxInMemoryBytes: number;
  /** JSON headers and configs (safetensors header, Keras config, chat templates) parsed in memory. */
  readonly maxHeaderBytes: number;
  /** HDF5 files parsed structurally (the jsfive reader needs the whole file); larger ones get a byte scan only. */
  readonly maxHdf5Bytes: number;
  /** Time for the HDF5 parser worker. */
  readonly hdf5TimeoutMs: number;
}

export interface ScanOptions {
  /** Called as bytes are consumed (at most every 16 MiB and once per file). Never throws into the scan. */
  onProgress?(done: ScanProgress): void;
  /** Overrides of the secure defaults. */
  limits?: Partial<ScanLimits>;
  /** SHA-256 every file (default true). Turning it off lets large payloads be skipped with a seek. */
  hash?: boolean;
  /** Stops the scan; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}
