/**
 * The unpickler's memo, as the disassembler keeps it: pages of typed arrays indexed by memo key
 * (pickles number entries 0, 1, 2, ...; MEMOIZE uses the entry count), six bytes an entry, with
 * the bytes of memoized strings copied to an arena. A small-opcode pickle memoizes millions of
 * strings: as JS objects, the garbage collector would trace and promote every one of them.
 * Pages are never copied to grow (fresh memory is costly to touch, and a copy touches it twice).
 */
import { ARENA_SHIFT, T_ASTR, T_EMPTY, T_SYM, T_WSTR, T_WSTR_L1, type SymStack } from './stack.ts';
import { decodeText } from './string-literals.ts';
import type { Sym } from './symbolic.ts';

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
/** Keys past 2^28 (or that would leave the memo less than half full) live in a Map. */
const MAX_PAGES = (1 << 28) / PAGE;
/** An arena offset is page << ARENA_BITS | index; strings never straddle pages. */
const ARENA_BITS = 16;
const ARENA_PAGE = 1 << ARENA_BITS;
const FIRST_ARENA_PAGE = 4096;
/** Offsets stay int32: past this the memo keeps strings as JS strings. */
const MAX_ARENA_PAGES = 1 << (31 - ARENA_BITS);
const TEXT_CACHE_BITS = 8;
/** Strings shorter than this are copied byte by byte (cheaper than a call into Buffer#copy). */
const SHORT_COPY = 32;

function copyBytes(from: Uint8Array, start: number, n: number, to: Uint8Array, at: number): void {
  if (n < SHORT_COPY) for (let j = 0; j < n; j++) to[at + j] = from[start + j]!;
  else to.set(from.subarray(start, start + n), at);
}

export class Memo {
  /** Per page: T_INT the int; arena strings their offset; T_SYM the index in `#objs`. */
  readonly #vals: Int32Array[] = [];
  /** Per page: tag | byte length << 3 (strings are at most MAX_DECODED bytes). */
  readonly #meta: Uint16Array[] = [];
  /** Values of T_SYM entries; indices freed by an overwrite are reused. */
  readonly #objs: Sym[] = [];
  readonly #free: number[] = [];
  #sparse: Map<number, Sym> | null = null;
  /** Number of entries. */
  size = 0;
  /** Pages of string bytes. */
  readonly #arena: Buffer[] = [];
  /** The last arena page, its first offset, and how much of it is used. */
  #page: Buffer = Buffer.alloc(0);
  #pageBase = 0;
  #used = 0;
  /** 1 + the largest key with a slot ever stored: keys from here on are new. */
  #next = 0;
  /** Arena bytes of overwritten entries (an upper bound: a stack slot may still use them). */
  #dead = 0;
  /** The stacks whose slots may point into the arena (compaction moves their strings too). */
  readonly #roots: readonly SymStack[];
  /** Decoded arena strings by offset + 1 (0: none); emptied when compaction moves strings. */
  readonly #textAt = new Int32Array(1 << TEXT_CACHE_BITS);
  readonly #texts: string[] = new Array<string>(1 << TEXT_CACHE_BITS).fill('');

  constructor(roots: readonly SymStack[]) {
    this.#roots = roots;
  }

