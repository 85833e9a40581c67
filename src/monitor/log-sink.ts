/**
 * Where log lines go: lines are gathered and written to a file descriptor 16 KiB at a time (or
 * when `flush` is called, or at exit), so that a busy gateway makes one write system call per fifty
 * or so access lines. (On this project's virtual machines a write system call costs 5–50 µs
 * depending on the host's load; 4 KiB writes cost the request thread up to 4 µs per request.)
 *
 * Written here rather than taken from sonic-boom (pino's own destination), because sonic-boom's
 * text mode measures the UTF-8 length of everything it holds on every line it is given and copies
 * its buffer again when a write completes: 3.5–6 µs of the request thread per access line, against
 * about 0.6 µs here (docs/benchmarks.md, session 16). Writes are synchronous, as in pino's default
 * destination: a write to a file or a pipe with room takes a few µs, and there is then no write in
 * flight on another thread whose progress an exit would lose (an asynchronous variant was measured
 * and left out: an exit while its write was on the thread pool cut a line). As with pino's default,
 * a reader that stops reading a blocking pipe holds the process up. What matters of sonic-boom's
 * handling is kept: a partial write is continued, a non-blocking pipe that is full (EAGAIN) is
 * tried again after a pause while new lines wait behind it, lines keep their order, and a failed
 * write is reported on stderr instead of crashing the process. Unlike sonic-boom as pino sets it
 * up, what waits is bounded: while a destination takes nothing, lines past `maxPendingChars` are
 * dropped and counted, and stderr says so when it starts and how many once writing resumes.
 *
 * @example
 *   const sink = new LogSink(1);            // standard output
 *   const logger = pino({}, sink);
 *   logger.info('hello');                   // written at the next `flush`, or with 16 KiB of lines
 */
import { writeSync } from 'node:fs';

/** Characters of waiting lines that start a write without waiting for `flush`. */
const MIN_WRITE_CHARS = 16_384;
/** Pause before a write that met a full pipe is tried again. */
const BUSY_RETRY_MS = 10;
/** Characters of waiting lines past which new lines are dropped (a destination that stopped). */
const MAX_PENDING_CHARS = 64 * 1024 * 1024;
/** How long `flushSync` keeps trying a full pipe before it gives up. */
const SYNC_RETRY_LIMIT_MS = 1000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function busy(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EAGAIN' || code === 'EBUSY';
}

export class LogSink {
  readonly #fd: number;
  #lines: string[] = [];
  #chars = 0;
  /** The bytes being written: taken from the lines, and what of them is written. */
  #current: { buf: Buffer; offset: number } | null = null;
  /** Set while a full pipe is given time before the next try. */
  #retry: NodeJS.Timeout | null = null;
  #waiters: (() => void)[] = [];
  #lastError: string | undefined;
  readonly #maxPending: number;
  /** Lines dropped since the destination last took a write. */
  #dropped = 0;

  constructor(fd: number, opts: { maxPendingChars?: number } = {}) {
    this.#fd = fd;
    this.#maxPending = opts.maxPendingChars ?? MAX_PENDING_CHARS;
  }

  /** Takes one line (pino gives whole lines, newline included); false when it had to drop it. */
  write(line: string): boolean {
    if (this.#chars + line.length > this.#maxPending) {
      if (this.#dropped++ === 0) this.#say('the log destination is not taking lines; dropping new ones until it does');
      return false;
    }
    this.#lines.push(line);
    this.#chars += line.length;
    if (this.#retry === null && this.#chars >= MIN_WRITE_CHARS) this.#pump();
    return true;
  }

  /** Writes what is waiting; `done` is called once it is all written (or failed). */
  flush(done?: () => void): void {
    if (done) this.#waiters.push(done);
    if (this.#retry === null) this.#pump();
  }

  /** Writes what is waiting before returning, waiting up to a second for a full pipe (at exit). */
  flushSync(): void {
    if (this.#retry !== null) {
      clearTimeout(this.#retry);
      this.#retry = null;
    }
    const deadline = Date.now() + SYNC_RETRY_LIMIT_MS;
    this.#drain(() => {
      if (Date.now() > deadline) this.#fail(new Error('the destination stayed full'));
      else Atomics.wait(sleeper, 0, 0, BUSY_RETRY_MS);
      return true;
    });
  }

  /** Writes until nothing waits or the destination is full; then tries again after a pause. */
  #pump(): void {
    this.#drain(() => {
      this.#retry = setTimeout(() => {
        this.#retry = null;
        this.#pump();
      }, BUSY_RETRY_MS);
      return false;
    });
  }

  /**
   * Writes until nothing is left (then calls the waiters) or until `whenFull`, called each time
   * the destination is full, says not to go on (false).
   */
  #drain(whenFull: () => boolean): void {
    for (let step = this.#step(); step !== 'done'; step = this.#step()) {
      if (step === 'full' && !whenFull()) return;
    }
    this.#settle();
  }

  /** One write system call: 'done' when nothing is left to write, 'full' when the destination is. */
  #step(): 'done' | 'more' | 'full' {
    if (this.#current === null) {
      if (this.#chars === 0) return 'done';
      const text = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join('');
      this.#lines = [];
      this.#chars = 0;
      this.#current = { buf: Buffer.from(text, 'utf8'), offset: 0 };
    }
    const c = this.#current;
    try {
      c.offset += writeSync(this.#fd, c.buf, c.offset, c.buf.length - c.offset);
      if (c.offset >= c.buf.length) this.#current = null;
      if (this.#dropped > 0) {
        this.#say(`${this.#dropped} log lines were dropped while the destination took nothing`);
        this.#dropped = 0;
      }
      return 'more';
    } catch (e) {
      if (busy(e)) return 'full';
      this.#fail(e);
      return 'more';
    }
  }

  /** A failed write loses its bytes: said once per kind of failure on stderr, which is all that is left. */
  #fail(e: unknown): void {
    const c = this.#current;
    this.#current = null;
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    if (code === this.#lastError) return;
    this.#lastError = code;
    this.#say(`could not write ${c ? c.buf.length - c.offset : 0} bytes of log lines (${code}); later failures of this kind are not reported`);
  }

  #say(text: string): void {
    try {
      writeSync(2, `rampart: ${text}\n`);
    } catch {
      // stderr is gone too: nothing is left to tell
    }
  }

  #settle(): void {
    if (this.#current !== null || this.#chars > 0 || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) process.nextTick(w);
  }
}
