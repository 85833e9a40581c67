/**
 * The protocol-0 opcodes whose argument is a line of text (INT, LONG, FLOAT, STRING, UNICODE,
 * PERSID, PUT, GET): the value each pushes, or the memo index for PUT and GET, checked the way
 * CPython's Unpickler checks them (a malformed literal makes the pickle unloadable).
 */
import { LONG_STR, OTHER, type Sym } from './symbolic.ts';
import { decodeRawUnicodeEscape, decodeStringOpArg, isNumericLiteral } from './string-literals.ts';

/** Strings longer than this are not decoded (no module or name is that long). */
export const MAX_DECODED = 1024;

export class PickleFault {
  readonly message: string;
  readonly offset: number;
  constructor(message: string, offset: number) {
    this.message = message;
    this.offset = offset;
  }
}

/** The pushed value, or for PUT (0x70) and GET (0x67) the memo index. */
export function textOpValue(op: number, text: string, abs: number): Sym {
  switch (op) {
    case 0x49: // INT: '00' and '01' are False and True
      if (!isNumericLiteral(text, false)) throw new PickleFault('INT argument is not a number', abs);
      return text === '00' ? false : text === '01' ? true : Number.parseInt(text, 10);
    case 0x4c: // LONG
      if (!isNumericLiteral(text, false)) throw new PickleFault('LONG argument is not a number', abs);
      return Number.parseInt(text, 10);
    case 0x46: // FLOAT
      if (!isNumericLiteral(text, true)) throw new PickleFault('FLOAT argument is not a number', abs);
      return OTHER;
    case 0x53: { // STRING
      const s = decodeStringOpArg(text);
      if (s === null) throw new PickleFault('STRING argument must be quoted', abs);
      return s.length <= MAX_DECODED ? s : LONG_STR;
    }
    case 0x56: { // UNICODE
      const s = decodeRawUnicodeEscape(Buffer.from(text, 'latin1').toString('utf8'));
      return s.length <= MAX_DECODED ? s : LONG_STR;
    }
    case 0x50: // PERSID
      return OTHER;
    default: // PUT, GET
      if (!/^\d+$/.test(text)) throw new PickleFault('memo index is not a non-negative number', abs);
      return Number(text);
  }
}
