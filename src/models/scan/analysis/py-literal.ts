/**
 * A parser for the Python literals of `.npy` headers (numpy/lib/format.py writes them with repr
 * and reads them with ast.literal_eval): dicts, tuples, lists, strings, ints, True/False/None.
 * Bounded: nesting depth 16, no expressions.
 */
import type { PyLiteral } from './numpy-dtype.ts';

export function parsePyLiteral(text: string): PyLiteral | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (depth: number): PyLiteral | undefined => {
    if (depth > 16) return undefined;
    ws();
    const c = text[i];
    if (c === undefined) return undefined;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s.includes('\\') ? undefined : s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyLiteral[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return items;
        }
        const v = value(depth + 1);
        if (v === undefined) return undefined;
        items.push(v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) return undefined;
      }
    }
    if (c === '{') {
      i++;
      const out: Record<string, PyLiteral> = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return out;
        }
        const k = value(depth + 1);
        if (typeof k !== 'string') return undefined;
        ws();
        if (text[i] !== ':') return undefined;
        i++;
        const v = value(depth + 1);
        if (v === undefined || Object.hasOwn(out, k)) return undefined;
        out[k] = v;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') return undefined;
      }
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) return undefined;
    i += m[0].length;
    return m[0] === 'True' ? true : m[0] === 'False' ? false : m[0] === 'None' ? null : Number.parseInt(m[0], 10);
  };
  const v = value(0);
  ws();
  return i === text.length ? v : undefined;
}
