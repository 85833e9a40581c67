/**
 * A hand-written, opcode-level pickle disassembler with a symbolic stack. No npm package does
 * static pickle analysis (the JS pickle readers execute or rebuild objects), so this follows
 * CPython's Lib/pickle.py `_Unpickler` opcode by opcode (protocols 0-5, PEP 307, 3154, 574),
 * without importing or calling anything.
 *
 * `run` is synchronous over a window of bytes and stops when it needs more (ST_NEED), when a
 * payload should be skipped without copying (ST_SKIP, ST_SKIPLINE, ST_RAW), at STOP (ST_DONE) or on
 * a malformed stream (ST_ERROR). The async driver (run.ts) refills the window and calls again.
 */
import {
  BYTES, EMPTY_TUPLE, K_CALL, K_DICT, K_GLOBAL, LIST, LONG_TUPLE, LONG_STR, MAX_TRACKED, OTHER,
  tupleOf, type DictSym, type GlobalSym, type Sym,
} from './symbolic.ts';
import { shortString } from './string-literals.ts';
import { MAX_DECODED, PickleFault, textOpValue } from './text-ops.ts';
import { Memo } from './memo.ts';
import { isDottedIdentifier } from './globals-policy.ts';
import { wrapperLayout, type ArrayLayout } from './numpy-wrapper.ts';

export const ST_DONE = 0;
export const ST_NEED = 1;
export const ST_SKIP = 2;
export const ST_SKIPLINE = 3;
export const ST_ERROR = 4;
export const ST_RAW = 5;

/** Text-opcode lines longer than this are skipped (data) or rejected (names). */
const MAX_LINE = 64 * 1024;
const HIGHEST_PROTOCOL = 5;

export interface PickleObserver {
  global(g: GlobalSym, opcode: string): void;
  call(fn: Sym, args: Sym, offset: number, opcode: string): void;
  build(inst: Sym, state: Sym, offset: number): void;
  computedGlobal(module: Sym, name: Sym, offset: number): void;
  extension(code: number, offset: number): void;
  persistentId(offset: number): void;
  outOfBand(offset: number): void;
}

interface Frame { stack: Sym[]; marks: number[]; memo: Memo }

export class PickleMachine {
  stack: Sym[] = [];
  marks: number[] = [];
  memo = new Memo();
  proto = 0;
  opcodes = 0;
  /** Position in the window where `run` stopped. */
  pos = 0;
  need = 0;
  skip = 0;
  /** For ST_RAW: joblib array data follows, with a padding-length byte first when set. */
  raw: ArrayLayout | null = null;
  error = '';
  errorOffset = 0;
  result: Sym = OTHER;
  /** Offset where the current pickle started. */
  start = 0;
  readonly #obs: PickleObserver;
  /** Sniff mode: reject anything CPython would reject, including names that are not identifiers. */
  readonly #strict: boolean;
  readonly #outer: Frame[] = [];

  constructor(observer: PickleObserver, strict = false) {
    this.#obs = observer;
    this.#strict = strict;
  }

  /** Starts a new pickle (after STOP, for concatenated pickles). */
  reset(offset: number): void {
    this.stack = [];
    this.marks = [];
    this.memo = new Memo();
    this.proto = 0;
    this.start = offset;
  }

  get nested(): boolean {
    return this.#outer.length > 0;
  }

