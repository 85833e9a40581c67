/**
 * The streaming output guard: SSE answers pass through a scanner that holds back only a bounded
 * window of text per output stream (each text field of a choice, each tool call's arguments, each
 * Responses output part, summary and tool input), so a value split across chunks is caught and rewritten before the client
 * sees any part of it, while everything older than the window flows on at the upstream's cadence.
 *
 * How a stream of text moves: deltas are appended to `pending`. Once more than `holdBack`
 * characters are pending, the oldest ones are released: the profile scans the last `context`
 * characters already sent plus everything pending (so detectors see both sides of a value and the
 * words around it), findings that touch the released part get their action (a span action rewrites
 * them; a finding that runs on into the held part is rewritten whole and released with it), and a
 * block anywhere in the window ends the stream. A value no longer than the window can therefore
 * never be partly released: by the time its first character would leave, all of it is in view.
 * At the end of a stream (finish_reason, `.done` events) everything pending is scanned and released.
 *
 * A block ends the stream with well-formed events: chat choices finish with `content_filter`, then
 * the guard throws the coded error, which the relay sends as an error event before `[DONE]` (the
 * official clients raise it).
 *
 * This file holds the text stream; stream-guard-chat.ts and stream-guard-responses.ts read the
 * two protocols' events.
 */
import { RampartError } from '../core/errors.ts';
import type { AppliedFinding, Verdict } from '../guard/engine.ts';
import { isSpanAction, type Vault } from '../guard/rewrite.ts';
import type { SseOut } from './providers/provider.ts';

export interface StreamGuardOptions {
  /** Characters held back per stream (the largest value guaranteed to be caught whole). */
  readonly holdBack: number;
  /** Characters already sent that are scanned again as context for the next release. */
  readonly context: number;
  /** Scans one window of output text; `path` names the stream (for audit). Span offsets are window offsets. */
  scan(text: string, path: string): Promise<Verdict>;
  /** Applies span actions of `findings` (offsets in `text`) and returns the rewritten text. */
  rewrite(text: string, path: string, findings: readonly AppliedFinding[]): string;
  /** Every verdict of a release (only findings that touched released text), for detections and notes. */
  report(verdict: Verdict): void;
  /** Builds the coded error that ends a blocked stream. */
  blockError(verdict: Verdict): RampartError;
  /** Pseudonyms to put back in released text; null when there are none. */
  readonly vault: Vault | null;
  /**
   * Tool-call control: when set, tool calls are held whole until their choice finishes, their
   * arguments scanned, then the gate says which to keep (indexes into `calls`) or throws to block.
   */
  readonly toolGate?: ((calls: readonly GateCall[], segment: (i: number) => string) => Promise<number[]>) | undefined;
  /** Empty the answer's log probabilities: they spell out the text token by token, unscanned. */
  readonly dropLogprobs: boolean;
}

/** A tool call as the tool gate sees it (a custom tool's input stands for its arguments). */
export interface GateCall {
  id?: string;
  name: string;
  arguments: string;
}


/** One text stream of an answer: what is held back, and the tail already sent. */
export class TextStream {
  readonly path: string;
  pending = '';
  /** The last `context` characters released (before pseudonyms are restored). */
  tail = '';
  /** Everything the client has been sent for this stream (after restoring), for `.done` events. */
  visible = '';
  readonly #o: StreamGuardOptions;
  /** Characters released so far (before restoring): where the next window starts, minus the tail. */
  #released = 0;
  /** Findings already reported, by detector, category and position in the whole stream. */
  readonly #reported = new Set<string>();

  constructor(path: string, opts: StreamGuardOptions) {
    this.path = path;
    this.#o = opts;
  }

