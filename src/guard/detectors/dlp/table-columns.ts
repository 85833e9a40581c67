/**
 * Delimited text (CSV, TSV, `;`-separated exports, pipe tables): the header a cell sits under. In
 * a table the word that says what a value is ("ssn", "dob", "full_name") heads its column, often
 * many rows above, where a context window around the value never reaches. A block is a run of
 * non-empty lines with the same delimiter, appearing the same number of times; its first line is
 * the header. Quoted cells (RFC 4180 §2) may hold the delimiter.
 *
 * Only the lines asked about are read: a value's own line, then the lines above it while they
 * continue its block. What is learned about a line is kept for the text last seen (as text-stats
 * does), so reading every row of a large export stays linear and a prompt with no table costs a
 * line or two.
 */

const DELIMITER_CODES = [44, 59, 9, 124]; // , ; \t |
const QUOTE = 34;
/** Texts above this size are not kept alive by the memo. */
const MEMO_LIMIT = 1 << 24;

interface Row {
  /** End of the line's content (before any "\r\n"). */
  readonly end: number;
  /** Index in DELIMITER_CODES of the line's delimiter, -1 when it has none. */
  readonly delimiter: number;
  /** How many times the delimiter appears (outside quotes). */
  readonly count: number;
  /** Start of the first line of its block (its own start when it heads one). */
  readonly top: number;
}

/** What is known of the text last seen: its rows by start offset, and (once asked for) its line breaks. */
let memoText: string | undefined;
let memo = new Map<number, Row>();
let breaks: Int32Array | undefined;

function remember(text: string): void {
  if (text === memoText) return;
  memo = new Map();
  breaks = undefined;
  memoText = text.length <= MEMO_LIMIT ? text : undefined;
}

/** The line starting at `start`: its end, most frequent delimiter outside quotes (ties to the earlier one) and count. */
function measure(text: string, start: number): Omit<Row, 'top'> {
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let pipe = 0;
  let quoted = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) comma++;
    else if (c === 59) semicolon++;
    else if (c === 9) tab++;
    else if (c === 124) pipe++;
  }
  const counts = [comma, semicolon, tab, pipe];
  let delimiter = -1;
  for (let k = 0; k < counts.length; k++) if (counts[k]! > 0 && (delimiter === -1 || counts[k]! > counts[delimiter]!)) delimiter = k;
  return { end, delimiter, count: delimiter === -1 ? 0 : counts[delimiter]! };
}

/** Start of the line before the one starting at `start` (which must be > 0). */
function previousLineStart(text: string, start: number): number {
  // lastIndexOf clamps a negative position to 0, where it would find the '\n' ending that line.
  return start < 2 ? 0 : text.lastIndexOf('\n', start - 2) + 1;
}

/** Start of the line holding offset `at`. */
/**
 * Offsets of the text's line breaks, found once per text: a detector asks about every candidate,
 * and scanning back to the line start (or for any line break at all) each time made a long line
 * with many candidates quadratic (90 000 ids on one 1 MB line: 1.2 s).
 */
function lineBreaks(text: string): Int32Array {
  remember(text);
  if (breaks && text === memoText) return breaks;
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  const out = new Int32Array(n);
  for (let i = text.indexOf('\n'), k = 0; i !== -1; i = text.indexOf('\n', i + 1)) out[k++] = i;
  breaks = out;
  return out;
}

function lineStart(text: string, at: number): number {
  const b = lineBreaks(text);
  // The last break before `at`, by binary search.
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : b[lo - 1]! + 1;
}

/** The line starting at `start`, with its block's top, walking up only through lines not seen yet. */
function rowAt(text: string, start: number): Row {
  remember(text);
  const known = memo.get(start);
  if (known) return known;
  const chain: [number, Omit<Row, 'top'>][] = [];
  let s = start;
  let line = measure(text, s);
  let top: number;
  for (;;) {
    chain.push([s, line]);
    if (line.delimiter === -1 || s === 0) {
      top = s;
      break;
    }
    const p = previousLineStart(text, s);
    const seen = memo.get(p);
    const above = seen ?? measure(text, p);
    if (above.end === p || above.delimiter !== line.delimiter || above.count !== line.count) {
      top = s;
      break;
    }
    if (seen) {
      top = seen.top;
      break;
    }
    s = p;
    line = above;
  }
  let row: Row | undefined;
  for (const [at, l] of chain) {
    const r: Row = { end: l.end, delimiter: l.delimiter, count: l.count, top };
    memo.set(at, r);
    row ??= r;
  }
  return row!;
}

