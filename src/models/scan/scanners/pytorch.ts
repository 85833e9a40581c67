/**
 * PyTorch checkpoints. Three layouts (torch/serialization.py):
 * - zip (torch >= 1.6): `<prefix>/data.pkl` pickles the object with persistent ids pointing at raw
 *   storages in `<prefix>/data/<key>`; TorchScript archives add `code/` and `constants.pkl`. The
 *   zip scanner handles the archive and asks `torchZipLayout` what each entry is.
 * - legacy (torch 0.4-1.5 `_legacy_save`): five concatenated pickles (magic number, protocol
 *   version, sys info, the object, the storage keys), then raw storage bytes. This descriptor.
 * - legacy tar (torch < 0.4): `sys_info`, `pickle`, `storages`, `tensors` members; the latter two
 *   interleave pickles with raw bytes (`scanLegacyRecords`).
 */
import type { ByteReader } from '../byte-reader.ts';
import { torchStorageElementSize } from '../pickle/globals-policy.ts';
import { PickleStream } from '../pickle/run.ts';
import { K_GLOBAL, K_TUPLE, type Sym } from '../pickle/symbolic.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

/** LONG1 of torch's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, little-endian. */
const MAGIC_LONG1 = Buffer.from([0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

export type TorchEntryRole = 'pickle' | 'raw-storage' | 'torchscript-code' | 'other';

export interface TorchZipLayout {
  readonly isTorch: boolean;
  roleOf(name: string): TorchEntryRole;
}

/** What each entry of a zip is, when the zip is a PyTorch checkpoint (has a `data.pkl`). */
export function torchZipLayout(names: readonly string[]): TorchZipLayout {
  const prefixes = new Set<string>();
  for (const n of names) {
    const m = /^(.*\/)?data\.pkl$/.exec(n);
    if (m) prefixes.add(m[1] ?? '');
  }
  const list = [...prefixes];
  return {
    isTorch: list.length > 0,
    roleOf(name) {
      for (const p of list) {
        if (!name.startsWith(p)) continue;
        const rest = name.slice(p.length);
        if (rest.startsWith('data/') && !rest.endsWith('/')) return 'raw-storage';
        if (rest.endsWith('.pkl')) return 'pickle';
        if (rest.startsWith('code/') && rest.endsWith('.py')) return 'torchscript-code';
      }
      return 'other';
    },
  };
}

/**
 * Role of a tar member in a legacy tar checkpoint. Tars are read sequentially, so the members are
 * recognized by their names alone: these root-level names are torch's (`_legacy_save`).
 */
export function torchTarRole(name: string): 'pickle' | 'storages' | 'tensors' | null {
  if (name === 'storages' || name === 'tensors') return name;
  if (name === 'pickle' || name === 'sys_info') return 'pickle';
  return null;
}

function items(v: Sym): readonly Sym[] | null {
  return typeof v === 'object' && v !== null && v.t === K_TUPLE ? v.items : null;
}

/**
 * The `storages` and `tensors` members of a legacy tar checkpoint: a pickled count, then per record
 * a pickled tuple followed by raw bytes whose size the tuple's storage type or `ndim` gives.
 */
export async function scanLegacyRecords(reader: ByteReader, ctx: ScanContext, kind: 'storages' | 'tensors'): Promise<void> {
  const ps = new PickleStream(reader, ctx, true);
  const bad = (offset: number, why: string): void => {
    ctx.report({ severity: 'error', rule: 'pytorch.legacy-malformed', offset, message: `Legacy '${kind}' record at offset ${offset}: ${why}; the rest cannot be verified.` });
  };
  try {
    const count = await ps.next();
    if (count.outcome !== 'done') return ps.reportFailure(count);
    if (typeof count.value !== 'number' || count.value < 0) return bad(count.start, 'the record count is not a number');
    for (let i = 0; i < count.value; i++) {
      const rec = await ps.next();
      if (rec.outcome !== 'done') return ps.reportFailure(rec);
      const t = items(rec.value);
      if (!t || t.length !== 3) return bad(rec.start, 'the record header is not a 3-tuple');
      if (kind === 'storages') {
        const type = t[2];
        const size = typeof type === 'object' && type !== null && type.t === K_GLOBAL ? torchStorageElementSize(type.module, type.name) : undefined;
        if (size === undefined) return bad(rec.start, 'the storage type is not a torch storage class');
        const n = await reader.read(8);
        if (n === null) return bad(reader.offset, 'truncated before the storage size');
        const numel = n.readBigInt64LE(0);
        if (numel < 0n || numel * BigInt(size) > BigInt(Number.MAX_SAFE_INTEGER)) return bad(reader.offset - 8, 'the storage size is out of range');
        if (!(await reader.skip(Number(numel) * size))) return bad(reader.offset, 'truncated storage data');
      } else {
        const h = await reader.read(8);
        if (h === null) return bad(reader.offset, 'truncated tensor header');
        const ndim = h.readInt32LE(0);
        if (ndim < 0 || ndim > 64) return bad(reader.offset - 8, `ndim ${ndim} is out of range`);
        if (!(await reader.skip(16 * ndim + 8))) return bad(reader.offset, 'truncated tensor header');
      }
    }
    if (kind === 'storages') {
      const views = await ps.next();
      if (views.outcome !== 'done') return ps.reportFailure(views);
    }
    if ((await reader.peek(1)).length > 0) {
      ctx.report({ severity: 'suspicious', rule: 'pickle.trailing-data', offset: reader.offset, message: `Bytes after the last legacy '${kind}' record (offset ${reader.offset}).` });
    }
  } finally {
    ps.flush();
  }
}

export const pytorchLegacyScanner: ScannerDescriptor = {
  id: 'pytorch-legacy',
  version: '1.0.0',
  description: 'Legacy (pre-zip) torch.save files: five pickles then raw storages; every pickle scanned, storages skipped.',
  sniff(head) {
    if (head[0] !== 0x80) return false;
    const i = head.subarray(0, 32).indexOf(MAGIC_LONG1);
    return i >= 2;
  },
  async scan(input, ctx) {
    const ps = new PickleStream(input.reader, ctx, true);
    const names = ['magic number', 'protocol version', 'system info', 'checkpoint object', 'storage key list'];
    try {
      for (const what of names) {
        const p = await ps.next();
        if (p.outcome !== 'done') return ps.reportFailure(p, `${what} pickle`);
      }
    } finally {
      ps.flush();
    }
    // What follows is raw storage data, read by size by torch: skipped (and hashed).
  },
};
