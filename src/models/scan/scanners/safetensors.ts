/**
 * safetensors (huggingface/safetensors, docs "Format"): an 8-byte little-endian header length N,
 * N bytes of JSON, then the data section. The format holds no code, so what can go wrong is
 * structural, and each defect is an error (a loader rejects the file, or two loaders read it
 * differently): the header length bounded (the reference reader refuses > 100 MB), the header a
 * JSON object with no duplicate keys, each tensor a known dtype with a shape whose byte size equals
 * its `data_offsets` span, the spans in bounds, non-overlapping and contiguous from 0 to the end of
 * the data section, and `__metadata__` a map of strings.
 */
import { firstDuplicateKey } from '../analysis/json-duplicates.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

/** Bits per element (safetensors/src/tensor.rs `Dtype::bitsize`). */
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16,
  F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64,
};
/** The reference implementation's header limit (safetensors/src/tensor.rs MAX_HEADER_SIZE). */
const MAX_HEADER = 100_000_000;

interface Span { name: string; begin: number; end: number }

function checkHeader(header: Record<string, unknown>, dataLen: number | undefined, ctx: ScanContext): void {
  const bad = (rule: string, message: string, callable?: string): void => ctx.report({ severity: 'error', rule, offset: 8, message, ...(callable ? { callable } : {}) });
  const spans: Span[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
        bad('safetensors.bad-metadata', '__metadata__ must map strings to strings.', name);
      }
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      bad('safetensors.bad-tensor', `Tensor '${name}' is not an object.`, name);
      continue;
    }
    const t = v as Record<string, unknown>;
    const extra = Object.keys(t).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length > 0) bad('safetensors.bad-tensor', `Tensor '${name}' has unknown fields: ${extra.join(', ')}.`, name);
    const bits = typeof t['dtype'] === 'string' ? DTYPE_BITS[t['dtype']] : undefined;
    if (bits === undefined) {
      bad('safetensors.bad-dtype', `Tensor '${name}' has dtype ${JSON.stringify(t['dtype'])}, not one of ${Object.keys(DTYPE_BITS).join(', ')}.`, name);
      continue;
    }
    const shape = t['shape'];
    const offsets = t['data_offsets'];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      bad('safetensors.bad-tensor', `Tensor '${name}' has an invalid shape.`, name);
      continue;
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) || (offsets[0] as number) > (offsets[1] as number)) {
      bad('safetensors.bad-offsets', `Tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}.`, name);
      continue;
    }
    let numel = 1n;
    for (const d of shape as number[]) numel *= BigInt(d);
    const bitsTotal = numel * BigInt(bits);
    const [begin, end] = offsets as [number, number];
    if (bitsTotal % 8n !== 0n || bitsTotal / 8n !== BigInt(end - begin)) {
      bad('safetensors.size-mismatch', `Tensor '${name}': shape ${JSON.stringify(shape)} of ${t['dtype']} needs ${bitsTotal % 8n === 0n ? `${bitsTotal / 8n} bytes` : 'a fractional number of bytes'} but data_offsets span ${end - begin}.`, name);
    }
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of spans) {
    if (s.begin < cursor) bad('safetensors.overlap', `Tensor '${s.name}' [${s.begin}, ${s.end}) overlaps the previous tensor (ends at ${cursor}).`, s.name);
    else if (s.begin > cursor) bad('safetensors.gap', `Bytes [${cursor}, ${s.begin}) of the data section belong to no tensor (before '${s.name}'): hidden data.`, s.name);
    cursor = Math.max(cursor, s.end);
  }
  if (dataLen !== undefined) {
    if (cursor > dataLen) bad('safetensors.out-of-bounds', `Tensors end at ${cursor} but the data section is ${dataLen} bytes: truncated or crafted.`);
    else if (cursor < dataLen) bad('safetensors.gap', `The data section has ${dataLen - cursor} bytes after the last tensor: hidden data.`);
  }
}

export const safetensorsScanner: ScannerDescriptor = {
  id: 'safetensors',
  version: '1.0.0',
  description: 'safetensors: header length, JSON header, dtypes, shapes vs offsets, bounds, overlap, gaps, metadata.',
  sniff(head, info) {
    if (head.length < 10) return false;
    const n = head.readBigUInt64LE(0);
    if (n < 2n || n > BigInt(MAX_HEADER)) return false;
    if (info.size !== undefined && n > BigInt(info.size - 8)) return head[8] === 0x7b && head[9] === 0x22; // a truncated file still looks like one
    return head[8] === 0x7b && (head[9] === 0x22 || head[9] === 0x7d || head[9] === 0x20);
  },
  async scan(input, ctx) {
    const r = input.reader;
    const lenBuf = await r.read(8);
    if (lenBuf === null) return ctx.report({ severity: 'error', rule: 'safetensors.truncated', offset: 0, message: 'Shorter than the 8-byte header length.' });
    const n = Number(lenBuf.readBigUInt64LE(0));
    const max = Math.min(MAX_HEADER, ctx.limits.maxHeaderBytes);
    if (n > max) return ctx.report({ severity: 'error', rule: 'safetensors.header-too-large', offset: 0, message: `Header length ${n} exceeds ${max} bytes.` });
    if (input.size !== undefined && 8 + n > input.size) return ctx.report({ severity: 'error', rule: 'safetensors.truncated', offset: 0, message: `Header length ${n} runs past the end of the ${input.size}-byte file.` });
    const raw = await r.read(n);
    if (raw === null) return ctx.report({ severity: 'error', rule: 'safetensors.truncated', offset: 8, message: `The file ends inside the ${n}-byte header.` });
    const text = raw.toString('utf8');
    let header: unknown;
    try {
      header = JSON.parse(text.replace(/ +$/, '')); // the writer pads the header with spaces to 8-byte alignment
    } catch (e) {
      return ctx.report({ severity: 'error', rule: 'safetensors.bad-header', offset: 8, message: `The header is not valid JSON (${e instanceof Error ? e.message : String(e)}).` });
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return ctx.report({ severity: 'error', rule: 'safetensors.bad-header', offset: 8, message: 'The header is not a JSON object.' });
    const dup = firstDuplicateKey(text);
    if (dup !== null) ctx.report({ severity: 'error', rule: 'safetensors.duplicate-key', offset: 8, callable: dup, message: `Key '${dup}' appears twice in the header: loaders disagree on which entry counts.` });
    let dataLen: number | undefined;
    if (input.size !== undefined) dataLen = input.size - 8 - n;
    else {
      let skipped = 0;
      for await (const c of r.chunks()) skipped += c.length;
      dataLen = skipped;
    }
    checkHeader(header as Record<string, unknown>, dataLen, ctx);
  },
};
