/**
 * One pickle's unpickler state (stack, marks, memo), with the value-level operations the rarer
 * opcodes use. The data opcodes (data-loop.ts) work on the stack's arrays directly.
 *
 * Small tuples (TUPLE1-3) are not built as objects: their items move to an item store, a second
 * SymStack, and the tuple is a T_TUP slot pointing at them. Most such tuples are list items that
 * APPENDS drops at once. The store is a stack too: what was added after a MARK is dropped with it,
 * and a tuple popped by APPEND gives its items back. A T_TUP slot is the only reference to its
 * items: copying it anywhere else (DUP, the memo, another tuple) builds the tuple object first.
 */
import { Memo } from './memo.ts';
import { NO_WINDOW, SymStack, T_ASTR, T_INT, T_SYM, T_TUP, T_WSTR, T_WSTR_L1 } from './stack.ts';
import { decodeText } from './string-literals.ts';
import { LONG_TUPLE, MAX_TRACKED, tupleOf, type Sym, type TupleSym } from './symbolic.ts';
import { PickleFault } from './text-ops.ts';

export const EMPTY = Buffer.alloc(0);
/** The item store is emptied (the stack's tuples built) rather than grown past this size, unless the stack is as large. */
const ITEMS_MIN = 1 << 16;

export class Frame {
  readonly stack = new SymStack();
  /** Items of the T_TUP slots. */
  readonly items = new SymStack();
  readonly memo = new Memo([this.stack, this.items]);
  readonly marks: number[] = [];
  /** Item store size at each mark. */
  readonly #markItems: number[] = [];
  /** Stack index of the innermost mark (0 without one): no opcode pops below it. */
  floor = 0;
  /** The window T_WSTR slots point into; only valid during `PickleMachine.run`. */
  window: Buffer = EMPTY;

  /** The value of stack slot `i`, as a symbolic value (a string is decoded, a tuple built, now). */
  value(i: number): Sym {
    const st = this.stack;
    if (st.tags[i] !== T_TUP) return this.#valueOf(st, i);
    // Built once: the slot keeps the object (and no longer refers to the store).
    const t = this.#tupleAt(st.vals[i]!, st.lens[i]!);
    st.tags[i] = T_SYM;
    st.objs[i] = t;
    return t;
  }

