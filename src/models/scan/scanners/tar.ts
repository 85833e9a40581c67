/**
 * tar archives (POSIX.1-1988 ustar, pax extended headers, GNU long names): model bundles and
 * legacy PyTorch checkpoints. Read sequentially, never extracted: member names are checked for
 * path traversal, links and device nodes are reported, and each regular member is scanned as a
 * nested file.
 */
import { entryNameProblem } from '../analysis/entry-names.ts';
import type { ByteReader, ChunkSource } from '../byte-reader.ts';
import type { FileHints, ScanContext, ScannerDescriptor } from '../scanner.ts';
import { torchTarRole } from './pytorch.ts';

const BLOCK = 512;

function cString(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? s.length : nul).toString('utf8');
}

/** Octal size field, or GNU base-256 when the high bit is set. */
function sizeField(b: Buffer): number | null {
  const f = b.subarray(124, 136);
  if (f[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < f.length; i++) n = n * 256 + f[i]!;
    return Number.isSafeInteger(n) ? n : null;
  }
  const s = cString(b, 124, 12).trim();
  return /^[0-7]*$/.test(s) ? (s === '' ? 0 : Number.parseInt(s, 8)) : null;
}

function checksumOk(b: Buffer): boolean {
  const stored = Number.parseInt(cString(b, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === stored;
}

/** `n` bytes of the parent reader as a chunk source. */
function slice(reader: ByteReader, n: number): ChunkSource & { left(): number } {
  let left = n;
  return {
    left: () => left,
    async read() {
      if (left === 0) return null;
      if (reader.available === 0 && !(await reader.fill(1))) {
        left = 0;
        return null;
      }
      const take = Math.min(left, reader.available);
      const c = reader.buf.subarray(reader.pos, reader.pos + take);
      reader.pos += take;
      left -= take;
      return c;
    },
    async close() {},
  };
}

function pax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > data.length) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** Reads to the end after the end-of-archive marker: only zero padding may follow. */
async function trailingZeros(reader: ByteReader, ctx: ScanContext): Promise<void> {
  let at = reader.offset;
  for await (const chunk of reader.chunks()) {
    ctx.signal?.throwIfAborted();
    const nonZero = chunk.findIndex((x) => x !== 0);
    if (nonZero >= 0) {
      at += nonZero;
      ctx.report({ severity: 'error', rule: 'tar.trailing-data', offset: at, message: `Data after the end of the archive, at offset ${at}: another format may read it (a pickle around the archive); the file is not verified.` });
      return;
    }
    at += chunk.length;
  }
}

async function scanTar(reader: ByteReader, ctx: ScanContext): Promise<void> {
  let longName: string | null = null;
  let paxHeaders: Map<string, string> | null = null;
  let members = 0;
  for (;;) {
    ctx.signal?.throwIfAborted();
    const at = reader.offset;
    const h = await reader.read(BLOCK);
    if (h === null) {
      if (!reader.atEnd || reader.available > 0) ctx.report({ severity: 'error', rule: 'tar.truncated', offset: at, message: `The archive ends inside a header at offset ${at}.` });
      else ctx.report({ severity: 'info', rule: 'tar.no-end-marker', offset: at, message: 'The archive ends without its two zero blocks.' });
      return;
    }
    if (h.every((x) => x === 0)) {
      // End of the archive. Anything after it is invisible to tar and may be read by another
      // format (a pickle wrapping the archive in one BINBYTES and going on after it).
      await trailingZeros(reader, ctx);
      return;
    }
    const header = Buffer.from(h);
    if (!checksumOk(header)) {
      ctx.report({ severity: 'error', rule: 'tar.malformed', offset: at, message: `Bad header checksum at offset ${at}: the archive is corrupt and cannot be verified past this point.` });
      return;
    }
    const size = sizeField(header);
    if (size === null) {
      ctx.report({ severity: 'error', rule: 'tar.malformed', offset: at, message: `Unreadable size field at offset ${at}.` });
      return;
    }
    if (++members > ctx.limits.maxEntries) {
      ctx.report({ severity: 'error', rule: 'tar.too-many-entries', offset: at, message: `More than ${ctx.limits.maxEntries} members (maxEntries): the rest is not scanned.` });
      return;
    }
    const type = String.fromCharCode(header[156]!);
    const magic = header.subarray(257, 262).toString('latin1');
    const prefix = magic === 'ustar' ? cString(header, 345, 155) : '';
    let name = longName ?? paxHeaders?.get('path') ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    const dataSize = Number(paxHeaders?.get('size') ?? size);
    const padded = Math.ceil(dataSize / BLOCK) * BLOCK;
    longName = null;
    paxHeaders = null;
    if (type === 'L' || type === 'x' || type === 'g') {
      const data = await reader.read(Math.min(dataSize, 1 << 20));
      if (data === null) return void ctx.report({ severity: 'error', rule: 'tar.truncated', offset: at, message: 'Truncated extended header.' });
      if (type === 'L') longName = cString(data, 0, data.length);
      else if (type === 'x') paxHeaders = pax(Buffer.from(data));
      await reader.skip(padded - Math.min(dataSize, 1 << 20));
      continue;
    }
    name = name.replace(/^\.\//, '');
    const problem = entryNameProblem(name);
    if (problem) ctx.report({ severity: problem.severity, rule: 'tar.path-traversal', offset: at, callable: name, message: `Member '${name}' ${problem.why}: extracting it writes outside the target directory.` });
    if (type === '1' || type === '2') {
      const target = cString(header, 157, 100);
      const escapes = target.startsWith('/') || target.split(/[\\/]/).includes('..');
      ctx.report({ severity: escapes ? 'malicious' : 'suspicious', rule: 'tar.link-entry', offset: at, callable: name, message: `Member '${name}' is a ${type === '1' ? 'hard' : 'symbolic'} link to '${target}'${escapes ? ', outside the archive: extraction can overwrite or expose any file' : ''}.` });
    } else if (type === '3' || type === '4' || type === '6') {
      ctx.report({ severity: 'suspicious', rule: 'tar.special-entry', offset: at, callable: name, message: `Member '${name}' is a device node or FIFO.` });
    } else if ((type === '0' || type === '\0' || type === '7') && !name.endsWith('/')) {
      const role = torchTarRole(name);
      const hints: FileHints = role === 'storages' || role === 'tensors' ? { torchLegacy: role, torch: true } : role === 'pickle' ? { torch: true } : {};
      const member = slice(reader, dataSize);
      await ctx.scanNested(name, member, dataSize, hints);
      if (!(await reader.skip(member.left() + padded - dataSize))) return void ctx.report({ severity: 'error', rule: 'tar.truncated', offset: reader.offset, callable: name, message: `Member '${name}' is truncated.` });
      continue;
    }
    if (!(await reader.skip(padded))) return void ctx.report({ severity: 'error', rule: 'tar.truncated', offset: reader.offset, message: 'The archive is truncated.' });
  }
}

export const tarScanner: ScannerDescriptor = {
  id: 'tar',
  version: '1.0.0',
  description: 'tar archives (ustar, pax, GNU): path traversal, links, device nodes; every member scanned; legacy PyTorch tar checkpoints.',
  sniff: (head) => head.length >= BLOCK && head.subarray(257, 262).toString('latin1') === 'ustar' && checksumOk(head.subarray(0, BLOCK)),
  async scan(input, ctx) {
    await scanTar(input.reader, ctx);
  },
};
