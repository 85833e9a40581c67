/**
 * GGUF (ggml/docs/gguf.md, versions 2 and 3): magic, version, tensor and metadata counts,
 * every metadata key/value with its type checked, tensor infos (dims, ggml type, offsets aligned
 * and contiguous as llama.cpp's gguf.cpp requires, in bounds), and the chat templates, which
 * runtimes render with Jinja: checked for code that reaches Python.
 */
import { analyzeChatTemplate } from '../analysis/chat-template.ts';
import type { ByteReader } from '../byte-reader.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

/** ggml_type -> [block size, bytes per block] (ggml/src/ggml.c type_traits). */
const GGML_TYPES: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36], 10: [256, 84],
  11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292], 16: [256, 66], 17: [256, 74],
  18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82], 23: [256, 136], 24: [1, 1], 25: [1, 2],
  26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2], 34: [256, 54], 35: [256, 66], 39: [32, 17],
};
/** Fixed sizes of the scalar metadata types; 8 (string) and 9 (array) are variable. */
const SCALAR_SIZE: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const MAX_COUNT = 1 << 24;
const MAX_DIMS = 4; // GGML_MAX_DIMS

class GgufFault {
  readonly message: string;
  readonly offset: number;
  readonly rule: string;
  constructor(rule: string, message: string, offset: number) {
    this.rule = rule;
    this.message = message;
    this.offset = offset;
  }
}

async function u32(r: ByteReader): Promise<number> {
  const b = await r.read(4);
  if (b === null) throw new GgufFault('gguf.truncated', 'The file ends inside the header.', r.offset);
  return b.readUInt32LE(0);
}

async function u64(r: ByteReader): Promise<number> {
  const b = await r.read(8);
  if (b === null) throw new GgufFault('gguf.truncated', 'The file ends inside the header.', r.offset);
  const v = b.readBigUInt64LE(0);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFault('gguf.bad-value', `A 64-bit count or size ${v} is out of range.`, r.offset - 8);
  return Number(v);
}

/** A gguf_string: kept when `keep` bytes or fewer, else skipped (returns null). */
async function str(r: ByteReader, keep: number): Promise<string | null> {
  const at = r.offset;
  const n = await u64(r);
  if (n <= keep) {
    const b = await r.read(n);
    if (b === null) throw new GgufFault('gguf.truncated', 'The file ends inside a string.', at);
    return b.toString('utf8');
  }
  if (!(await r.skip(n))) throw new GgufFault('gguf.truncated', 'The file ends inside a string.', at);
  return null;
}

async function skipValue(r: ByteReader, type: number, depth: number): Promise<void> {
  const at = r.offset;
  if (type === 8) return void (await str(r, 0));
  if (type === 9) {
    if (depth > 0) throw new GgufFault('gguf.bad-value', 'Nested arrays are not allowed.', at);
    const itemType = await u32(r);
    const count = await u64(r);
    const size = SCALAR_SIZE[itemType];
    if (size !== undefined) {
      if (!(await r.skip(count * size))) throw new GgufFault('gguf.truncated', 'The file ends inside an array.', at);
      return;
    }
    if (itemType !== 8 && itemType !== 9) throw new GgufFault('gguf.bad-type', `Unknown array item type ${itemType}.`, at);
    for (let i = 0; i < count; i++) await skipValue(r, itemType, depth + 1);
    return;
  }
  const size = SCALAR_SIZE[type];
  if (size === undefined) throw new GgufFault('gguf.bad-type', `Unknown metadata value type ${type}.`, at);
  const b = await r.read(size);
  if (b === null) throw new GgufFault('gguf.truncated', 'The file ends inside a value.', at);
  if (type === 7 && b[0]! > 1) throw new GgufFault('gguf.bad-value', `Boolean value ${b[0]} is neither 0 nor 1.`, at);
}

function checkTemplate(ctx: ScanContext, key: string, template: string, offset: number): void {
  for (const issue of analyzeChatTemplate(template)) {
    ctx.report({ severity: issue.severity, rule: issue.rule, offset, callable: issue.match, message: `Metadata '${key}' (value at offset ${offset}) is a chat template that ${issue.why}: '${issue.match}' at character ${issue.index}.` });
  }
}

