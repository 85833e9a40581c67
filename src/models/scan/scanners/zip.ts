/**
 * Zip archives: PyTorch checkpoints (`archive/data.pkl`), numpy `.npz`, Keras `.keras`, TorchServe
 * `.mar`, and any other zip. Read with yauzl from the central directory; names are checked for
 * zip-slip, duplicates and symlinks, sizes for bombs (declared and actual, total and ratio, and
 * entries whose data overlap: the "better zip bomb"), each entry's CRC-32 is verified, and every
 * entry is streamed to the scanner its content calls for.
 */
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { entryNameProblem } from '../analysis/entry-names.ts';
import type { ChunkSource } from '../byte-reader.ts';
import type { FileHints, ScanContext, ScannerDescriptor } from '../scanner.ts';
import { torchZipLayout } from './pytorch.ts';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** Local file header: 30 fixed bytes before the name (APPNOTE.TXT 4.3.7). */
const LOCAL_HEADER = 30;

function decodeName(entry: yauzl.Entry): { name: string; raw: string } {
  const rawBuf = entry.fileName as unknown as Buffer; // decodeStrings: false gives Buffers (see @types/yauzl Options)
  const utf8 = (entry.generalPurposeBitFlag & 0x800) !== 0;
  const raw = rawBuf.toString(utf8 ? 'utf8' : 'latin1');
  let name = raw;
  try {
    name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, rawBuf, entry.extraFields, false);
  } catch {
    // keep the raw reading
  }
  return { name, raw };
}

interface Budget {
  total: number;
  bomb: string | null;
}

/** The entry's decompressed bytes, cut off at the first limit it breaks (the cut is reported). */
function guardedSource(stream: NodeJS.ReadableStream & { destroy(error?: Error): void }, entry: yauzl.Entry, budget: Budget, ctx: ScanContext): { source: ChunkSource; state: { bytes: number; crc: number; cut: boolean } } {
  const state = { bytes: 0, crc: 0, cut: false };
  const it = stream[Symbol.asyncIterator]();
  const { maxArchiveBytes, maxRatio, ratioFloorBytes } = ctx.limits;
  const source: ChunkSource = {
    async read() {
      if (state.cut) return null;
      const r = await it.next();
      if (r.done) return null;
      const c = r.value as Buffer;
      state.bytes += c.length;
      budget.total += c.length;
      state.crc = crc32(c, state.crc);
      if (budget.total > maxArchiveBytes) budget.bomb ??= `more than ${maxArchiveBytes} bytes decompressed in total (maxArchiveBytes)`;
      else if (state.bytes > ratioFloorBytes && state.bytes / Math.max(1, entry.compressedSize) > maxRatio) budget.bomb ??= `an entry expands more than ${maxRatio}:1 (maxRatio)`;
      if (state.bytes > entry.uncompressedSize) state.cut = true;
      if (budget.bomb !== null || state.cut) {
        stream.destroy();
        return null;
      }
      return c;
    },
    async close() {
      stream.destroy();
    },
  };
  return { source, state };
}

