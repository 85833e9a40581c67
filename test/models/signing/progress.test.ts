/** The TTY progress line: drawn only on a terminal, throttled, finished with a newline. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressReporter, formatBytes, formatHashProgress } from '../../../src/models/signing/progress.ts';

function stream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { isTTY, ...(columns ? { columns } : {}), write: (s: string) => chunks.push(s), chunks };
}

const GiB = 1024 ** 3;

describe('hash progress', () => {
  it('formats bytes, percent, rate and files', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    const line = formatHashProgress({ bytesHashed: GiB, totalBytes: 4 * GiB, filesHashed: 3, totalFiles: 10 }, 2000);
    assert.equal(line, 'hashing 1.0 GiB / 4.0 GiB (25%) 512.0 MiB/s, 3/10 files');
  });

  it('draws on a TTY at most once per interval and ends the line', () => {
    let t = 0;
    const out = stream(true);
    const r = createProgressReporter(out, { now: () => t, intervalMs: 100 });
    for (let i = 1; i <= 10; i++) {
      t = i * 30;
      r.onProgress({ bytesHashed: i, totalBytes: 10, filesHashed: i, totalFiles: 10 });
    }
    r.finish();
    assert.equal(out.chunks.at(-1), '\n');
    const draws = out.chunks.filter((c) => c.startsWith('\r'));
    assert.ok(draws.length >= 3 && draws.length <= 5, `${draws.length} draws`);
    assert.match(draws.at(-1)!, /10 B \/ 10 B \(100%\)/);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const out = stream(false);
    const r = createProgressReporter(out);
    r.onProgress({ bytesHashed: 1, totalBytes: 2, filesHashed: 0, totalFiles: 1 });
    r.finish();
    assert.deepEqual(out.chunks, []);
  });

  it('cuts the line to the terminal width', () => {
    const out = stream(true, 20);
    const r = createProgressReporter(out);
    r.onProgress({ bytesHashed: 1, totalBytes: 2, filesHashed: 0, totalFiles: 1 });
    assert.ok(out.chunks[0]!.length <= 1 + 19 + 3);
  });
});
