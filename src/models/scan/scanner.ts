/**
 * The seam every format scanner plugs into: one module under scanners/ exports one
 * `ScannerDescriptor`. The dispatcher reads the first bytes of a file, asks each registered
 * scanner in order whether the content is its format (`sniff`, by content, never by extension),
 * and hands the file to the first that says yes.
 *
 * @example
 * export const exampleScanner: ScannerDescriptor = {
 *   id: 'example', version: '1.0.0', description: 'Example files (magic "EXMP").',
 *   sniff: (head) => head.subarray(0, 4).toString('latin1') === 'EXMP',
 *   async scan(input, ctx) {
 *     if (!(await input.reader.fill(8))) ctx.report({ severity: 'error', rule: 'example.truncated', message: 'Shorter than its header.' });
 *   },
 * };
 */
import type { ByteReader, ChunkSource } from './byte-reader.ts';
import type { ScanLimits, Severity, Verdict } from './types.ts';

/** How many bytes `sniff` sees (fewer when the file is shorter). */
export const SNIFF_BYTES = 64 * 1024;

export interface SniffInfo {
  /** Total size when known (files, zip entries); undefined for decompressed streams. */
  readonly size: number | undefined;
  /** True when `head` is the whole file. */
  readonly complete: boolean;
  /** File name (last path segment); used for messages and for the unknown-content rule only. */
  readonly name: string;
}

/** What the container around a file tells about it. */
export interface FileHints {
  /** Part of a PyTorch checkpoint (zip or legacy): persistent ids are expected, not suspicious. */
  readonly torch?: boolean;
  /** Raw tensor storage of a PyTorch zip (`archive/data/0`): not sniffed, only hashed. */
  readonly rawStorage?: boolean;
  /** A `storages` or `tensors` member of a legacy tar checkpoint: pickles interleaved with raw bytes. */
  readonly torchLegacy?: 'storages' | 'tensors';
}

export interface ScanInput {
  /** Positioned at offset 0 of the file. */
  readonly reader: ByteReader;
  /** The first up to SNIFF_BYTES bytes (not consumed). */
  readonly head: Buffer;
  readonly size: number | undefined;
  /** Name of the file (last segment), for messages. */
  readonly name: string;
  /** Set when the bytes are a file on disk: scanners may open it for random access. */
  readonly diskPath?: string;
}

export interface FindingInput {
  readonly severity: Severity;
  readonly rule: string;
  readonly message: string;
  readonly offset?: number;
  readonly callable?: string;
}

/** A whole file held for random access: in memory when small, else a temporary file. */
export type Materialized = { readonly kind: 'buffer'; readonly buffer: Buffer } | { readonly kind: 'file'; readonly path: string };

export interface ScanContext {
  /** Report path of the file being scanned. */
  readonly file: string;
  /** Nesting depth: 0 for files on disk, +1 per container level. */
  readonly depth: number;
  readonly limits: ScanLimits;
  readonly hints: FileHints;
  readonly signal: AbortSignal | undefined;
  report(finding: FindingInput): void;
  /**
   * Scans `source` as the file `${file}!${name}` (sniffed like any file), with its own findings
   * and entry in the report. Resolves with its verdict; never rejects for content problems.
   */
  scanNested(name: string, source: ChunkSource, size: number | undefined, hints?: FileHints): Promise<Verdict>;
  /**
   * The rest of the input for random access, or null when it is larger than `maxBytes` (the
   * caller reports what that means for its format). Temporary files are removed after the scan.
   */
  materialize(input: ScanInput, maxBytes: number): Promise<Materialized | null>;
}

export interface ScannerDescriptor {
  /** Also the `format` of the files it claims and of its findings. */
  readonly id: string;
  readonly version: string;
  readonly description: string;
  /** True when `head` (the file's first bytes) is this scanner's format. Pure, synchronous, cheap. */
  sniff(head: Buffer, info: SniffInfo): boolean;
  /** Scans the file; reports findings through `ctx`; throws only on programming errors. */
  scan(input: ScanInput, ctx: ScanContext): Promise<void>;
}
