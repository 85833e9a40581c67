/**
 * The opcodes that build or look at objects: tuples of any size, dicts, globals, calls, BUILD,
 * persistent ids, STOP. They are where stack strings get decoded (and stored tuples built), and
 * where the observer hears about imports and calls; the data opcodes run in data-loop.ts.
 */
import { Frame } from './frame.ts';
import { isDottedIdentifier } from './globals-policy.ts';
import { wrapperLayout, type ArrayLayout } from './numpy-wrapper.ts';
import { T_SYM } from './stack.ts';
import { GO, ST_DONE, ST_RAW } from './status.ts';
import { BYTES, K_CALL, K_DICT, K_GLOBAL, LONG_STR, LONG_TUPLE, MAX_TRACKED, OTHER, tupleOf, type DictSym, type GlobalSym, type Sym } from './symbolic.ts';
import { PickleFault, textOpValue } from './text-ops.ts';

export interface PickleObserver {
  global(g: GlobalSym, opcode: string): void;
  call(fn: Sym, args: Sym, offset: number, opcode: string): void;
  build(inst: Sym, state: Sym, offset: number): void;
  computedGlobal(module: Sym, name: Sym, offset: number): void;
  extension(code: number, offset: number): void;
  persistentId(offset: number): void;
  outOfBand(offset: number): void;
}