  /** Adds a delta and returns what may be sent now ('' while the window fills). Throws the block error. */
  async push(delta: string): Promise<string> {
    this.pending += delta;
    if (this.pending.length <= this.#o.holdBack) return '';
    return this.#release(false);
  }

  /** Releases everything still held (end of this stream). */
  async flush(): Promise<string> {
    if (this.pending.length === 0) return '';
    return this.#release(true);
  }

  async #release(final: boolean): Promise<string> {
    const o = this.#o;
    const c = this.tail.length;
    const window = this.tail + this.pending;
    const verdict = await o.scan(window, this.path);
    if (verdict.blocked) {
      o.report(verdict);
      this.pending = '';
      throw o.blockError(verdict);
    }
    let boundary = final ? this.pending.length : this.pending.length - o.holdBack;
    // A placeholder the vault will restore must not be cut in two by the boundary.
    if (!final && o.vault && o.vault.size > 0) boundary = placeholderSafe(this.pending, boundary, o.vault.longest);
    const touching = (f: AppliedFinding) => f.end > c && f.start < c + boundary;
    // A rewritten value that runs on into the held part goes out whole, already rewritten; that
    // can bring in a value overlapping it, so extend until nothing more runs on.
    let acted = verdict.findings.filter(touching);
    for (let extended = true; extended; ) {
      extended = false;
      for (const f of acted) {
        if (isSpanAction(f.action) && f.end - c > boundary) {
          boundary = f.end - c;
          extended = true;
        }
      }
      if (extended) acted = verdict.findings.filter(touching);
    }
    const spans = acted.filter((f) => isSpanAction(f.action)).map((f) => (f.start < c ? { ...f, start: c } : f));
    const rest = this.pending.slice(boundary);
    let out: string;
    if (spans.length > 0) {
      const rewritten = o.rewrite(window.slice(0, c + boundary), this.path, spans);
      out = rewritten.slice(c);
    } else {
      out = this.pending.slice(0, boundary);
    }
    this.pending = rest;
    // slice(-0) would keep everything: no context is an empty tail, not the whole answer.
    this.tail = o.context > 0 ? (this.tail + out).slice(-o.context) : '';
    // A finding that stays in the context is seen again by the next window: report it once.
    const origin = this.#released - c;
    const fresh = acted.filter((f) => {
      const key = `${f.detector}\u0000${f.category}\u0000${origin + f.start}`;
      if (this.#reported.has(key)) return false;
      this.#reported.add(key);
      return true;
    });
    this.#released += out.length;
    if (fresh.length > 0) o.report({ ...verdict, findings: fresh });
    const sent = o.vault && o.vault.size > 0 ? o.vault.restore(out) : out;
    this.visible += sent;
    return sent;
  }
}

/** Moves `boundary` back before a `<` that may open a placeholder still being completed. */
function placeholderSafe(text: string, boundary: number, longest: number): number {
  const open = text.lastIndexOf('<', boundary - 1);
  if (open < 0 || boundary - open >= longest) return boundary;
  const close = text.indexOf('>', open);
  return close >= 0 && close < boundary ? boundary : open;
}

/**
 * Yields `events`; when iterating them fails (the upstream broke off), first yields what `onFailure`
 * releases, then rethrows. A guard block raised while releasing wins over the upstream's error.
 */
export async function* releasingOnFailure(events: AsyncIterable<SseOut>, onFailure: () => AsyncGenerator<SseOut>): AsyncGenerator<SseOut> {
  const it = events[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<SseOut>;
    try {
      next = await it.next();
    } catch (e) {
      for await (const ev of onFailure()) {
        RELEASED.add(ev);
        yield ev;
      }
      throw e;
    }
    if (next.done) return;
    yield next.value;
  }
}

/** Events the guard made itself from text it already scanned: passed on as they are. */
export const RELEASED = new WeakSet<SseOut>();

/** Scans `text` whole, as a stream that ends at once, and returns what the client may see of it. */
export async function scanWhole(path: string, text: string, opts: StreamGuardOptions): Promise<TextStream> {
  const s = new TextStream(path, opts);
  s.pending = text;
  await s.flush();
  return s;
}