/** Cell boundaries of text[start, end) split on the delimiter, outside double quotes. */
function split(text: string, start: number, end: number, delimiter: number): [number, number][] {
  const cells: [number, number][] = [];
  let from = start;
  let quoted = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (c === delimiter && !quoted) {
      cells.push([from, i]);
      from = i + 1;
    }
  }
  cells.push([from, end]);
  return cells;
}

/** The cell [start, end) without surrounding blanks and double quotes. */
function trimCell(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && (text[s] === ' ' || text[s] === '\t')) s++;
  while (e > s && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
  if (e - s >= 2 && text[s] === '"' && text[e - 1] === '"') return [s + 1, e - 1];
  return [s, e];
}

/**
 * The header of the column holding offset `at`, when `at` is in a data row (not the header row)
 * of a delimited block; undefined otherwise.
 * @example
 *   columnHeader('name,ssn\nAda,536-22-8741', 13); // 'ssn'
 */
export function columnHeader(text: string, at: number): string | undefined {
  // A table has at least a header line and a row.
  if (lineBreaks(text).length === 0) return undefined;
  const start = lineStart(text, at);
  const row = rowAt(text, start);
  if (row.delimiter === -1 || row.top === start) return undefined;
  const code = DELIMITER_CODES[row.delimiter]!;
  const column = split(text, start, Math.min(at, row.end), code).length - 1;
  const header = split(text, row.top, rowAt(text, row.top).end, code)[column];
  if (!header) return undefined;
  const [s, e] = trimCell(text, header[0], header[1]);
  return text.slice(s, e);
}

/**
 * The data cells, trimmed and unquoted, of every column whose header `wanted` accepts. Only
 * header lines where the global regex `hint` matches are read, so that a text without such a
 * header costs one regex scan. The hint may start with a line break or delimiter: it is also
 * tried on the first line as if a line break preceded it.
 * @example
 *   cellsUnder('name,age\nAda Lovelace,36', (h) => h === 'name', /[\n,]name/g); // [{ start: 9, end: 21, header: 'name' }]
 */
export function cellsUnder(text: string, wanted: (header: string) => boolean, hint: RegExp): { start: number; end: number; header: string }[] {
  const out: { start: number; end: number; header: string }[] = [];
  if (lineBreaks(text).length === 0) return out;
  // Only the start of a very long first line is tried.
  const first = text.slice(0, Math.min(512, text.indexOf('\n')));
  hint.lastIndex = 0;
  const candidates = hint.test(`\n${first}`) ? [0] : [];
  hint.lastIndex = 0;
  for (const m of text.matchAll(hint)) candidates.push(lineStart(text, m.index));
  let lastHeader = -1;
  for (const start of candidates) {
    if (start === lastHeader) continue;
    lastHeader = start;
    const head = rowAt(text, start);
    if (head.delimiter === -1 || head.top !== start) continue;
    const code = DELIMITER_CODES[head.delimiter]!;
    const columns = split(text, start, head.end, code).map(([s, e]) => {
      const [hs, he] = trimCell(text, s, e);
      const header = text.slice(hs, he);
      return wanted(header) ? header : undefined;
    });
    if (!columns.some((c) => c !== undefined)) continue;
    for (let next = text.indexOf('\n', head.end); next !== -1; ) {
      const s = next + 1;
      const row = rowAt(text, s);
      if (row.top !== start) break;
      const cells = split(text, s, row.end, code);
      for (const [k, header] of columns.entries()) {
        const cell = cells[k];
        if (header === undefined || !cell) continue;
        const [cs, ce] = trimCell(text, cell[0], cell[1]);
        if (ce > cs) out.push({ start: cs, end: ce, header });
      }
      next = text.indexOf('\n', row.end);
    }
  }
  return out;
}
