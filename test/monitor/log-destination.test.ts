/**
 * The log destination buffers lines (one write per few KiB under load) but loses none: a quiet
 * process's lines appear within the flush interval, and what is buffered at exit is written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, logDestination } from '../../src/monitor/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; n?: number });

describe('log destination', () => {
  it('writes a quiet process’s lines within the flush interval', async () => {
    const file = join(dir, 'quiet.log');
    const logger = createLogger('info', logDestination(file));
    for (let n = 0; n < 3; n++) logger.info({ n }, 'line');
    // Nothing forces a write (4 KiB are not reached): the flush timer must. Polled, so a loaded
    // machine's late timers do not decide.
    const count = () => (existsSync(file) ? lines(file).length : 0);
    for (let i = 0; i < 100 && count() < 3; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(lines(file).map((l) => l.n), [0, 1, 2]);
  });

  it('writes what is buffered when the process exits', () => {
    const file = join(dir, 'exit.log');
    const script = `
      const { createLogger, logDestination } = await import(${JSON.stringify(new URL('../../src/monitor/logger.ts', import.meta.url).href)});
      const logger = createLogger('info', logDestination(${JSON.stringify(file)}));
      // No turn of the event loop before exiting: the file must be open and the buffer written.
      for (let n = 0; n < 500; n++) logger.info({ n }, 'line');
      process.exit(0);`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    const got = lines(file);
    assert.equal(got.length, 500);
    assert.deepEqual(got.at(-1)!.n, 499);
  });
});
