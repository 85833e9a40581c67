/** The unpickler's memo, as the disassembler keeps it. */
import type { Sym } from './symbolic.ts';

/**
 * The memo: pickles store memo entries at 0, 1, 2, ... (MEMOIZE uses the entry count), so fixed
 * pages of slots hold them; far-away explicit PUT indices go to a Map. A Map, or one growing
 * array, spends most of a small-opcode pickle's scan time rehashing or copying.
 */
const PAGE_BITS = 14;
const PAGE = 1 << PAGE_BITS;
const MAX_PAGED = 1 << 26;

export class Memo {
  readonly #pages: (Sym | undefined)[][] = [];
  #sparse: Map<number, Sym> | null = null;
  size = 0;

  set(k: number, v: Sym): void {
    const p = k >>> PAGE_BITS;
    // Pages grow one at a time: a PUT far ahead (LONG_BINPUT 0x03ffffff) must not allocate them all.
    if (k < MAX_PAGED && p <= this.#pages.length) {
      if (p === this.#pages.length) this.#pages.push(new Array<Sym | undefined>(PAGE));
      const page = this.#pages[p]!;
      const i = k & (PAGE - 1);
      if (page[i] === undefined && !this.#sparse?.delete(k)) this.size++;
      page[i] = v;
      return;
    }
    this.#sparse ??= new Map();
    if (!this.#sparse.has(k)) this.size++;
    this.#sparse.set(k, v);
  }

  get(k: number): Sym | undefined {
    const v = k < MAX_PAGED ? this.#pages[k >>> PAGE_BITS]?.[k & (PAGE - 1)] : undefined;
    return v !== undefined ? v : this.#sparse?.get(k);
  }
}
