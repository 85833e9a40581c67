/**
 * One scan run: dispatches each file (on disk or nested in a container) to the scanner its
 * content calls for, collects findings and file records, enforces the file-count and depth
 * limits, and holds the temporary files of spilled nested content until the end.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferSource, ByteReader, fileSource, type ChunkSource } from './byte-reader.ts';
import { mayBePickle } from './pickle/run.ts';
import type { ScannerRegistry } from './registry.ts';
import { SNIFF_BYTES, type FileHints, type FindingInput, type Materialized, type ScanContext, type ScanInput } from './scanner.ts';
import type { Finding, ScanLimits, ScannedFile, Severity, Verdict } from './types.ts';
import { reportUnknown } from './unknown-content.ts';
import { verdictOf, worse } from './verdict.ts';

interface FileRecord {
  path: string;
  format: string;
  bytes: number;
  sha256?: string;
  verdict: Verdict;
}

export interface SessionOptions {
  readonly registry: ScannerRegistry;
  readonly limits: ScanLimits;
  readonly hash: boolean;
  readonly signal: AbortSignal | undefined;
}

export class ScanSession {
  readonly findings: Finding[] = [];
  readonly #files: FileRecord[] = [];
  readonly #opts: SessionOptions;
  #scannedBytes = 0;
  #tooMany = false;
  #tempDir: string | null = null;
  #tempCount = 0;

  constructor(options: SessionOptions) {
    this.#opts = options;
  }

  get files(): ScannedFile[] {
    return this.#files.map((f) => ({ path: f.path, format: f.format, bytes: f.bytes, ...(f.sha256 ? { sha256: f.sha256 } : {}), verdict: f.verdict }));
  }

  get scannedBytes(): number {
    return this.#scannedBytes;
  }

  /** A finding about a path that is not scanned as a file (a symlink, a special file). */
  note(path: string, format: string, f: FindingInput): void {
    this.findings.push({ severity: f.severity, file: path, format, rule: f.rule, message: f.message, ...(f.offset !== undefined ? { offset: f.offset } : {}), ...(f.callable ? { callable: f.callable } : {}) });
  }

  /** Scans one file's bytes; `path` is its report path. Never rejects for content problems. */
  async scan(path: string, source: ChunkSource, size: number | undefined, depth: number, hints: FileHints, diskPath?: string, onBytes?: (n: number) => void): Promise<Verdict> {
    const record: FileRecord = { path, format: 'unknown', bytes: 0, verdict: 'clean' };
    const reader = new ByteReader(source, { hash: this.#opts.hash, ...(onBytes ? { onBytes } : {}) });
    try {
      if (this.#files.length >= this.#opts.limits.maxFiles) {
        if (!this.#tooMany) {
          this.#tooMany = true;
          this.note(path, 'scan', { severity: 'error', rule: 'scan.too-many-files', message: `More than ${this.#opts.limits.maxFiles} files (maxFiles): the rest is not scanned.` });
        }
        return 'error';
      }
      this.#files.push(record);
      const report = (f: FindingInput): void => {
        this.note(path, record.format, f);
        record.verdict = worse(record.verdict, verdictOf(f.severity));
      };
      const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('!')) + 1);
      const ctx: ScanContext = {
        file: path,
        depth,
        limits: this.#opts.limits,
        hints,
        signal: this.#opts.signal,
        report,
        scanNested: async (entry, src, entrySize, entryHints) => {
          const nestedPath = `${path}!${entry}`;
          if (depth + 1 > this.#opts.limits.maxDepth) {
            await src.close();
            report({ severity: 'error', rule: 'scan.depth-limit', message: `'${entry}' is nested ${depth + 1} containers deep (maxDepth ${this.#opts.limits.maxDepth}): not scanned.` });
            return 'error';
          }
          const v = await this.scan(nestedPath, src, entrySize, depth + 1, entryHints ?? {});
          record.verdict = worse(record.verdict, v);
          return v;
        },
        materialize: (input, maxBytes) => this.#materialize(input, reader, maxBytes),
      };
      const head = hints.rawStorage ? Buffer.alloc(0) : Buffer.from(await reader.peek(SNIFF_BYTES));
      const complete = head.length < SNIFF_BYTES || (size !== undefined && size <= head.length);
      const input: ScanInput = { reader, head, size, name, ...(diskPath ? { diskPath } : {}) };
      if (hints.rawStorage) {
        record.format = 'raw';
      } else {
        const scanner = this.#opts.registry.sniff(head, { size, name, complete });
        if (!scanner) {
          record.format = head.length === 0 ? 'empty' : 'unknown';
          reportUnknown(ctx, name, head.length === 0);
        } else {
          record.format = scanner.id;
          try {
            await scanner.scan(input, ctx);
          } catch (e) {
            if (this.#opts.signal?.aborted) throw e;
            report({ severity: 'error', rule: 'scan.internal-error', message: `The ${scanner.id} scanner failed (${e instanceof Error ? e.message : String(e)}): the file is not verified.` });
          }
          await this.#asPickleToo(scanner.id, input, ctx, report);
        }
      }
      await reader.drain();
      record.bytes = reader.bytesSeen;
      const digest = reader.digest();
      if (digest) record.sha256 = digest;
      this.#scannedBytes += reader.bytesSeen;
      return record.verdict;
    } catch (e) {
      if (this.#opts.signal?.aborted) throw e;
      // IO failing half-way through a nested stream (a corrupt deflate stream, a truncated zip).
      const message = e instanceof Error ? e.message : String(e);
      this.note(path, record.format, { severity: 'error', rule: 'scan.read-error', message: `Reading failed: ${message}.` });
      record.verdict = worse(record.verdict, 'error');
      return record.verdict;
    } finally {
      await reader.close().catch(() => {});
    }
  }

  /**
   * A file another format claimed whose first bytes also run as pickle opcodes (a tar whose first
   * header holds a pickle, a pickle that wraps an archive in one BINBYTES and goes on after it):
   * `pickle.load` would run it, so it is read again as a pickle. Only what would execute counts
   * (malicious findings); the rest is what any binary looks like when misread as a pickle.
   */
  async #asPickleToo(claimedBy: string, input: ScanInput, ctx: ScanContext, report: (f: FindingInput) => void): Promise<void> {
    const pickle = this.#opts.registry.get('pickle');
    if (!pickle || claimedBy === pickle.id || !mayBePickle(input.head)) return;
    const source = input.diskPath ? await fileSource(input.diskPath, 1 << 20, this.#opts.signal) : bufferSource(input.head);
    const again = new ByteReader(source, { hash: false });
    const forward = (f: FindingInput): void => {
      if (f.severity === 'malicious') report({ ...f, message: `Read as a pickle (the file is also ${claimedBy}): ${f.message}` });
    };
    try {
      await pickle.scan({ reader: again, head: input.head, size: input.size, name: input.name }, { ...ctx, report: forward });
    } catch (e) {
      if (this.#opts.signal?.aborted) throw e;
    } finally {
      await again.close().catch(() => {});
    }
  }

  async #materialize(input: ScanInput, reader: ByteReader, maxBytes: number): Promise<Materialized | null> {
    if (input.diskPath && reader.offset === 0) return { kind: 'file', path: input.diskPath };
    const inMemory = this.#opts.limits.maxInMemoryBytes;
    const parts: Buffer[] = [];
    let total = 0;
    let file: string | null = null;
    let fh: FileHandle | null = null;
    try {
      for await (const c of reader.chunks()) {
        total += c.length;
        if (total > maxBytes) return null;
        if (fh === null && total <= inMemory) {
          parts.push(c);
          continue;
        }
        if (fh === null) {
          this.#tempDir ??= await mkdtemp(join(tmpdir(), 'rampart-scan-'));
          file = join(this.#tempDir, `nested-${this.#tempCount++}`);
          fh = await open(file, 'wx', 0o600);
          for (const p of parts) await fh.write(p);
          parts.length = 0;
        }
        await fh.write(c);
      }
    } finally {
      await fh?.close();
    }
    return file === null ? { kind: 'buffer', buffer: Buffer.concat(parts, total) } : { kind: 'file', path: file };
  }

  /** Removes temporary files; call once at the end. */
  async close(): Promise<void> {
    if (this.#tempDir) await rm(this.#tempDir, { recursive: true, force: true });
  }

  count(severity: Severity): number {
    let n = 0;
    for (const f of this.findings) if (f.severity === severity) n++;
    return n;
  }
}
