/**
 * The log destination buffers lines (one write per few KiB under load) but loses none: a quiet
 * process's lines appear within the flush interval, and what is buffered at exit is written.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, logDestination } from '../../src/monitor/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const LOGGER = JSON.stringify(new URL('../../src/monitor/logger.ts', import.meta.url).href);
const SINK = JSON.stringify(new URL('../../src/monitor/log-sink.ts', import.meta.url).href);

/** What a child script writes on stderr once all its lines are handed to the sink. */
const READY = 'all lines given';

/**
 * Runs `script` with its stdout a pipe that nobody reads until the script says READY on stderr (so
 * the pipe fills however slowly the child starts), then reads it all: the exit code, the `n` of
 * every JSON line written, and stderr.
 */
async function withLateReader(script: string): Promise<{ code: number; ns: number[]; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (stderr.includes(READY)) child.stdout.resume();
  });
  const [code] = (await once(child, 'close')) as [number];
  const ns = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);
  return { code, ns, stderr };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; n?: number });

describe('log destination', () => {
  it('writes a quiet process’s lines within the flush interval', async () => {
    const file = join(dir, 'quiet.log');
    const logger = createLogger('info', logDestination(file));
    for (let n = 0; n < 3; n++) logger.info({ n }, 'line');
    // Nothing forces a write (16 KiB are not reached): the flush timer must. Polled, so a loaded
    // machine's late timers do not decide.
    const count = () => (existsSync(file) ? lines(file).length : 0);
    for (let i = 0; i < 100 && count() < 3; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(lines(file).map((l) => l.n), [0, 1, 2]);
  });

  it('writes what is buffered when the process exits', () => {
    const file = join(dir, 'exit.log');
    const script = `
      const { createLogger, logDestination } = await import(${LOGGER});
      const logger = createLogger('info', logDestination(${JSON.stringify(file)}));
      // No turn of the event loop before exiting: the file must be open and the buffer written.
      for (let n = 0; n < 500; n++) logger.info({ n }, 'line');
      process.exit(0);`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    const got = lines(file);
    assert.equal(got.length, 500);
    assert.deepEqual(got.at(-1)!.n, 499);
  });

  // A pipe that libuv has made non-blocking (touching process.stdout does that) answers EAGAIN when
  // it is full and takes part of a write when it is partly full. The reader here starts only once
  // every line is given, so the pipe fills and writes pause: the lines must still all arrive, whole
  // and in order — written as the process runs, or at an exit that comes while a write is pausing.
  for (const when of ['while running', 'at an exit during a pause'] as const) {
    it(`writes every line through a full non-blocking pipe ${when}`, async () => {
      const script = `
        const { createLogger, logDestination } = await import(${LOGGER});
        const { writeSync } = await import('node:fs');
        void process.stdout.fd; // libuv opens the pipe: O_NONBLOCK
        const logger = createLogger('info', logDestination(1));
        const pad = 'x'.repeat(200);
        let n = 0;
        const more = () => {
          for (let i = 0; i < 500; i++, n++) logger.info({ n, pad }, 'line');
          if (n < 20000) return setImmediate(more);
          writeSync(2, ${JSON.stringify(READY)} + '\\n');
          if (${JSON.stringify(when)} === 'while running') logger.flush(() => process.exit(0));
          else process.exit(0);
        };
        more();`;
      const { code, ns: got, stderr } = await withLateReader(script);
      assert.equal(code, 0, stderr);
      assert.equal(got.length, 20000);
      assert.ok(got.every((n, i) => n === i), 'lines out of order');
    });
  }

  it('bounds what waits for a destination that takes nothing: drops, counts and says so', async () => {
    const script = `
      const { LogSink } = await import(${SINK});
      const { writeSync } = await import('node:fs');
      void process.stdout.fd; // O_NONBLOCK
      const sink = new LogSink(1, { maxPendingChars: 50000 });
      const pad = 'z'.repeat(200);
      let n = 0;
      const more = () => {
        for (let i = 0; i < 100; i++, n++) sink.write(JSON.stringify({ n, pad }) + '\\n');
        if (n < 2000) return setImmediate(more);
        writeSync(2, ${JSON.stringify(READY)} + '\\n');
        sink.flush(() => process.exit(0));
      };
      more();`;
    const { code, ns: got, stderr } = await withLateReader(script);
    assert.equal(code, 0, stderr);
    assert.ok(got.every((n, i) => i === 0 || n > got[i - 1]!), 'lines out of order');
    assert.equal(stderr.split('dropping new ones').length - 1, 1, stderr);
    const dropped = Number(/(\d+) log lines were dropped/.exec(stderr)?.[1]);
    assert.ok(dropped > 0, stderr);
    assert.equal(got.length + dropped, 2000, 'every line is either written or counted');
  });

  it('reports a failed write on stderr once and goes on', () => {
    const script = `
      const { openSync } = await import('node:fs');
      const { createLogger, logDestination } = await import(${LOGGER});
      const fd = openSync('/dev/null', 'r'); // read-only: every write fails with EBADF
      const logger = createLogger('info', logDestination(fd));
      for (let n = 0; n < 100; n++) logger.info({ n, pad: 'y'.repeat(100) }, 'line');
      logger.flush(() => {
        for (let n = 0; n < 100; n++) logger.info({ n }, 'again');
        logger.flush(() => process.stdout.write('still running'));
      });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'still running');
    const reports = r.stderr.split('\n').filter((l) => l.includes('could not write'));
    assert.equal(reports.length, 1, r.stderr);
    assert.match(reports[0]!, /EBADF/);
  });
});
