/**
 * One captured output stream: the first `cap` bytes are kept, the rest only counted, so a flood
 * costs no memory. Past `killAt` bytes the flood is stopped (the execution is killed, killedBy
 * 'output'): a program that writes a little more than the cap finishes normally with its output
 * cut; one that writes without end does not get to burn its whole time limit doing it.
 */

/** Kill threshold: this many times the cap (at least 1 MiB past it). */
export const OUTPUT_KILL_FACTOR = 8;
const MIN_KILL_SLACK = 1024 * 1024;

export function outputKillThreshold(cap: number): number {
  return Math.max(cap * OUTPUT_KILL_FACTOR, cap + MIN_KILL_SLACK);
}

export class CappedOutput {
  readonly #cap: number;
  readonly #killAt: number;
  readonly #onFlood: () => void;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;
  #flooded = false;

  constructor(cap: number, onFlood: () => void) {
    this.#cap = cap;
    this.#killAt = outputKillThreshold(cap);
    this.#onFlood = onFlood;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    if (this.#kept < this.#cap) {
      const take = Math.min(chunk.length, this.#cap - this.#kept);
      // Copy what is kept: a subarray would pin the whole (up to 64 KiB) read buffer.
      this.#chunks.push(Buffer.from(chunk.subarray(0, take)));
      this.#kept += take;
    }
    if (!this.#flooded && this.#total > this.#killAt) {
      this.#flooded = true;
      this.#onFlood();
    }
  }

  /** Bytes the program wrote, including what was cut. */
  get bytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#kept;
  }

  /** The kept bytes as UTF-8 (invalid sequences become U+FFFD; a character cut by the cap is dropped). */
  text(): string {
    let buf = Buffer.concat(this.#chunks, this.#kept);
    if (this.truncated) buf = buf.subarray(0, completeUtf8Length(buf));
    return new TextDecoder('utf-8', { fatal: false }).decode(buf);
  }
}

/**
 * The length of `buf` without a trailing, incomplete UTF-8 sequence (one the cut split), so the
 * decoded text does not end in a replacement character the program never wrote.
 */
export function completeUtf8Length(buf: Uint8Array): number {
  const n = buf.length;
  // A sequence is at most 4 bytes: look back over at most 3 continuation bytes to its lead byte.
  for (let i = n - 1, back = 0; i >= 0 && back < 4; i--, back++) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf8 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back + 1 < need ? i : n;
  }
  return n;
}
