/**
 * The data opcodes of the pickle disassembler, in one tight loop over the window: ints, floats,
 * strings, bytes, the memo, marks, lists, small tuples, framing. They are most of any pickle by
 * count, and allocate nothing but new dicts (a str is where its bytes are, a small tuple is slots
 * in the item store: see stack.ts, frame.ts). The loop returns at the first opcode it does not
 * handle, which machine.ts runs out of line (globals, calls, dicts, BUILD, text lines, STOP).
 *
 * Keeping the rarer opcodes out of this function matters to V8 as much as to the reader: code
 * reached for the first time after the function was optimized (a STOP, say) throws the optimized
 * code away, and a smaller function is optimized again sooner. For the same reason the exits set
 * locals, and the fields are written once, on the way out.
 */
import type { Frame } from './frame.ts';
import { T_INT, T_SYM, T_TUP, T_WSTR, T_WSTR_L1 } from './stack.ts';
import { BYTES, EMPTY_TUPLE, K_DICT, LIST, LONG_STR, OTHER, type DictSym } from './symbolic.ts';
import { MAX_DECODED, PickleFault } from './text-ops.ts';

/** Why `dataLoop` returned. */
const EXIT_WINDOW = 0; // the window ended, or the opcode at the returned position needs `need` bytes
export const EXIT_SKIP = 1; // a payload of `skip` bytes follows
export const EXIT_OTHER = 2; // the opcode at the returned position is not a data opcode

/** What the loop reports back, besides the position (the machine implements it). */
export interface LoopState {
  proto: number;
  opcodes: number;
  need: number;
  skip: number;
  exit: number;
}

const HIGHEST_PROTOCOL = 5;

/** The little-endian int32 at `p` (the caller checked it is in the window). */
function i32(buf: Buffer, p: number): number {
  return buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
}

function underflow(at: number): never {
  throw new PickleFault('stack underflow', at);
}

/**
 * Runs data opcodes from `pos` and returns where it stopped (`m.exit` says why). Every case
 * either consumes its whole opcode or leaves `pos` on it.
 */
