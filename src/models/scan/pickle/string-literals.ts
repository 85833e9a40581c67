/**
 * The text arguments of protocol-0 opcodes, decoded the way CPython's Unpickler does, so that
 * `S'\x6fs'` is seen as 'os' (an obfuscation that must not hide a module name).
 */

const SIMPLE: Readonly<Record<string, string>> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * STRING: the argument must be quoted with matching quotes (load_string), then
 * `codecs.escape_decode` applies; the bytes are read as latin-1. Null when it is not quoted.
 */
export function decodeStringOpArg(raw: string): string | null {
  if (raw.length < 2) return null;
  const q = raw[0];
  if ((q !== "'" && q !== '"') || raw[raw.length - 1] !== q) return null;
  const s = raw.slice(1, -1);
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    const simple = SIMPLE[n];
    if (simple !== undefined) {
      out += simple;
    } else if (n === 'x') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null; // ValueError: invalid \x escape
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2;
    } else if (n >= '0' && n <= '7') {
      let oct = n;
      while (oct.length < 3 && i + 1 < s.length && s[i + 1]! >= '0' && s[i + 1]! <= '7') oct += s[++i]!;
      out += String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
    } else {
      out += `\\${n}`;
    }
  }
  return out;
}

/** UNICODE: 'raw-unicode-escape', where only \uXXXX and \UXXXXXXXX are escapes. */
export function decodeRawUnicodeEscape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u: string | undefined, U: string | undefined) => {
    const cp = Number.parseInt((u ?? U)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

/** INT / LONG / FLOAT / PUT / GET text arguments: what Python's int() and float() accept, loosely. */
export function isNumericLiteral(s: string, allowFloat: boolean): boolean {
  const t = s.trim();
  if (/^[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)L?$/.test(t)) return true;
  return allowFloat && /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan|infinity)$/i.test(t);
}

/**
 * The text of a str held as bytes (UTF-8, or latin-1 for BINSTRING), as CPython decodes it
 * (invalid UTF-8 becomes U+FFFD, as `toString` does). Short ASCII strings, most of what pickles
 * hold, are built in one step: a call into the Buffer decoder costs several times more.
 */
export function decodeText(bytes: Buffer, start: number, n: number, latin1: boolean): string {
  const b = bytes;
  const s = start;
  if (n > 8) return b.toString(latin1 ? 'latin1' : 'utf8', s, s + n);
  if (!latin1) for (let k = s; k < s + n; k++) if (b[k]! > 0x7f) return b.toString('utf8', s, s + n);
  switch (n) {
    case 0: return '';
    case 1: return String.fromCharCode(b[s]!);
    case 2: return String.fromCharCode(b[s]!, b[s + 1]!);
    case 3: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    default: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
  }
}
