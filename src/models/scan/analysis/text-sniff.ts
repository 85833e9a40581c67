/** Text detection for sniffing: valid UTF-8 (an optional BOM), no NUL, few control characters. */

export function looksLikeText(head: Buffer, complete: boolean): boolean {
  if (head.length === 0) return false;
  let b = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
  // A multi-byte character may be cut at the end of an incomplete head.
  if (!complete) {
    let cut = b.length;
    for (let k = 1; k <= 3 && cut - k >= 0; k++) {
      const x = b[cut - k]!;
      if ((x & 0xc0) === 0xc0) {
        cut -= k;
        break;
      }
      if ((x & 0x80) === 0) break;
    }
    b = b.subarray(0, cut);
  }
  let control = 0;
  for (const x of b) {
    if (x === 0) return false;
    if (x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c) control++;
  }
  if (control > b.length / 100) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** The head as text without BOM and leading whitespace. */
export function headText(head: Buffer): string {
  const b = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
  return b.toString('utf8').trimStart();
}
