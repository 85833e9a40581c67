/**
 * A hand-written, opcode-level pickle disassembler with a symbolic stack. No npm package does
 * static pickle analysis (the JS pickle readers execute or rebuild objects), so this follows
 * CPython's Lib/pickle.py `_Unpickler` opcode by opcode (protocols 0-5, PEP 307, 3154, 574),
 * without importing or calling anything.
 *
 * `run` is synchronous over a window of bytes and stops when it needs more (ST_NEED), when a
 * payload should be skipped without copying (ST_SKIP, ST_SKIPLINE, ST_RAW), at STOP (ST_DONE) or on
 * a malformed stream (ST_ERROR). The async driver (run.ts) refills the window and calls again.
 *
 * The work is split by how often it runs: data-loop.ts runs the data opcodes (ints, strings, the
 * memo, marks, lists, small tuples: nearly all of a pickle's opcodes) without allocating; this file
 * the opcodes with text lines or rare arguments; object-ops.ts those that build or inspect objects
 * (globals, calls, dicts, BUILD, STOP), where strings are decoded and the observer is told.
 */
import { dataLoop, EXIT_OTHER, EXIT_SKIP, type LoopState } from './data-loop.ts';
import { EMPTY } from './frame.ts';
import type { ArrayLayout } from './numpy-wrapper.ts';
import { ObjectOps, type PickleObserver } from './object-ops.ts';
import { GO, ST_ERROR, ST_NEED, ST_SKIP, ST_SKIPLINE } from './status.ts';
import { OTHER, type Sym } from './symbolic.ts';
import { PickleFault } from './text-ops.ts';

export { ST_DONE, ST_ERROR, ST_NEED, ST_RAW, ST_SKIP, ST_SKIPLINE } from './status.ts';
export type { PickleObserver } from './object-ops.ts';

/** Text-opcode lines longer than this are skipped (data) or rejected (names). */
const MAX_LINE = 64 * 1024;

export class PickleMachine implements LoopState {
  proto = 0;
  opcodes = 0;
  /** Position in the window where `run` stopped. */
  pos = 0;
  need = 0;
  skip = 0;
  /** Why the data loop last returned (data-loop.ts EXIT_*). */
  exit = 0;
  error = '';
  errorOffset = 0;
  /** Offset where the current pickle started. */
  start = 0;
  readonly #ops: ObjectOps;
  /** Set by an out-of-line opcode that ends `run` (GO otherwise). */
  #halt = GO;

  constructor(observer: PickleObserver, strict = false) {
    this.#ops = new ObjectOps(observer, strict);
  }

  /** For ST_RAW: joblib array data follows, with a padding-length byte first when set. */
  get raw(): ArrayLayout | null {
    return this.#ops.raw;
  }

  /** The value STOP returned (symbolic). */
  get result(): Sym {
    return this.#ops.result;
  }

  get nested(): boolean {
    return this.#ops.nested;
  }

  /** Starts a new pickle (after STOP, for concatenated pickles). */
  reset(offset: number): void {
    this.#ops.reset();
    this.proto = 0;
    this.start = offset;
  }

  run(buf: Buffer, startPos: number, end: number, base: number): number {
    const ops = this.#ops;
    let pos = startPos;
    let status = ST_NEED;
    try {
      for (;;) {
        ops.frame.window = buf; // (BUILD and STOP switch frames for joblib's nested pickles)
        pos = dataLoop(this, ops.frame, buf, pos, end, base);
        if (this.exit === EXIT_SKIP) status = ST_SKIP;
        if (this.exit !== EXIT_OTHER) break;
        this.opcodes++;
        pos = this.#cold(buf[pos]!, buf, pos, end, base);
        if (this.#halt !== GO) {
          status = this.#halt;
          this.#halt = GO;
          if (status === ST_NEED) this.opcodes--; // counted, not run
          break;
        }
      }
      ops.frame.spill();
    } catch (e) {
      if (!(e instanceof PickleFault)) throw e;
      this.error = e.message;
      this.errorOffset = e.offset;
      status = ST_ERROR;
    }
    ops.frame.window = EMPTY;
    if (status === ST_NEED && this.need === 0) this.need = 1;
    this.pos = pos;
    return status;
  }

  /** Opcodes with text lines or rarer arguments, and the object opcodes: returns the new `pos`. */
  #cold(op: number, buf: Buffer, pos: number, end: number, base: number): number {
    const ops = this.#ops;
    const left = end - pos;
    const at = base + pos;
    switch (op) {
      case 0x63: case 0x69: { // GLOBAL, INST: two text lines
        const l1 = line(buf, pos + 1, end);
        const l2 = l1 < 0 ? -1 : line(buf, l1 + 1, end);
        if (l2 < 0) {
          if (left > MAX_LINE) throw new PickleFault('text argument too long', at);
          return this.#needs(left + 1, pos);
        }
        const g = ops.global(buf.toString('utf8', pos + 1, l1), buf.toString('utf8', l1 + 1, l2), at, op === 0x63 ? 'GLOBAL' : 'INST');
        if (op === 0x63) ops.frame.push(g);
        else ops.inst(g, at);
        return l2 + 1;
      }
      case 0x49: case 0x4c: case 0x46: case 0x53: case 0x56: case 0x50: // INT, LONG, FLOAT, STRING, UNICODE, PERSID
      case 0x70: case 0x67: { // PUT, GET
        const l = line(buf, pos + 1, end);
        if (l >= 0) {
          ops.textOp(op, buf.toString('latin1', pos + 1, l), at);
          return l + 1;
        }
        if (left <= MAX_LINE) return this.#needs(left + 1, pos);
        if (op === 0x70 || op === 0x67) throw new PickleFault('text argument too long', at);
        ops.hugeTextOp(op, at);
        this.#halt = ST_SKIPLINE;
        return pos + 1;
      }
      case 0x82: case 0x83: case 0x84: { // EXT1, EXT2, EXT4: copyreg's extension registry
        const w = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
        if (left < 1 + w) return this.#needs(1 + w, pos);
        ops.extension(w === 1 ? buf[pos + 1]! : w === 2 ? buf.readUInt16LE(pos + 1) : buf.readInt32LE(pos + 1), at);
        return pos + 1 + w;
      }
      case 0x8b: { // LONG4
        if (left < 5) return this.#needs(5, pos);
        const n = buf.readInt32LE(pos + 1);
        if (n < 0) throw new PickleFault('LONG4 with a negative byte count', at);
        ops.frame.push(OTHER);
        if (left - 5 >= n) return pos + 5 + n;
        this.skip = n;
        this.#halt = ST_SKIP;
        return pos + 5;
      }
      default: {
        const r = ops.exec(op, at);
        if (r !== GO) this.#halt = r;
        return pos + 1;
      }
    }
  }

  #needs(n: number, pos: number): number {
    this.need = n;
    this.#halt = ST_NEED;
    return pos;
  }
}


/** Index of the '\n' ending a line that starts at `from`, or -1 when not in the window. */
function line(buf: Buffer, from: number, end: number): number {
  const nl = buf.indexOf(10, from);
  return nl >= 0 && nl < end ? nl : -1;
}