async function scanZip(ctx: ScanContext, zip: yauzl.ZipFile): Promise<void> {
  const { maxEntries, maxArchiveBytes, maxRatio, ratioFloorBytes } = ctx.limits;
  const entries: { entry: yauzl.Entry; name: string }[] = [];
  const seen = new Set<string>();
  let declared = 0;
  if (zip.entryCount > maxEntries) {
    ctx.report({ severity: 'error', rule: 'zip.too-many-entries', message: `${zip.entryCount} entries (maxEntries ${maxEntries}): not scanned.` });
    return;
  }
  for await (const entry of zip.eachEntry()) {
    const { name, raw } = decodeName(entry);
    const at = entry.relativeOffsetOfLocalHeader;
    for (const n of name === raw ? [name] : [name, raw]) {
      const problem = entryNameProblem(n);
      if (problem) ctx.report({ severity: problem.severity, rule: 'zip.path-traversal', offset: at, callable: n, message: `Entry '${n}' ${problem.why}: extracting it writes outside the target directory (zip slip).` });
    }
    if (name !== raw) ctx.report({ severity: 'suspicious', rule: 'zip.name-mismatch', offset: at, callable: name, message: `Entry is named '${raw}' in its header and '${name}' in its Unicode path field: tools disagree on which file this is.` });
    if (seen.has(name)) ctx.report({ severity: 'suspicious', rule: 'zip.duplicate-entry', offset: at, callable: name, message: `Entry '${name}' appears more than once: different tools read different copies.` });
    seen.add(name);
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
      ctx.report({ severity: 'suspicious', rule: 'zip.symlink-entry', offset: at, callable: name, message: `Entry '${name}' is a symbolic link: extracting it can point later writes or reads outside the directory.` });
    }
    declared += entry.uncompressedSize;
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (entry.uncompressedSize > maxArchiveBytes || (entry.uncompressedSize > ratioFloorBytes && ratio > maxRatio)) {
      ctx.report({ severity: 'malicious', rule: 'zip.bomb', offset: at, callable: name, message: `Entry '${name}' declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed (${ratio.toFixed(0)}:1): a decompression bomb.` });
      return;
    }
    entries.push({ entry, name });
  }
  if (declared > maxArchiveBytes) {
    ctx.report({ severity: 'malicious', rule: 'zip.bomb', message: `Entries declare ${declared} bytes in total (maxArchiveBytes ${maxArchiveBytes}): a decompression bomb.` });
    return;
  }
  // Entries whose compressed data overlap reuse one deflate stream many times (Fifield's "better zip bomb").
  const byOffset = [...entries].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!.entry;
    const cur = byOffset[i]!;
    if (cur.entry.relativeOffsetOfLocalHeader < prev.relativeOffsetOfLocalHeader + LOCAL_HEADER + prev.fileNameLength + prev.compressedSize) {
      ctx.report({ severity: 'malicious', rule: 'zip.overlapping-entries', offset: cur.entry.relativeOffsetOfLocalHeader, callable: cur.name, message: `Entry '${cur.name}' starts inside the data of the previous entry: overlapping entries are how zip bombs reuse one compressed stream.` });
      return;
    }
  }

  const torch = torchZipLayout(entries.map((e) => e.name));
  const budget: Budget = { total: 0, bomb: null };
  for (const { entry, name } of entries) {
    ctx.signal?.throwIfAborted();
    if (name.endsWith('/')) continue;
    const at = entry.relativeOffsetOfLocalHeader;
    if (entry.isEncrypted()) {
      ctx.report({ severity: 'suspicious', rule: 'zip.encrypted-entry', offset: at, callable: name, message: `Entry '${name}' is encrypted: its content cannot be inspected.` });
      continue;
    }
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      ctx.report({ severity: 'error', rule: 'zip.unsupported-compression', offset: at, callable: name, message: `Entry '${name}' uses compression method ${entry.compressionMethod}: its content cannot be inspected.` });
      continue;
    }
    const role = torch.roleOf(name);
    if (role === 'torchscript-code') {
      ctx.report({ severity: 'info', rule: 'pytorch.torchscript-code', offset: at, callable: name, message: `TorchScript source '${name}': executed by torch.jit.load (TorchScript, not Python).` });
    }
    let stream;
    try {
      stream = await zip.openReadStreamPromise(entry);
    } catch (e) {
      ctx.report({ severity: 'error', rule: 'zip.malformed', offset: at, callable: name, message: `Entry '${name}' cannot be read: ${e instanceof Error ? e.message : String(e)}.` });
      continue;
    }
    const { source, state } = guardedSource(stream, entry, budget, ctx);
    const hints: FileHints = role === 'raw-storage' ? { rawStorage: true } : role === 'pickle' ? { torch: true } : {};
    await ctx.scanNested(name, source, entry.uncompressedSize, hints);
    if (budget.bomb !== null) {
      ctx.report({ severity: 'malicious', rule: 'zip.bomb', offset: at, callable: name, message: `Decompression stopped at entry '${name}': ${budget.bomb}.` });
      return;
    }
    if (state.cut || state.bytes !== entry.uncompressedSize) {
      ctx.report({ severity: 'error', rule: 'zip.size-mismatch', offset: at, callable: name, message: `Entry '${name}' declares ${entry.uncompressedSize} bytes but ${state.cut ? 'holds more' : `decompresses to ${state.bytes}`}: the archive is corrupt or crafted.` });
    } else if ((state.crc >>> 0) !== (entry.crc32 >>> 0)) {
      ctx.report({ severity: 'error', rule: 'zip.crc-mismatch', offset: at, callable: name, message: `Entry '${name}' fails its CRC-32 check: the archive is corrupt or was altered.` });
    }
  }
}

export const zipScanner: ScannerDescriptor = {
  id: 'zip',
  version: '1.0.0',
  description: 'Zip archives (PyTorch .pt/.pth, .npz, .keras, .mar, any zip): zip slip, bombs, duplicates, CRC, and every entry scanned.',
  sniff(head) {
    // Local file header, or the end-of-central-directory record of an empty archive.
    return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
  },
  async scan(input, ctx) {
    const m = await ctx.materialize(input, ctx.limits.maxArchiveBytes);
    if (m === null) {
      ctx.report({ severity: 'error', rule: 'scan.too-large', message: `The archive is larger than maxArchiveBytes (${ctx.limits.maxArchiveBytes}): not scanned.` });
      return;
    }
    const options: yauzl.Options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false };
    let zip: yauzl.ZipFile;
    try {
      zip = m.kind === 'file' ? await yauzl.openPromise(m.path, options) : await yauzl.fromBufferPromise(m.buffer, options);
    } catch (e) {
      ctx.report({ severity: 'error', rule: 'zip.malformed', message: `Not a readable zip archive: ${e instanceof Error ? e.message : String(e)}.` });
      return;
    }
    try {
      await scanZip(ctx, zip);
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      ctx.report({ severity: 'error', rule: 'zip.malformed', message: `The archive is corrupt: ${e instanceof Error ? e.message : String(e)}.` });
    } finally {
      zip.close();
    }
  },
};
