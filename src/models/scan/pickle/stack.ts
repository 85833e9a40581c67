/**
 * The disassembler's stack as parallel typed arrays of slots, so that pushing an int or a string
 * allocates nothing. A slot is a tag and, by tag, a number, a string's bytes (where they are and
 * how many), a small tuple's items (slots of another SymStack) or a symbolic value. Strings stay
 * bytes, and tuples slots, until something asks for their value (a STACK_GLOBAL, a call's
 * arguments, a dict key): most never are.
 */
import type { Sym } from './symbolic.ts';

/** Memo only: no entry. */
export const T_EMPTY = 0;
/** `objs[i]` (memo: `objs[vals[k]]`) is the value. */
export const T_SYM = 1;
/** `vals[i]` is a Python int that fits in 32 bits (larger ones are T_SYM numbers). */
export const T_INT = 2;
/** A small tuple whose items are the `lens[i]` slots from `vals[i]` in the frame's item store. */
export const T_TUP = 3;
/** A str whose UTF-8 bytes are in the window `run` reads, at `vals[i]`, `lens[i]` long. */
export const T_WSTR = 4;
/** A str (BINSTRING, read as latin-1) in the window. */
export const T_WSTR_L1 = 5;
/** A str whose UTF-8 bytes were copied to the memo's arena, at `vals[i]`. */
export const T_ASTR = 6;
/** A latin-1 str in the memo's arena. */
export const T_ASTR_L1 = 7; // = T_WSTR_L1 + ARENA_SHIFT; named for the tag table, not read by name
/** Window tag + ARENA_SHIFT = arena tag. Any tag ≥ T_WSTR is a str; bit 0 set means latin-1. */
export const ARENA_SHIFT = 2;

/** `winLow` when no slot points into the window. */
export const NO_WINDOW = 0x7fffffff;

export class SymStack {
  tags: Uint8Array;
  vals: Int32Array;
  lens: Int32Array;
  /** Values of T_SYM slots; other slots may hold stale values (never read). */
  objs: Sym[];
  sp = 0;
  /** Lowest index that may hold a window string (NO_WINDOW when none may). */
  winLow = NO_WINDOW;

  constructor(capacity = 64) {
    this.tags = new Uint8Array(capacity);
    this.vals = new Int32Array(capacity);
    this.lens = new Int32Array(capacity);
    this.objs = [];
    // Filled by push, not `new Array(n)`: a large holey array would be a slow dictionary.
    for (let i = 0; i < capacity; i++) this.objs.push(null);
  }

  /** Doubles the capacity (callers make sure one more slot fits before pushing). */
  grow(): void {
    const n = this.tags.length * 2;
    const tags = new Uint8Array(n);
    tags.set(this.tags);
    const vals = new Int32Array(n);
    vals.set(this.vals);
    const lens = new Int32Array(n);
    lens.set(this.lens);
    this.tags = tags;
    this.vals = vals;
    this.lens = lens;
    for (let i = this.objs.length; i < n; i++) this.objs.push(null);
  }
}
