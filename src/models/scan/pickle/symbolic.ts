/**
 * The symbolic values the pickle disassembler keeps on its stack and in its memo. Only what a
 * security decision needs is modelled: constant strings and numbers (what feeds STACK_GLOBAL, the
 * shapes and dtypes of joblib arrays), globals, calls and small tuples/dicts. Everything else is
 * one of a few shared singletons, so that the common opcodes allocate nothing.
 *
 * A JS string is a constant Python `str`; a JS number a Python int or float.
 */

export const K_OTHER = 0;
export const K_GLOBAL = 1;
export const K_CALL = 2;
export const K_TUPLE = 3;
export const K_DICT = 4;
export const K_BYTES = 5;
export const K_LONG_STR = 6;
export const K_PERSID = 7;
export const K_EXT = 8;
export const K_LIST = 9;

export interface OtherSym { readonly t: typeof K_OTHER }
export interface BytesSym { readonly t: typeof K_BYTES }
export interface LongStrSym { readonly t: typeof K_LONG_STR }
export interface ListSym { readonly t: typeof K_LIST }
export interface GlobalSym {
  readonly t: typeof K_GLOBAL;
  readonly module: string;
  readonly name: string;
  /** Offset of the opcode that produced it. */
  readonly offset: number;
  /** Set when the module or name was not a constant string (STACK_GLOBAL fed by a call). */
  readonly computed: boolean;
}
export interface CallSym {
  readonly t: typeof K_CALL;
  readonly fn: Sym;
  readonly args: Sym;
  readonly offset: number;
  /** What BUILD set on the result (a numpy dtype's state tuple, a joblib wrapper's dict). */
  state?: Sym;
}
export interface TupleSym {
  readonly t: typeof K_TUPLE;
  /** Items when the tuple is small (≤ MAX_TRACKED), else null. */
  readonly items: readonly Sym[] | null;
}
export interface DictSym {
  readonly t: typeof K_DICT;
  /** String-keyed entries while the dict stays small, else null. */
  entries: Map<string, Sym> | null;
  size: number;
}
export interface PersidSym { readonly t: typeof K_PERSID; readonly id: Sym }
export interface ExtSym { readonly t: typeof K_EXT; readonly code: number; readonly offset: number }

export type ObjSym = OtherSym | BytesSym | LongStrSym | ListSym | GlobalSym | CallSym | TupleSym | DictSym | PersidSym | ExtSym;
export type Sym = string | number | boolean | null | ObjSym;

export const OTHER: OtherSym = Object.freeze({ t: K_OTHER });
export const BYTES: BytesSym = Object.freeze({ t: K_BYTES });
export const LONG_STR: LongStrSym = Object.freeze({ t: K_LONG_STR });
export const LIST: ListSym = Object.freeze({ t: K_LIST });
export const EMPTY_TUPLE: TupleSym = Object.freeze({ t: K_TUPLE, items: Object.freeze([]) });
/** A tuple too long to track. */
export const LONG_TUPLE: TupleSym = Object.freeze({ t: K_TUPLE, items: null });

/** Containers larger than this keep no contents. */
export const MAX_TRACKED = 16;

export function isObj(s: Sym): s is ObjSym {
  return typeof s === 'object' && s !== null;
}

export function tupleOf(items: Sym[]): TupleSym {
  return { t: K_TUPLE, items: items.length <= MAX_TRACKED ? items : null };
}

/** `module.name` of a global, as reports name callables. */
export function qualifiedName(g: GlobalSym): string {
  return g.computed ? '<computed>' : `${g.module}.${g.name}`;
}

/** A short, safe rendering of a value for messages (`'ls -la'`, `os.system(...)`, `(1, 2)`). */
export function preview(s: Sym, depth = 0): string {
  if (typeof s === 'string') return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
  if (typeof s === 'number') return String(s);
  if (typeof s === 'boolean') return s ? 'True' : 'False';
  if (s === null) return 'None';
  if (depth > 2) return '...';
  switch (s.t) {
    case K_GLOBAL:
      return qualifiedName(s);
    case K_CALL:
      return `${preview(s.fn, depth + 1)}(...)`;
    case K_TUPLE:
      if (s.items === null) return '(...)';
      return `(${s.items.slice(0, 4).map((i) => preview(i, depth + 1)).join(', ')}${s.items.length > 4 ? ', ...' : s.items.length === 1 ? ',' : ''})`;
    case K_DICT:
      return '{...}';
    case K_BYTES:
      return "b'...'";
    case K_LONG_STR:
      return "'...'";
    case K_LIST:
      return '[...]';
    case K_PERSID:
      return 'persistent_load(...)';
    case K_EXT:
      return `extension(${s.code})`;
    default:
      return '?';
  }
}