  #under(k: number, at: number): void {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length - floor < k) throw new PickleFault('stack underflow', at);
  }

  /** Pops the topmost mark and returns the stack index it marked. */
  #popMark(at: number): number {
    if (this.marks.length === 0) throw new PickleFault('MARK expected but not found', at);
    return this.marks.pop()!;
  }

  #pop(at: number): Sym {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length <= floor) throw new PickleFault('stack underflow', at);
    return this.stack.pop()!;
  }

  #top(at: number): Sym {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length <= floor) throw new PickleFault('stack underflow', at);
    return this.stack[this.stack.length - 1]!;
  }



  #memoGet(key: number, at: number): void {
    const v = this.memo.get(key);
    if (v === undefined) throw new PickleFault(`memo key ${key} was never stored`, at);
    this.stack.push(v);
  }

  #memoPut(key: number, at: number): void {
    this.memo.set(key, this.#top(at));
  }

  #global(module: string, name: string, at: number, opcode: string): GlobalSym {
    if (this.#strict && (!isDottedIdentifier(module) || !isDottedIdentifier(name))) throw new PickleFault('global name is not an identifier', at);
    const g: GlobalSym = { t: K_GLOBAL, module, name, offset: at, computed: false };
    this.#obs.global(g, opcode);
    return g;
  }

  #build(at: number): ST_RAW_OR_CONTINUE {
    const state = this.#pop(at);
    const inst = this.#top(at);
    this.#obs.build(inst, state, at);
    if (typeof inst === 'object' && inst !== null && inst.t === K_CALL) inst.state = state;
    // joblib: the array data (or a nested pickle of an object array) follows the BUILD of a
    // NumpyArrayWrapper (joblib/numpy_pickle.py NumpyUnpickler.load_build).
    if (typeof inst === 'object' && inst !== null && inst.t === K_CALL && typeof inst.fn === 'object' && inst.fn !== null && inst.fn.t === K_GLOBAL
      && inst.fn.module === 'joblib.numpy_pickle' && inst.fn.name === 'NumpyArrayWrapper') {
      const layout = wrapperLayout(state);
      if (layout === null) throw new PickleFault('joblib array wrapper with a shape or dtype that cannot be sized', at);
      this.stack[this.stack.length - 1] = OTHER;
      if (layout.objects) {
        this.#outer.push({ stack: this.stack, marks: this.marks, memo: this.memo });
        this.stack = [];
        this.marks = [];
        this.memo = new Memo();
        return 2;
      }
      this.raw = layout;
      return 1;
    }
    return 0;
  }

  run(buf: Buffer, startPos: number, end: number, base: number): number {
    // Hot loop: state in locals, one exit. Every case either consumes its whole opcode or leaves
    // `pos` on it and breaks out with ST_NEED / ST_SKIP (the driver refills and calls again).
    let pos = startPos;
    let stack = this.stack;
    let marks = this.marks;
    let memo = this.memo;
    let ops = 0;
    let status = ST_NEED;
    this.need = 1;
    try {
      loop: while (pos < end) {
        const op = buf[pos]!;
        const left = end - pos;
        ops++;
        switch (op) {
          case 0x4a: if (left < 5) { this.need = 5; ops--; break loop; } stack.push(buf.readInt32LE(pos + 1)); pos += 5; break; // BININT
          case 0x4b: if (left < 2) { this.need = 2; ops--; break loop; } stack.push(buf[pos + 1]!); pos += 2; break; // BININT1
          case 0x4d: if (left < 3) { this.need = 3; ops--; break loop; } stack.push(buf[pos + 1]! | (buf[pos + 2]! << 8)); pos += 3; break; // BININT2
          case 0x94: this.#under(1, base + pos); memo.set(memo.size, stack[stack.length - 1]!); pos += 1; break; // MEMOIZE
          case 0x68: { if (left < 2) { this.need = 2; ops--; break loop; } const v = memo.get(buf[pos + 1]!); if (v === undefined) throw new PickleFault(`memo key ${buf[pos + 1]} was never stored`, base + pos); stack.push(v); pos += 2; break; } // BINGET
          case 0x6a: { if (left < 5) { this.need = 5; ops--; break loop; } const k = buf.readUInt32LE(pos + 1); const v = memo.get(k); if (v === undefined) throw new PickleFault(`memo key ${k} was never stored`, base + pos); stack.push(v); pos += 5; break; } // LONG_BINGET
          case 0x71: if (left < 2) { this.need = 2; ops--; break loop; } this.#under(1, base + pos); memo.set(buf[pos + 1]!, stack[stack.length - 1]!); pos += 2; break; // BINPUT
          case 0x72: if (left < 5) { this.need = 5; ops--; break loop; } this.#under(1, base + pos); memo.set(buf.readUInt32LE(pos + 1), stack[stack.length - 1]!); pos += 5; break; // LONG_BINPUT
          case 0x28: marks.push(stack.length); pos += 1; break; // MARK
          case 0x65: case 0x90: { const m = this.#popMark(base + pos); stack.length = m; this.#under(1, base + pos); pos += 1; break; } // APPENDS, ADDITEMS
          case 0x61: this.#under(2, base + pos); stack.pop(); pos += 1; break; // APPEND
          case 0x85: { this.#under(1, base + pos); const a = stack.pop()!; stack.push(tupleOf([a])); pos += 1; break; } // TUPLE1
          case 0x86: { this.#under(2, base + pos); const b = stack.pop()!; const a = stack.pop()!; stack.push(tupleOf([a, b])); pos += 1; break; } // TUPLE2
          case 0x87: { this.#under(3, base + pos); const c = stack.pop()!; const b = stack.pop()!; const a = stack.pop()!; stack.push(tupleOf([a, b, c])); pos += 1; break; } // TUPLE3
          case 0x74: { const m = this.#popMark(base + pos); stack.push(stack.length - m <= MAX_TRACKED ? tupleOf(stack.splice(m)) : ((stack.length = m), LONG_TUPLE)); pos += 1; break; } // TUPLE
          case 0x29: stack.push(EMPTY_TUPLE); pos += 1; break; // EMPTY_TUPLE
          case 0x5d: stack.push(LIST); pos += 1; break; // EMPTY_LIST
          case 0x7d: stack.push({ t: K_DICT, entries: null, size: 0 } satisfies DictSym); pos += 1; break; // EMPTY_DICT
          case 0x8f: stack.push(OTHER); pos += 1; break; // EMPTY_SET
          case 0x4e: stack.push(null); pos += 1; break; // NONE
          case 0x88: stack.push(true); pos += 1; break; // NEWTRUE
          case 0x89: stack.push(false); pos += 1; break; // NEWFALSE
          case 0x47: if (left < 9) { this.need = 9; ops--; break loop; } stack.push(OTHER); pos += 9; break; // BINFLOAT
          case 0x80: { // PROTO
            if (left < 2) { this.need = 2; ops--; break loop; }
            const p = buf[pos + 1]!;
            if (p > HIGHEST_PROTOCOL) throw new PickleFault(`unsupported pickle protocol ${p}`, base + pos);
            this.proto = p;
            pos += 2;
            break;
          }
          case 0x95: if (left < 9) { this.need = 9; ops--; break loop; } pos += 9; break; // FRAME: framing only groups opcodes; they are read as they come
          case 0x2e: { // STOP
            this.#under(1, base + pos);
            const value = stack[stack.length - 1]!;
            pos += 1;
            const outer = this.#outer.pop();
            if (outer) { // end of a joblib object-array pickle: back to the enclosing one
              this.stack = outer.stack;
              this.marks = outer.marks;
              this.memo = outer.memo;
              stack = this.stack;
              marks = this.marks;
              memo = this.memo;
              break;
            }
            this.result = value;
            status = ST_DONE;
            break loop;
          }
          case 0x30: // POP: an empty stack pops the mark instead
            if (stack.length > (marks.length > 0 ? marks[marks.length - 1]! : 0)) stack.pop();
            else stack.length = this.#popMark(base + pos);
            pos += 1;
            break;
          case 0x31: stack.length = this.#popMark(base + pos); pos += 1; break; // POP_MARK
          case 0x32: this.#under(1, base + pos); stack.push(stack[stack.length - 1]!); pos += 1; break; // DUP
          case 0x8a: { // LONG1
            if (left < 2) { this.need = 2; ops--; break loop; }
            const n = buf[pos + 1]!;
            if (left < 2 + n) { this.need = 2 + n; ops--; break loop; }
            stack.push(n === 0 ? 0 : n <= 6 ? buf.readIntLE(pos + 2, n) : OTHER);
            pos += 2 + n;
            break;
          }
          case 0x8b: { // LONG4
            if (left < 5) { this.need = 5; ops--; break loop; }
            const n = buf.readInt32LE(pos + 1);
            if (n < 0) throw new PickleFault('LONG4 with a negative byte count', base + pos);
            stack.push(OTHER);
            pos += 5;
            if (end - pos >= n) { pos += n; break; }
            this.skip = n;
            status = ST_SKIP;
            break loop;
          }
          case 0x42: case 0x43: case 0x8e: case 0x96: case 0x54: case 0x55: // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8, BINSTRING, SHORT_BINSTRING
          case 0x58: case 0x8c: case 0x8d: { // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
            const w = op === 0x43 || op === 0x55 || op === 0x8c ? 1 : op === 0x8e || op === 0x96 || op === 0x8d ? 8 : 4;
            if (left < 1 + w) { this.need = 1 + w; ops--; break loop; }
            let n: number;
            if (w === 1) n = buf[pos + 1]!;
            else if (w === 4) n = op === 0x54 ? buf.readInt32LE(pos + 1) : buf.readUInt32LE(pos + 1);
            else {
              const big = buf.readBigUInt64LE(pos + 1);
              if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleFault('payload length out of range', base + pos);
              n = Number(big);
            }
            if (n < 0) throw new PickleFault('BINSTRING with a negative byte count', base + pos);
            const isText = op === 0x58 || op === 0x8c || op === 0x8d || op === 0x54 || op === 0x55;
            const dataAt = pos + 1 + w;
            if (isText && n <= MAX_DECODED) {
              if (end - dataAt < n) { this.need = 1 + w + n; ops--; break loop; }
              // BINSTRING is decoded with the Unpickler's encoding (ASCII by default, latin-1 for numpy).
              const latin1 = op === 0x54 || op === 0x55;
              stack.push(n <= 32 ? shortString(buf, dataAt, dataAt + n, latin1) : buf.toString(latin1 ? 'latin1' : 'utf8', dataAt, dataAt + n));
              pos = dataAt + n;
              break;
            }
            stack.push(isText ? LONG_STR : BYTES);
            pos = dataAt;
            if (end - dataAt >= n) { pos += n; break; }
            this.skip = n;
            status = ST_SKIP;
            break loop;
          }
          case 0x6c: stack.length = this.#popMark(base + pos); stack.push(LIST); pos += 1; break; // LIST
          case 0x91: stack.length = this.#popMark(base + pos); stack.push(OTHER); pos += 1; break; // FROZENSET
          case 0x64: { // DICT
            const items = stack.splice(this.#popMark(base + pos));
            if (items.length % 2 !== 0) throw new PickleFault('DICT with an odd number of items', base + pos);
            const d: DictSym = { t: K_DICT, entries: null, size: 0 };
            this.#setItems(d, items);
            stack.push(d);
            pos += 1;
            break;
          }
          case 0x73: { // SETITEM
            this.#under(3, base + pos);
            const v = stack.pop()!;
            const k = stack.pop()!;
            const d = stack[stack.length - 1]!;
            if (typeof d === 'object' && d !== null && d.t === K_DICT) this.#setItems(d, [k, v]);
            pos += 1;
            break;
          }
          case 0x75: { // SETITEMS
            const items = stack.splice(this.#popMark(base + pos));
            if (items.length % 2 !== 0) throw new PickleFault('SETITEMS with an odd number of items', base + pos);
            this.#under(1, base + pos);
            const d = stack[stack.length - 1]!;
            if (typeof d === 'object' && d !== null && d.t === K_DICT) this.#setItems(d, items);
            pos += 1;
            break;
          }
          case 0x63: case 0x69: { // GLOBAL, INST: two text lines
            const l1 = this.#line(buf, pos + 1, end);
            const l2 = l1 < 0 ? -1 : this.#line(buf, l1 + 1, end);
            if (l2 < 0) {
              if (left > MAX_LINE) throw new PickleFault('text argument too long', base + pos);
              this.need = left + 1;
              ops--;
              break loop;
            }
            const abs = base + pos;
            const g = this.#global(buf.toString('utf8', pos + 1, l1), buf.toString('utf8', l1 + 1, l2), abs, op === 0x63 ? 'GLOBAL' : 'INST');
            if (op === 0x63) stack.push(g);
            else {
              const args = tupleOf(stack.splice(this.#popMark(base + pos)));
              this.#obs.call(g, args, abs, 'INST');
              stack.push({ t: K_CALL, fn: g, args, offset: abs });
            }
            pos = l2 + 1;
            break;
          }
          case 0x93: { // STACK_GLOBAL
            this.#under(2, base + pos);
            const name = stack.pop()!;
            const module = stack.pop()!;
            const abs = base + pos;
            if (typeof module === 'string' && typeof name === 'string') stack.push(this.#global(module, name, abs, 'STACK_GLOBAL'));
            else {
              if (this.#strict) throw new PickleFault('STACK_GLOBAL operands are not strings', base + pos);
              this.#obs.computedGlobal(module, name, abs);
              stack.push({ t: K_GLOBAL, module: '?', name: '?', offset: abs, computed: true });
            }
            pos += 1;
            break;
          }
          case 0x52: case 0x81: case 0x92: { // REDUCE, NEWOBJ, NEWOBJ_EX
            this.#under(op === 0x92 ? 3 : 2, base + pos);
            if (op === 0x92) stack.pop();
            const args = stack.pop()!;
            const fn = stack.pop()!;
            const abs = base + pos;
            this.#obs.call(fn, args, abs, op === 0x52 ? 'REDUCE' : op === 0x81 ? 'NEWOBJ' : 'NEWOBJ_EX');
            stack.push({ t: K_CALL, fn, args, offset: abs });
            pos += 1;
            break;
          }
          case 0x6f: { // OBJ
            const items = stack.splice(this.#popMark(base + pos));
            if (items.length === 0) throw new PickleFault('OBJ without a class', base + pos);
            const args = tupleOf(items.slice(1));
            const abs = base + pos;
            this.#obs.call(items[0]!, args, abs, 'OBJ');
            stack.push({ t: K_CALL, fn: items[0]!, args, offset: abs });
            pos += 1;
            break;
          }
          case 0x62: { // BUILD
            this.#under(2, base + pos);
            const r = this.#build(base + pos);
            pos += 1;
            if (r === 2) {
              stack = this.stack;
              marks = this.marks;
              memo = this.memo;
            }
            if (r === 1) { status = ST_RAW; break loop; }
            break;
          }
          case 0x82: case 0x83: case 0x84: { // EXT1, EXT2, EXT4: copyreg's extension registry
            const w = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
            if (left < 1 + w) { this.need = 1 + w; ops--; break loop; }
            const code = w === 1 ? buf[pos + 1]! : w === 2 ? buf.readUInt16LE(pos + 1) : buf.readInt32LE(pos + 1);
            if (code <= 0) throw new PickleFault('EXT code must be positive', base + pos);
            this.#obs.extension(code, base + pos);
            stack.push({ t: K_GLOBAL, module: '?', name: `extension ${code}`, offset: base + pos, computed: true });
            pos += 1 + w;
            break;
          }
          case 0x51: this.#under(1, base + pos); stack.pop(); this.#obs.persistentId(base + pos); stack.push(OTHER); pos += 1; break; // BINPERSID
          case 0x97: // NEXT_BUFFER
            this.#obs.outOfBand(base + pos);
            if (this.#strict) throw new PickleFault('out-of-band buffer', base + pos);
            stack.push(BYTES);
            pos += 1;
            break;
          case 0x98: this.#under(1, base + pos); pos += 1; break; // READONLY_BUFFER
          case 0x49: case 0x4c: case 0x46: case 0x53: case 0x56: case 0x50: // INT, LONG, FLOAT, STRING, UNICODE, PERSID
          case 0x70: case 0x67: { // PUT, GET
            const l = this.#line(buf, pos + 1, end);
            if (l < 0) {
              if (left <= MAX_LINE) { this.need = left + 1; ops--; break loop; }
              if (op === 0x70 || op === 0x67) throw new PickleFault('text argument too long', base + pos);
              // A huge protocol-0 literal: its value does not matter, skip to the end of the line.
              if (op === 0x50) this.#obs.persistentId(base + pos);
              stack.push(op === 0x53 || op === 0x56 ? LONG_STR : OTHER);
              pos += 1;
              status = ST_SKIPLINE;
              break loop;
            }
            this.#textOp(op, buf.toString('latin1', pos + 1, l), base + pos);
            pos = l + 1;
            break;
          }
          default:
            throw new PickleFault(`invalid opcode 0x${op.toString(16).padStart(2, '0')}`, base + pos);
        }
      }
    } catch (e) {
      if (!(e instanceof PickleFault)) throw e;
      this.error = e.message;
      this.errorOffset = e.offset;
      status = ST_ERROR;
    }
    this.pos = pos;
    this.opcodes += ops;
    return status;
  }



  /** Index of the '\n' ending a line that starts at `from`, or -1 when not in the window. */
  #line(buf: Buffer, from: number, end: number): number {
    const nl = buf.indexOf(10, from);
    return nl >= 0 && nl < end ? nl : -1;
  }


  #textOp(op: number, text: string, abs: number): void {
    const r = textOpValue(op, text, abs);
    if (op === 0x50) this.#obs.persistentId(abs);
    if (op === 0x70) this.#memoPut(r as number, abs);
    else if (op === 0x67) this.#memoGet(r as number, abs);
    else this.stack.push(r);
  }

  #setItems(d: DictSym, items: Sym[]): void {
    d.size += items.length / 2;
    if (d.size > MAX_TRACKED) {
      d.entries = null;
      return;
    }
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i]!;
      if (typeof k !== 'string') continue;
      (d.entries ??= new Map()).set(k, items[i + 1]!);
    }
  }
}

type ST_RAW_OR_CONTINUE = 0 | 1 | 2;
