/**
 * A minimal, streaming protobuf wire-format reader (protobuf.dev/programming-guides/encoding).
 * protobufjs needs the whole message in memory and a full schema; ONNX and SavedModel files run
 * to gigabytes of tensor bytes, and the scanners need a handful of fields (op types, domains,
 * external-data locations). So this walks the wire format over a ByteReader, descending only into
 * the message fields a schema names, decoding only the short strings and varints it names, and
 * skipping everything else (large `bytes` fields are skipped, never buffered).
 */
import type { ByteReader } from '../byte-reader.ts';

export type FieldSpec = { readonly msg: string } | { readonly str: string } | { readonly varint: string };
/** Message type -> field number -> what to do with it. Unlisted fields are skipped. */
export type WireSchema = Readonly<Record<string, Readonly<Record<number, FieldSpec>>>>;

export interface Frame {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly parent: Frame | null;
  /** Collected string and varint fields, by schema name (repeated fields accumulate). */
  readonly fields: Map<string, (string | number)[]>;
  /** Free slot for handlers to pass results up (e.g. external-data entries to their tensor). */
  readonly notes: Map<string, unknown[]>;
}

export class WireFault {
  readonly message: string;
  readonly offset: number;
  constructor(message: string, offset: number) {
    this.message = message;
    this.offset = offset;
  }
}

const MAX_DEPTH = 100;
const MAX_STRING = 64 * 1024;

async function varint(r: ByteReader): Promise<number> {
  const at = r.offset;
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (r.available === 0 && !(await r.fill(1))) throw new WireFault('truncated varint', at);
    const b = r.buf[r.pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result;
    mul *= 128;
  }
  throw new WireFault('varint longer than 10 bytes', at);
}

export function note(frame: Frame, key: string, value: unknown): void {
  const list = frame.notes.get(key);
  if (list) list.push(value);
  else frame.notes.set(key, [value]);
}

/**
 * Walks a message of type `root` from the reader's position to `end` (or to the end of input
 * when undefined), calling `onEnd` for each message of a schema type once it is complete.
 */
export async function walkWire(r: ByteReader, end: number | undefined, schema: WireSchema, root: string, onEnd: (f: Frame) => void, signal?: AbortSignal): Promise<void> {
  const stack: Frame[] = [{ type: root, start: r.offset, end: end ?? Number.POSITIVE_INFINITY, parent: null, fields: new Map(), notes: new Map() }];
  let steps = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (r.offset >= top.end || (top.end === Number.POSITIVE_INFINITY && r.available === 0 && !(await r.fill(1)))) {
      if (r.offset > top.end) throw new WireFault(`a field runs past the end of its ${top.type}`, top.end);
      stack.pop();
      onEnd(top);
      continue;
    }
    if ((++steps & 0xffff) === 0) signal?.throwIfAborted();
    const at = r.offset;
    const tag = await varint(r);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new WireFault('field number 0', at);
    const spec = schema[top.type]?.[field];
    switch (wire) {
      case 0: {
        const v = await varint(r);
        if (spec && 'varint' in spec) push(top, spec.varint, v);
        break;
      }
      case 1:
      case 5:
        if (!(await r.skip(wire === 1 ? 8 : 4))) throw new WireFault('truncated fixed-width field', at);
        break;
      case 2: {
        const len = await varint(r);
        const dataAt = r.offset;
        if (dataAt + len > top.end) throw new WireFault(`length ${len} runs past the end of its ${top.type}`, at);
        if (spec && 'msg' in spec) {
          if (stack.length >= MAX_DEPTH) throw new WireFault('messages nested too deeply', at);
          stack.push({ type: spec.msg, start: dataAt, end: dataAt + len, parent: top, fields: new Map(), notes: new Map() });
        } else if (spec && 'str' in spec && len <= MAX_STRING) {
          const b = await r.read(len);
          if (b === null) throw new WireFault('truncated string', at);
          push(top, spec.str, b.toString('utf8'));
        } else if (!(await r.skip(len))) {
          throw new WireFault('truncated length-delimited field', at);
        }
        break;
      }
      default:
        throw new WireFault(`wire type ${wire} (groups are not used by these formats)`, at);
    }
  }
}

function push(frame: Frame, key: string, v: string | number): void {
  const list = frame.fields.get(key);
  if (list) list.push(v);
  else frame.fields.set(key, [v]);
}

/** Reads a varint from a buffer; [value, next index] or null. For sniffing. */
export function varintAt(b: Buffer, i: number): [number, number] | null {
  let result = 0;
  let mul = 1;
  for (let k = 0; k < 10 && i < b.length; k++) {
    const x = b[i++]!;
    result += (x & 0x7f) * mul;
    if ((x & 0x80) === 0) return [result, i];
    mul *= 128;
  }
  return null;
}