async function scanGguf(r: ByteReader, ctx: ScanContext, size: number | undefined): Promise<void> {
  await r.skip(4);
  const version = await u32(r);
  if (version !== 2 && version !== 3) throw new GgufFault('gguf.unsupported-version', `GGUF version ${version} (only 2 and 3 are current; llama.cpp rejects v1, byte-swapped files read as huge versions).`, 4);
  const tensorCount = await u64(r);
  const kvCount = await u64(r);
  if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT) throw new GgufFault('gguf.bad-count', `${tensorCount} tensors and ${kvCount} metadata entries exceed the bound of ${MAX_COUNT}.`, 8);
  let alignment = 32;
  const keys = new Set<string>();
  for (let i = 0; i < kvCount; i++) {
    ctx.signal?.throwIfAborted();
    const at = r.offset;
    const key = await str(r, 65535);
    if (key === null) throw new GgufFault('gguf.bad-value', 'A metadata key is longer than 65535 bytes.', at);
    if (keys.has(key)) throw new GgufFault('gguf.duplicate-key', `Metadata key '${key}' appears twice.`, at);
    keys.add(key);
    const type = await u32(r);
    const valueAt = r.offset;
    if (key === 'general.alignment') {
      if (type !== 4) throw new GgufFault('gguf.bad-type', 'general.alignment must be a uint32.', valueAt);
      alignment = await u32(r);
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new GgufFault('gguf.bad-value', `general.alignment ${alignment} is not a power of two.`, valueAt);
    } else if (key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.')) {
      if (type !== 8) throw new GgufFault('gguf.bad-type', `${key} must be a string.`, valueAt);
      const template = await str(r, ctx.limits.maxHeaderBytes);
      if (template === null) ctx.report({ severity: 'suspicious', rule: 'gguf.template-too-large', offset: valueAt, callable: key, message: `Chat template '${key}' is larger than maxHeaderBytes: not inspected.` });
      else checkTemplate(ctx, key, template, valueAt);
    } else {
      await skipValue(r, type, 0);
    }
  }
  let expected = 0;
  let dataEnd = 0;
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    ctx.signal?.throwIfAborted();
    const at = r.offset;
    const name = await str(r, 65535);
    if (name === null) throw new GgufFault('gguf.bad-tensor', 'A tensor name is longer than 65535 bytes.', at);
    if (names.has(name)) throw new GgufFault('gguf.bad-tensor', `Tensor '${name}' appears twice.`, at);
    names.add(name);
    const nDims = await u32(r);
    if (nDims === 0 || nDims > MAX_DIMS) throw new GgufFault('gguf.bad-tensor', `Tensor '${name}' has ${nDims} dimensions (1 to ${MAX_DIMS}).`, at);
    let numel = 1;
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const n = await u64(r);
      dims.push(n);
      numel *= n;
      if (!Number.isSafeInteger(numel)) throw new GgufFault('gguf.bad-tensor', `Tensor '${name}' has too many elements.`, at);
    }
    const type = await u32(r);
    const offset = await u64(r);
    const traits = GGML_TYPES[type];
    if (!traits) {
      ctx.report({ severity: 'suspicious', rule: 'gguf.unknown-tensor-type', offset: at, callable: name, message: `Tensor '${name}' has ggml type ${type}, unknown to this scanner: its size and bounds are not verified.` });
      expected = -1;
      continue;
    }
    const [block, bytes] = traits;
    if (dims[0]! % block !== 0) throw new GgufFault('gguf.bad-tensor', `Tensor '${name}': first dimension ${dims[0]} is not a multiple of the block size ${block}.`, at);
    if (offset % alignment !== 0) throw new GgufFault('gguf.bad-offset', `Tensor '${name}' offset ${offset} is not aligned to ${alignment}.`, at);
    if (expected >= 0 && offset !== expected) throw new GgufFault('gguf.bad-offset', `Tensor '${name}' has offset ${offset}, expected ${expected} (tensors must follow each other, as llama.cpp checks).`, at);
    const nbytes = (numel / block) * bytes;
    if (expected >= 0) expected = offset + Math.ceil(nbytes / alignment) * alignment;
    dataEnd = Math.max(dataEnd, offset + nbytes);
  }
  const dataStart = Math.ceil(r.offset / alignment) * alignment;
  if (size !== undefined && tensorCount > 0 && dataStart + dataEnd > size) {
    throw new GgufFault('gguf.out-of-bounds', `Tensor data needs ${dataEnd} bytes from offset ${dataStart}, but the file has ${size} bytes: truncated or crafted.`, dataStart);
  }
}

export const ggufScanner: ScannerDescriptor = {
  id: 'gguf',
  version: '1.0.0',
  description: 'GGUF (llama.cpp): header, metadata types, tensor infos, offsets, bounds, and chat templates that could execute code.',
  sniff: (head) => head.length >= 8 && head.subarray(0, 4).toString('latin1') === 'GGUF',
  async scan(input, ctx) {
    try {
      await scanGguf(input.reader, ctx, input.size);
    } catch (e) {
      if (!(e instanceof GgufFault)) throw e;
      ctx.report({ severity: 'error', rule: e.rule, offset: e.offset, message: `${e.message} The file cannot be verified.` });
    }
  },
};