  #valueOf(s: SymStack, i: number): Sym {
    const tag = s.tags[i]!;
    if (tag === T_SYM) return s.objs[i]!;
    if (tag === T_INT) return s.vals[i]!;
    if (tag === T_TUP) return this.#tupleAt(s.vals[i]!, s.lens[i]!);
    if (tag < T_ASTR) return decodeText(this.window, s.vals[i]!, s.lens[i]!, (tag & 1) === 1);
    return this.memo.text(s.vals[i]!, s.lens[i]!, (tag & 1) === 1);
  }

  #tupleAt(at: number, n: number): TupleSym {
    const items: Sym[] = [];
    for (let j = 0; j < n; j++) items.push(this.#valueOf(this.items, at + j));
    return tupleOf(items);
  }

  /**
   * Makes slots [from, from + n) one tuple, in slot `from` (TUPLE1-3; the stack top is
   * `from + n`). Items that are tuples themselves are built: a store region has one owner.
   */
  packTuple(from: number, n: number): void {
    const st = this.stack;
    const it = this.items;
    if (it.sp + n > it.tags.length) this.#makeRoom(from + n);
    const at = it.sp;
    for (let j = 0; j < n; j++) {
      const i = from + j;
      const d = at + j;
      const tag = st.tags[i]!;
      if (tag === T_SYM || tag === T_TUP) {
        it.tags[d] = T_SYM;
        it.objs[d] = this.value(i);
        continue;
      }
      it.tags[d] = tag;
      it.vals[d] = st.vals[i]!;
      it.lens[d] = st.lens[i]!;
      if ((tag === T_WSTR || tag === T_WSTR_L1) && d < it.winLow) it.winLow = d;
    }
    it.sp = at + n;
    st.tags[from] = T_TUP;
    st.vals[from] = at;
    st.lens[from] = n;
  }

  /** Room for a few more items: builds the stack's tuples and empties the store when it is large. */
  #makeRoom(top: number): void {
    const it = this.items;
    if (it.tags.length < ITEMS_MIN || it.sp < 2 * top) { // the walk below would not pay for itself
      it.grow();
      return;
    }
    for (let i = 0; i < top; i++) if (this.stack.tags[i] === T_TUP) this.value(i);
    it.sp = 0;
    it.winLow = NO_WINDOW;
    this.#markItems.fill(0);
  }

  /** Gives back the items of a tuple slot being popped, when they are the last ones stored. */
  dropTuple(i: number): void {
    const st = this.stack;
    if (st.tags[i] === T_TUP && st.vals[i]! + st.lens[i]! === this.items.sp) this.items.sp = st.vals[i]!;
  }

  push(v: Sym): void {
    const st = this.stack;
    if (st.sp >= st.tags.length) st.grow();
    st.tags[st.sp] = T_SYM;
    st.objs[st.sp++] = v;
  }

  under(k: number, at: number): void {
    if (this.stack.sp - this.floor < k) throw new PickleFault('stack underflow', at);
  }

  top(at: number): Sym {
    this.under(1, at);
    return this.value(this.stack.sp - 1);
  }

  /** MARK at stack index `sp`. */
  mark(sp: number): void {
    this.marks.push(sp);
    this.#markItems.push(this.items.sp);
    this.floor = sp;
  }

  /** Pops the innermost mark and returns the stack index it marked; the items stored since go. */
  popMark(at: number): number {
    const m = this.marks.pop();
    if (m === undefined) throw new PickleFault('MARK expected but not found', at);
    this.items.sp = this.#markItems.pop()!;
    this.floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    return m;
  }

  /** The stack index of the innermost mark. */
  innerMark(at: number): number {
    const m = this.marks[this.marks.length - 1];
    if (m === undefined) throw new PickleFault('MARK expected but not found', at);
    return m;
  }

  /**
   * Pops the innermost mark and what it holds: `values` are the popped values, or null when there
   * are more than `keep` (they are not built then), `length` how many.
   */
  popToMark(at: number, keep: number): { values: Sym[] | null; length: number } {
    const st = this.stack;
    const end = st.sp;
    const m = this.innerMark(at);
    let values: Sym[] | null = null;
    if (end - m <= keep) { // before the store drops the items of tuples above the mark
      values = [];
      for (let i = m; i < end; i++) values.push(this.value(i));
    }
    st.sp = this.popMark(at);
    return { values, length: end - m };
  }

  /** The tuple of what the innermost mark holds (TUPLE, INST). */
  tupleToMark(at: number): TupleSym {
    const { values } = this.popToMark(at, MAX_TRACKED);
    return values === null ? LONG_TUPLE : tupleOf(values);
  }

  /** Decodes the strings still pointing into the window: it is about to change. */
  spill(): void {
    for (const s of [this.stack, this.items]) {
      for (let i = s.winLow; i < s.sp; i++) {
        const tag = s.tags[i]!;
        if (tag !== T_WSTR && tag !== T_WSTR_L1) continue;
        s.objs[i] = this.#valueOf(s, i);
        s.tags[i] = T_SYM;
      }
      s.winLow = NO_WINDOW;
    }
  }

  memoPut(k: number, at: number): void {
    this.under(1, at);
    const i = this.stack.sp - 1;
    if (this.stack.tags[i] === T_TUP) this.value(i); // the memo keeps the object
    if (!this.memo.put(k, this.stack, i, this.window)) this.memo.putSparse(k, this.value(i));
  }

  memoGet(k: number, at: number): void {
    const st = this.stack;
    if (st.sp >= st.tags.length) st.grow();
    if (!this.memo.load(k, st, st.sp)) throw new PickleFault(`memo key ${k} was never stored`, at);
    st.sp++;
  }
}