const CALL_NAMES: Readonly<Record<number, string>> = { 0x52: 'REDUCE', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX' };

export class ObjectOps {
  frame = new Frame();
  /** For ST_RAW: joblib array data follows, with a padding-length byte first when set. */
  raw: ArrayLayout | null = null;
  result: Sym = OTHER;
  readonly #obs: PickleObserver;
  /** Sniff mode: reject anything CPython would reject, including names that are not identifiers. */
  readonly #strict: boolean;
  /** Enclosing pickles of joblib object arrays (nested pickles in the stream). */
  readonly #outer: Frame[] = [];

  constructor(observer: PickleObserver, strict: boolean) {
    this.#obs = observer;
    this.#strict = strict;
  }

  reset(): void {
    this.frame = new Frame();
    this.#outer.length = 0;
  }

  get nested(): boolean {
    return this.#outer.length > 0;
  }

  /** Runs an opcode without argument bytes at offset `at`: GO, ST_DONE or ST_RAW. */
  exec(op: number, at: number): number {
    const f = this.frame;
    const st = f.stack;
    switch (op) {
      case 0x2e: return this.#stop(at); // STOP
      case 0x74: { // TUPLE
        const t = f.tupleToMark(at);
        f.push(t);
        return GO;
      }
      case 0x64: { // DICT
        const { values, length } = f.popToMark(at, 2 * MAX_TRACKED);
        if (length % 2 !== 0) throw new PickleFault('DICT with an odd number of items', at);
        const d: DictSym = { t: K_DICT, entries: null, size: 0 };
        setItems(d, values, length);
        f.push(d);
        return GO;
      }
      case 0x73: { // SETITEM
        f.under(3, at);
        const d = f.value(st.sp - 3);
        if (typeof d === 'object' && d !== null && d.t === K_DICT) setItems(d, [f.value(st.sp - 2), f.value(st.sp - 1)], 2);
        st.sp -= 2;
        return GO;
      }
      case 0x75: { // SETITEMS
        const { values, length } = f.popToMark(at, 2 * MAX_TRACKED);
        if (length % 2 !== 0) throw new PickleFault('SETITEMS with an odd number of items', at);
        const d = f.top(at);
        if (typeof d === 'object' && d !== null && d.t === K_DICT) setItems(d, values, length);
        return GO;
      }
      case 0x93: { // STACK_GLOBAL
        f.under(2, at);
        const name = f.value(st.sp - 1);
        const module = f.value(st.sp - 2);
        st.sp -= 2;
        if (typeof module === 'string' && typeof name === 'string') f.push(this.global(module, name, at, 'STACK_GLOBAL'));
        else {
          if (this.#strict) throw new PickleFault('STACK_GLOBAL operands are not strings', at);
          this.#obs.computedGlobal(module, name, at);
          f.push({ t: K_GLOBAL, module: '?', name: '?', offset: at, computed: true });
        }
        return GO;
      }
      case 0x52: case 0x81: case 0x92: { // REDUCE, NEWOBJ, NEWOBJ_EX (whose kwargs are dropped)
        f.under(op === 0x92 ? 3 : 2, at);
        if (op === 0x92) st.sp--;
        const fn = f.value(st.sp - 2);
        const args = f.value(st.sp - 1);
        st.sp -= 2;
        this.#call(fn, args, at, CALL_NAMES[op]!);
        return GO;
      }
      case 0x6f: { // OBJ
        if (st.sp === f.innerMark(at)) throw new PickleFault('OBJ without a class', at);
        const fn = f.value(f.innerMark(at));
        const { values } = f.popToMark(at, MAX_TRACKED + 1);
        this.#call(fn, values === null ? LONG_TUPLE : tupleOf(values.slice(1)), at, 'OBJ');
        return GO;
      }
      case 0x62: return this.#build(at); // BUILD
      case 0x51: // BINPERSID
        f.under(1, at);
        st.sp--;
        this.#obs.persistentId(at);
        f.push(OTHER);
        return GO;
      case 0x97: // NEXT_BUFFER
        this.#obs.outOfBand(at);
        if (this.#strict) throw new PickleFault('out-of-band buffer', at);
        f.push(BYTES);
        return GO;
      default:
        throw new PickleFault(`invalid opcode 0x${op.toString(16).padStart(2, '0')}`, at);
    }
  }

  global(module: string, name: string, at: number, opcode: string): GlobalSym {
    if (this.#strict && (!isDottedIdentifier(module) || !isDottedIdentifier(name))) throw new PickleFault('global name is not an identifier', at);
    const g: GlobalSym = { t: K_GLOBAL, module, name, offset: at, computed: false };
    this.#obs.global(g, opcode);
    return g;
  }

  /** INST: the class is `g`; its arguments are what the innermost mark holds. */
  inst(g: GlobalSym, at: number): void {
    this.#call(g, this.frame.tupleToMark(at), at, 'INST');
  }

  /** EXT1, EXT2, EXT4: a global named through copyreg's extension registry. */
  extension(code: number, at: number): void {
    if (code <= 0) throw new PickleFault('EXT code must be positive', at);
    this.#obs.extension(code, at);
    this.frame.push({ t: K_GLOBAL, module: '?', name: `extension ${code}`, offset: at, computed: true });
  }

  /** INT, LONG, FLOAT, STRING, UNICODE, PERSID, PUT, GET with their text argument. */
  textOp(op: number, text: string, at: number): void {
    const r = textOpValue(op, text, at);
    if (op === 0x50) this.#obs.persistentId(at);
    if (op === 0x70) this.frame.memoPut(r as number, at);
    else if (op === 0x67) this.frame.memoGet(r as number, at);
    else this.frame.push(r);
  }

  /** A text opcode whose line is too long to read: its value does not matter, the line is skipped. */
  hugeTextOp(op: number, at: number): void {
    if (op === 0x50) this.#obs.persistentId(at);
    this.frame.push(op === 0x53 || op === 0x56 ? LONG_STR : OTHER);
  }

  #call(fn: Sym, args: Sym, at: number, opcode: string): void {
    this.#obs.call(fn, args, at, opcode);
    this.frame.push({ t: K_CALL, fn, args, offset: at });
  }

  #stop(at: number): number {
    const f = this.frame;
    f.under(1, at);
    const outer = this.#outer.pop();
    if (outer) { // end of a joblib object-array pickle: back to the enclosing one
      outer.window = f.window;
      this.frame = outer;
      return GO;
    }
    this.result = f.value(f.stack.sp - 1);
    return ST_DONE;
  }

  #build(at: number): number {
    const f = this.frame;
    const st = f.stack;
    f.under(2, at);
    const state = f.value(--st.sp);
    const inst = f.value(st.sp - 1);
    this.#obs.build(inst, state, at);
    if (typeof inst !== 'object' || inst === null || inst.t !== K_CALL) return GO;
    inst.state = state;
    // joblib: the array data (or a nested pickle of an object array) follows the BUILD of a
    // NumpyArrayWrapper (joblib/numpy_pickle.py NumpyUnpickler.load_build).
    const fn = inst.fn;
    if (typeof fn !== 'object' || fn === null || fn.t !== K_GLOBAL || fn.module !== 'joblib.numpy_pickle' || fn.name !== 'NumpyArrayWrapper') return GO;
    const layout = wrapperLayout(state);
    if (layout === null) throw new PickleFault('joblib array wrapper with a shape or dtype that cannot be sized', at);
    st.tags[st.sp - 1] = T_SYM;
    st.objs[st.sp - 1] = OTHER;
    if (layout.objects) {
      f.spill(); // the window moves on while the nested pickle is read
      this.#outer.push(f);
      const inner = new Frame();
      inner.window = f.window;
      this.frame = inner;
      return GO;
    }
    this.raw = layout;
    return ST_RAW;
  }
}

/** Adds `length / 2` items to a dict (`values` holds them unless there were too many to track). */
function setItems(d: DictSym, values: readonly Sym[] | null, length: number): void {
  d.size += length / 2;
  if (d.size > MAX_TRACKED || values === null) {
    d.entries = null;
    return;
  }
  for (let i = 0; i < length; i += 2) {
    const k = values[i]!;
    if (typeof k !== 'string') continue;
    (d.entries ??= new Map()).set(k, values[i + 1]!);
  }
}