export function dataLoop(m: LoopState, fr: Frame, buf: Buffer, pos: number, end: number, base: number): number {
  // The stack's arrays and top in locals; written back on the way out (also when it throws).
  const st = fr.stack;
  let tags = st.tags;
  let vals = st.vals;
  let lens = st.lens;
  const objs = st.objs;
  let sp = st.sp;
  let count = 0;
  let exit = EXIT_WINDOW;
  let need = 0; // bytes the opcode at `pos` needs (0: the window ended between opcodes)
  let skip = 0;
  try {
    loop: while (pos < end) {
      if (sp >= tags.length) { // every opcode pushes at most one slot more than it pops
        st.grow();
        tags = st.tags;
        vals = st.vals;
        lens = st.lens;
      }
      const op = buf[pos]!;
      const left = end - pos;
      count++;
      switch (op) {
        case 0x4a: if (left < 5) { need = 5; break loop; } tags[sp] = T_INT; vals[sp++] = i32(buf, pos + 1); pos += 5; break; // BININT
        case 0x4b: if (left < 2) { need = 2; break loop; } tags[sp] = T_INT; vals[sp++] = buf[pos + 1]!; pos += 2; break; // BININT1
        case 0x4d: if (left < 3) { need = 3; break loop; } tags[sp] = T_INT; vals[sp++] = buf[pos + 1]! | (buf[pos + 2]! << 8); pos += 3; break; // BININT2
        case 0x94: st.sp = sp; fr.memoPut(fr.memo.size, base + pos); pos += 1; break; // MEMOIZE
        case 0x71: if (left < 2) { need = 2; break loop; } st.sp = sp; fr.memoPut(buf[pos + 1]!, base + pos); pos += 2; break; // BINPUT
        case 0x72: if (left < 5) { need = 5; break loop; } st.sp = sp; fr.memoPut(i32(buf, pos + 1) >>> 0, base + pos); pos += 5; break; // LONG_BINPUT
        case 0x68: // BINGET
          if (left < 2) { need = 2; break loop; }
          if (!fr.memo.load(buf[pos + 1]!, st, sp)) throw new PickleFault(`memo key ${buf[pos + 1]} was never stored`, base + pos);
          sp++;
          pos += 2;
          break;
        case 0x6a: { // LONG_BINGET
          if (left < 5) { need = 5; break loop; }
          const k = i32(buf, pos + 1) >>> 0;
          if (!fr.memo.load(k, st, sp)) throw new PickleFault(`memo key ${k} was never stored`, base + pos);
          sp++;
          pos += 5;
          break;
        }
        case 0x8c: case 0x55: { // SHORT_BINUNICODE, SHORT_BINSTRING: the common short str
          if (left < 2) { need = 2; break loop; }
          const n = buf[pos + 1]!;
          if (left < 2 + n) { need = 2 + n; break loop; }
          tags[sp] = op === 0x8c ? T_WSTR : T_WSTR_L1;
          vals[sp] = pos + 2;
          lens[sp] = n;
          if (sp < st.winLow) st.winLow = sp;
          sp++;
          pos += 2 + n;
          break;
        }
        case 0x85: case 0x86: case 0x87: { // TUPLE1, TUPLE2, TUPLE3: items go to the store, unbuilt
          const n = op - 0x84;
          if (sp - fr.floor < n) underflow(base + pos);
          sp -= n;
          fr.packTuple(sp, n);
          sp++;
          pos += 1;
          break;
        }
        case 0x28: fr.mark(sp); pos += 1; break; // MARK
        case 0x65: case 0x90: sp = fr.popMark(base + pos); if (sp - fr.floor < 1) underflow(base + pos); pos += 1; break; // APPENDS, ADDITEMS
        case 0x61: if (sp - fr.floor < 2) underflow(base + pos); fr.dropTuple(--sp); pos += 1; break; // APPEND
        case 0x29: tags[sp] = T_SYM; objs[sp++] = EMPTY_TUPLE; pos += 1; break; // EMPTY_TUPLE
        case 0x5d: tags[sp] = T_SYM; objs[sp++] = LIST; pos += 1; break; // EMPTY_LIST
        case 0x7d: tags[sp] = T_SYM; objs[sp++] = { t: K_DICT, entries: null, size: 0 } satisfies DictSym; pos += 1; break; // EMPTY_DICT
        case 0x8f: tags[sp] = T_SYM; objs[sp++] = OTHER; pos += 1; break; // EMPTY_SET
        case 0x4e: tags[sp] = T_SYM; objs[sp++] = null; pos += 1; break; // NONE
        case 0x88: tags[sp] = T_SYM; objs[sp++] = true; pos += 1; break; // NEWTRUE
        case 0x89: tags[sp] = T_SYM; objs[sp++] = false; pos += 1; break; // NEWFALSE
        case 0x47: if (left < 9) { need = 9; break loop; } tags[sp] = T_SYM; objs[sp++] = OTHER; pos += 9; break; // BINFLOAT
        case 0x80: { // PROTO
          if (left < 2) { need = 2; break loop; }
          const p = buf[pos + 1]!;
          if (p > HIGHEST_PROTOCOL) throw new PickleFault(`unsupported pickle protocol ${p}`, base + pos);
          m.proto = p;
          pos += 2;
          break;
        }
        case 0x95: if (left < 9) { need = 9; break loop; } pos += 9; break; // FRAME: framing only groups opcodes; they are read as they come
        case 0x30: // POP: an empty stack pops the mark instead
          if (sp > fr.floor) fr.dropTuple(--sp);
          else sp = fr.popMark(base + pos);
          pos += 1;
          break;
        case 0x31: sp = fr.popMark(base + pos); pos += 1; break; // POP_MARK
        case 0x32: // DUP
          if (sp - fr.floor < 1) underflow(base + pos);
          if (tags[sp - 1] === T_TUP) fr.value(sp - 1); // one owner per stored tuple
          tags[sp] = tags[sp - 1]!;
          vals[sp] = vals[sp - 1]!;
          lens[sp] = lens[sp - 1]!;
          objs[sp] = objs[sp - 1]!;
          sp++;
          pos += 1;
          break;
        case 0x98: if (sp - fr.floor < 1) underflow(base + pos); pos += 1; break; // READONLY_BUFFER
        case 0x6c: sp = fr.popMark(base + pos); tags[sp] = T_SYM; objs[sp++] = LIST; pos += 1; break; // LIST
        case 0x91: sp = fr.popMark(base + pos); tags[sp] = T_SYM; objs[sp++] = OTHER; pos += 1; break; // FROZENSET
        case 0x8a: { // LONG1
          if (left < 2) { need = 2; break loop; }
          const n = buf[pos + 1]!;
          if (left < 2 + n) { need = 2 + n; break loop; }
          const v = n === 0 ? 0 : n <= 6 ? buf.readIntLE(pos + 2, n) : OTHER; // past 6 bytes no value is needed
          if (typeof v === 'number' && (v | 0) === v) {
            tags[sp] = T_INT;
            vals[sp++] = v;
          } else {
            tags[sp] = T_SYM;
            objs[sp++] = v;
          }
          pos += 2 + n;
          break;
        }
        case 0x42: case 0x43: case 0x8e: case 0x96: case 0x54: // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8, BINSTRING
        case 0x58: case 0x8d: { // BINUNICODE, BINUNICODE8
          const w = op === 0x43 ? 1 : op === 0x8e || op === 0x96 || op === 0x8d ? 8 : 4;
          if (left < 1 + w) { need = 1 + w; break loop; }
          let n: number;
          if (w === 1) n = buf[pos + 1]!;
          else if (w === 4) n = op === 0x54 ? buf.readInt32LE(pos + 1) : buf.readUInt32LE(pos + 1);
          else {
            const big = buf.readBigUInt64LE(pos + 1);
            if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleFault('payload length out of range', base + pos);
            n = Number(big);
          }
          if (n < 0) throw new PickleFault('BINSTRING with a negative byte count', base + pos);
          const isText = op === 0x58 || op === 0x8d || op === 0x54;
          const dataAt = pos + 1 + w;
          if (isText && n <= MAX_DECODED) {
            if (end - dataAt < n) { need = 1 + w + n; break loop; }
            // BINSTRING is decoded with the Unpickler's encoding (ASCII by default, latin-1 for numpy).
            tags[sp] = op === 0x54 ? T_WSTR_L1 : T_WSTR;
            vals[sp] = dataAt;
            lens[sp] = n;
            if (sp < st.winLow) st.winLow = sp;
            sp++;
            pos = dataAt + n;
            break;
          }
          tags[sp] = T_SYM;
          objs[sp++] = isText ? LONG_STR : BYTES;
          pos = dataAt;
          if (end - dataAt >= n) { pos += n; break; }
          skip = n;
          exit = EXIT_SKIP;
          break loop;
        }
        default:
          exit = EXIT_OTHER;
          count--;
          break loop;
      }
    }
  } finally {
    st.sp = sp;
    if (need > 0) count--; // counted, not run
    m.opcodes += count;
    m.need = need;
    m.skip = skip;
    m.exit = exit;
  }
  return pos;
}
