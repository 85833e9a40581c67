/**
 * The async side of the pickle disassembler: feeds the machine from a ByteReader, skips payloads
 * without copying them, and turns stream-level problems (truncation, malformed opcodes, data after
 * the last STOP) into findings. Also the content sniff for pickles.
 */
import type { ByteReader } from '../byte-reader.ts';
import type { FindingInput, ScanContext, SniffInfo } from '../scanner.ts';
import { PickleMachine, ST_DONE, ST_ERROR, ST_NEED, ST_RAW, ST_SKIP, ST_SKIPLINE } from './machine.ts';
import { PickleFindings } from './observer.ts';
import type { Sym } from './symbolic.ts';

type Outcome = 'done' | 'eof' | 'error';

async function drive(reader: ByteReader, m: PickleMachine, signal: AbortSignal | undefined): Promise<Outcome> {
  for (;;) {
    const st = m.run(reader.buf, reader.pos, reader.end, reader.base);
    reader.pos = m.pos;
    switch (st) {
      case ST_DONE:
        return 'done';
      case ST_ERROR:
        return 'error';
      case ST_NEED:
        signal?.throwIfAborted();
        if (!(await reader.fill(m.need))) return 'eof';
        break;
      case ST_SKIP:
        if (!(await reader.skip(m.skip))) return 'eof';
        break;
      case ST_SKIPLINE:
        if (!(await reader.skipPast(10))) return 'eof';
        break;
      case ST_RAW: {
        const layout = m.raw!;
        if (layout.padded) {
          const b = await reader.read(1);
          if (b === null || !(await reader.skip(b[0]!))) return 'eof';
        }
        if (!(await reader.skip(layout.bytes))) return 'eof';
        break;
      }
      default:
        throw new Error(`pickle machine returned status ${st}`);
    }
  }
}

export interface OnePickle {
  readonly outcome: Outcome;
  /** The value STOP returned (symbolic). */
  readonly value: Sym;
  readonly start: number;
  readonly protocol: number;
}

/** A pickle reader bound to one file: findings accumulate across the pickles it reads. */
export class PickleStream {
  readonly #reader: ByteReader;
  readonly #ctx: ScanContext;
  readonly #findings: PickleFindings;
  readonly #machine: PickleMachine;

  constructor(reader: ByteReader, ctx: ScanContext, torch: boolean) {
    this.#reader = reader;
    this.#ctx = ctx;
    this.#findings = new PickleFindings(torch);
    this.#machine = new PickleMachine(this.#findings);
  }

  /** Reads one pickle from the current position, up to and including its STOP. */
  async next(): Promise<OnePickle> {
    const m = this.#machine;
    m.reset(this.#reader.offset);
    const start = this.#reader.offset;
    const outcome = await drive(this.#reader, m, this.#ctx.signal);
    return { outcome, value: m.result, start, protocol: m.proto };
  }

  /** Reports a failed read as an error finding. */
  reportFailure(p: OnePickle, what = 'pickle'): void {
    const m = this.#machine;
    if (p.outcome === 'eof') {
      this.#ctx.report({
        severity: 'error',
        rule: 'pickle.truncated',
        offset: this.#reader.offset,
        message: `The ${what} that starts at offset ${p.start} ends at offset ${this.#reader.offset} before its STOP opcode: truncated or not a pickle, so it cannot be verified.`,
      });
    } else if (p.outcome === 'error') {
      this.#ctx.report({
        severity: 'error',
        rule: 'pickle.malformed',
        offset: m.errorOffset,
        message: `The ${what} that starts at offset ${p.start} is malformed at offset ${m.errorOffset}: ${m.error}. A loader would reject it; it cannot be verified.`,
      });
    }
  }

  flush(): void {
    this.#findings.flush((f: FindingInput) => this.#ctx.report(f));
  }

  get opcodes(): number {
    return this.#machine.opcodes;
  }
}

/**
 * Scans a whole file of pickles: the first must parse to its STOP; what follows is read as further
 * concatenated pickles (as `pickle.load` called in a loop would) until the end. Trailing bytes
 * that are not a pickle are reported, since a loader that reads on could meet them.
 */
export async function scanPickleFile(reader: ByteReader, ctx: ScanContext, torch: boolean): Promise<void> {
  const stream = new PickleStream(reader, ctx, torch);
  let count = 0;
  for (;;) {
    const first = await reader.peek(1);
    if (first.length === 0) break;
    const startsWithProto = first[0] === 0x80;
    const p = await stream.next();
    if (p.outcome === 'done') {
      count++;
      continue;
    }
    // A second pickle that starts with PROTO and breaks is a truncated pickle; other bytes after
    // a complete pickle are trailing data.
    if (count === 0 || startsWithProto) stream.reportFailure(p);
    else {
      ctx.report({
        severity: 'suspicious',
        rule: 'pickle.trailing-data',
        offset: p.start,
        message: `Bytes from offset ${p.start} follow the last complete pickle (${count}) and are not a pickle: pickle.load ignores them, but a loader that reads on, or another tool, may not.`,
      });
    }
    break;
  }
  stream.flush();
}

/**
 * Whether the bytes, from their first, run as pickle opcodes without an error (to STOP, or to the
 * end of the bytes given). For files another format claimed: `pickle.load` reads from byte 0
 * whatever the file is meant to be.
 */
export function mayBePickle(head: Buffer): boolean {
  if (head.length === 0) return false;
  return new PickleMachine(NULL_OBSERVER, true).run(head, 0, head.length, 0) !== ST_ERROR;
}

/** Content sniff: the head disassembles without error (strictly: names must be identifiers). */
export function sniffPickle(head: Buffer, info: SniffInfo): boolean {
  if (head.length === 0) return false;
  // PROTO 2-5 is a strong magic: a damaged pickle is still a pickle, and reported as malformed.
  if (head[0] === 0x80 && head.length >= 2 && head[1]! >= 2 && head[1]! <= 5) return true;
  const m = new PickleMachine(NULL_OBSERVER, true);
  const st = m.run(head, 0, head.length, 0);
  if (st === ST_DONE) return true;
  if (st === ST_ERROR) return false;
  // The head ran out before STOP: text-like protocol 0 needs more evidence.
  return !info.complete && m.opcodes >= 3;
}

const NULL_OBSERVER = {
  global() {},
  call() {},
  build() {},
  computedGlobal() {},
  extension() {},
  persistentId() {},
  outOfBand() {},
};
