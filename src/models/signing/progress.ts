/**
 * A small progress line for hashing, for terminals only: `\r` + bytes done / total, percent and
 * rate, redrawn at most every `intervalMs`. Writes nothing when the stream is not a TTY, so logs
 * and pipes stay clean. Pure apart from the stream it is given (no console, no globals).
 */
import type { HashProgress } from './types.ts';

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressReporter {
  /** Pass as `onProgress`. */
  readonly onProgress: (p: HashProgress) => void;
  /** Draws the final state and ends the line (only if something was drawn). */
  finish(): void;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u]}`;
}

export function formatHashProgress(p: HashProgress, elapsedMs: number, label = 'hashing'): string {
  const pct = p.totalBytes > 0 ? Math.floor((100 * p.bytesHashed) / p.totalBytes) : 100;
  const rate = elapsedMs > 0 ? (p.bytesHashed * 1000) / elapsedMs : 0;
  return `${label} ${formatBytes(p.bytesHashed)} / ${formatBytes(p.totalBytes)} (${pct}%) ${formatBytes(rate)}/s, ${p.filesHashed}/${p.totalFiles} files`;
}

export function createProgressReporter(
  stream: ProgressStream,
  opts: { label?: string; intervalMs?: number; now?: () => number } = {},
): ProgressReporter {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 200;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let latest: HashProgress | undefined;
  let drawn = false;
  const draw = () => {
    if (!latest || !stream.isTTY) return;
    let line = formatHashProgress(latest, now() - started, opts.label);
    const width = stream.columns && stream.columns > 10 ? stream.columns - 1 : undefined;
    if (width !== undefined && line.length > width) line = line.slice(0, width);
    stream.write(`\r${line}\x1b[K`);
    drawn = true;
  };
  return {
    onProgress(p) {
      latest = p;
      const t = now();
      if (t - lastDraw < interval) return;
      lastDraw = t;
      draw();
    },
    finish() {
      draw();
      if (drawn) stream.write('\n');
    },
  };
}