  /**
   * Stores stack slot `i` under key `k`. A window string is copied to the arena first, and its
   * stack slot pointed there too. False when `k` is not a dense key: the caller stores the
   * decoded value with `putSparse`.
   */
  put(k: number, st: SymStack, i: number, window: Buffer): boolean {
    // What MEMOIZE does after nearly every new str, kept small enough for V8 to inline: a key
    // never used, in a page that exists, for a string that fits in the arena page.
    const n = st.lens[i]!;
    const p = k >>> PAGE_BITS;
    if (k < this.#next || st.tags[i] !== T_WSTR || this.#sparse !== null || p >= this.#vals.length || this.#used + n > this.#page.length) {
      return this.#put(k, st, i, window);
    }
    const at = this.#pageBase | this.#used;
    copyBytes(window, st.vals[i]!, n, this.#page, this.#used);
    this.#used += n;
    this.#next = k + 1;
    this.size++;
    st.tags[i] = T_ASTR;
    st.vals[i] = at;
    this.#vals[p]![k & (PAGE - 1)] = at;
    this.#meta[p]![k & (PAGE - 1)] = T_ASTR | (n << 3);
    return true;
  }

  #put(k: number, st: SymStack, i: number, window: Buffer): boolean {
    const p = k >>> PAGE_BITS;
    if (p >= this.#vals.length && !this.#addPage(p)) return false;
    const vals = this.#vals[p]!;
    const meta = this.#meta[p]!;
    const j = k & (PAGE - 1);
    let old = T_EMPTY;
    if (k >= this.#next) this.#next = k + 1; // (a MEMOIZE: no need to read a slot never written)
    else {
      old = meta[j]! & 7;
      if (old >= T_ASTR) this.#dead += meta[j]! >>> 3;
    }
    if (old === T_EMPTY && (this.#sparse === null || !this.#sparse.delete(k))) this.size++;
    let tag = st.tags[i]!;
    if (tag === T_WSTR || tag === T_WSTR_L1) {
      const n = st.lens[i]!;
      if (this.#used + n <= this.#page.length || this.#newPage(n)) {
        copyBytes(window, st.vals[i]!, n, this.#page, this.#used);
        st.vals[i] = this.#pageBase | this.#used;
        this.#used += n;
        tag += ARENA_SHIFT;
      } else {
        st.objs[i] = decodeText(window, st.vals[i]!, n, tag === T_WSTR_L1);
        tag = T_SYM;
      }
      st.tags[i] = tag;
    }
    if (tag === T_SYM) {
      const v = st.objs[i]!;
      if (old === T_SYM) this.#objs[vals[j]!] = v;
      else {
        const idx = this.#free.length > 0 ? this.#free.pop()! : this.#objs.length;
        this.#objs[idx] = v;
        vals[j] = idx;
      }
      meta[j] = T_SYM;
      return true;
    }
    if (old === T_SYM) {
      this.#objs[vals[j]!] = null;
      this.#free.push(vals[j]!);
    }
    vals[j] = st.vals[i]!;
    meta[j] = tag >= T_ASTR ? tag | (st.lens[i]! << 3) : tag;
    return true;
  }

  putSparse(k: number, v: Sym): void {
    this.#sparse ??= new Map();
    if (!this.#sparse.has(k)) this.size++;
    this.#sparse.set(k, v);
  }

  /** Copies entry `k` into stack slot `i`; false when there is no such entry. */
  load(k: number, st: SymStack, i: number): boolean {
    const p = k >>> PAGE_BITS;
    if (p < this.#vals.length) {
      const m = this.#meta[p]![k & (PAGE - 1)]!;
      if (m !== T_EMPTY) {
        const tag = m & 7;
        const v = this.#vals[p]![k & (PAGE - 1)]!;
        st.tags[i] = tag;
        if (tag === T_SYM) st.objs[i] = this.#objs[v]!;
        else {
          st.vals[i] = v;
          st.lens[i] = m >>> 3;
        }
        return true;
      }
    }
    const v = this.#sparse?.get(k);
    if (v === undefined) return false;
    st.tags[i] = T_SYM;
    st.objs[i] = v;
    return true;
  }

  /**
   * The text of the arena string at `at`, `n` bytes long. What a memo holds is what a pickle
   * refers to again and again (BINGET): the last texts decoded are kept by offset.
   */
  text(at: number, n: number, latin1: boolean): string {
    if (n === 0) return ''; // (an empty string takes no bytes: the next string has its offset)
    const h = Math.imul(at, 0x9e3779b1) >>> (32 - TEXT_CACHE_BITS);
    if (this.#textAt[h] === at + 1) return this.#texts[h]!;
    const s = decodeText(this.#arena[at >>> ARENA_BITS]!, at & (ARENA_PAGE - 1), n, latin1);
    this.#textAt[h] = at + 1;
    this.#texts[h] = s;
    return s;
  }

  /**
   * Pages are added one at a time, and only to a memo at least half full: a far-away PUT index
   * (LONG_BINPUT 0x7fffffff) goes to the Map instead of allocating pages up to it.
   */
  #addPage(p: number): boolean {
    if (p !== this.#vals.length || p >= MAX_PAGES || this.size < (p * PAGE) / 2) return false;
    const buf = new ArrayBuffer(6 * PAGE);
    this.#vals.push(new Int32Array(buf, 0, PAGE));
    this.#meta.push(new Uint16Array(buf, 4 * PAGE, PAGE));
    return true;
  }

  /** A last arena page with room for `n` bytes (false when the arena is full); may move every arena string. */
  #newPage(n: number): boolean {
    // Reclaim overwritten strings when they are half the arena and pay for the walk.
    let walk = this.#vals.length * PAGE;
    for (const r of this.#roots) walk += r.sp;
    if (this.#dead >= (this.#arena.length * ARENA_PAGE) / 2 && this.#dead >= walk) {
      this.#compact();
      if (this.#used + n <= this.#page.length) return true;
    }
    if (this.#arena.length >= MAX_ARENA_PAGES) return false;
    this.#addArenaPage(this.#arena.length === 0 ? FIRST_ARENA_PAGE : ARENA_PAGE);
    return true;
  }

  #addArenaPage(size: number): void {
    this.#page = Buffer.allocUnsafe(size);
    this.#pageBase = this.#arena.length << ARENA_BITS;
    this.#arena.push(this.#page);
    this.#used = 0;
  }

  /** New arena pages with only the strings still referred to by the memo or the roots. */
  #compact(): void {
    const old = this.#arena.splice(0);
    this.#addArenaPage(ARENA_PAGE);
    this.#dead = 0;
    this.#textAt.fill(0);
    const move = (at: number, n: number): number => {
      if (this.#used + n > ARENA_PAGE) this.#addArenaPage(ARENA_PAGE);
      copyBytes(old[at >>> ARENA_BITS]!, at & (ARENA_PAGE - 1), n, this.#page, this.#used);
      this.#used += n;
      return this.#pageBase | (this.#used - n);
    };
    for (let p = 0; p < this.#vals.length; p++) {
      const vals = this.#vals[p]!;
      const meta = this.#meta[p]!;
      for (let j = 0; j < PAGE; j++) if ((meta[j]! & 7) >= T_ASTR) vals[j] = move(vals[j]!, meta[j]! >>> 3);
    }
    for (const r of this.#roots) for (let i = 0; i < r.sp; i++) if (r.tags[i]! >= T_ASTR) r.vals[i] = move(r.vals[i]!, r.lens[i]!);
  }
}
