/**
 * The hand-built access line against what pino writes for the same fields: same JSON, same
 * prefix (level, time, bindings), whatever the strings hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { createAccessLog, type AccessEntry } from '../../src/monitor/access-log.ts';
import { createLogger, isoTime } from '../../src/monitor/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

const entry: AccessEntry = {
  requestId: 'req_01jabcdefghjkmnpqrstvwxyz',
  route: '/v1/chat/completions',
  principal: 'key:0h3k9w2m4q7s',
  deployment: 'gpt-4o-mini',
  upstream: 'openai:https://api.openai.com/v1',
  status: 200,
  code: null,
  latencyMs: 1.234,
};

/** The line without its time, parsed. */
function fields(line: string): Record<string, unknown> {
  const o = JSON.parse(line) as Record<string, unknown>;
  assert.match(String(o['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  delete o['time'];
  return o;
}

describe('access log', () => {
  it('writes the line pino writes for the same fields, bindings included', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream).child({ thread: 1 });
    const access = createAccessLog(logger)!;
    access(entry);
    logger.info({ ...entry }, 'request');
    assert.equal(lines.length, 2);
    assert.deepEqual(fields(lines[0]!), fields(lines[1]!));
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), Object.keys(JSON.parse(lines[1]!)), 'same key order');
    assert.deepEqual(fields(lines[0]!), { level: 'info', service: 'rampart', thread: 1, ...entry, msg: 'request' });
  });

  it('keeps every line one valid JSON object whatever the strings hold', () => {
    const { lines, stream } = capture();
    const access = createAccessLog(createLogger('info', stream))!;
    const hostile = ['a"b', 'line\nbreak', 'tab\tand\\slash', '\u2028\u2029', 'ünïcödé 🙂', '\ud800 lone', '</script>', '{"level":"error"}'];
    for (const s of hostile) access({ ...entry, deployment: s, requestId: s, code: s, upstream: s, principal: s });
    assert.equal(lines.length, hostile.length, 'no string may split a line');
    lines.forEach((line, i) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      // A lone surrogate comes back as itself from its \\u escape.
      assert.equal(o['deployment'], hostile[i]);
      assert.equal(o['level'], 'info');
      assert.equal(o['msg'], 'request');
    });
  });

  it('leaves out an unknown principal and writes null for missing values, as pino does', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    const e: AccessEntry = { ...entry, principal: undefined, deployment: null, upstream: null, code: 'RAMPART_AUTH_MISSING', status: 401 };
    createAccessLog(logger)!(e);
    logger.info({ ...e }, 'request');
    assert.deepEqual(fields(lines[0]!), fields(lines[1]!));
    assert.equal('principal' in JSON.parse(lines[0]!), false);
  });

  it('is off when the logger does not write info lines', () => {
    const { stream } = capture();
    assert.equal(createAccessLog(createLogger('warn', stream)), null);
  });

  it('stamps lines with the current millisecond, made once per millisecond', async () => {
    const parse = (t: string) => Date.parse((JSON.parse(`{${t.slice(1)}}`) as { time: string }).time);
    const before = Date.now();
    const first = isoTime();
    assert.equal(isoTime(), first, 'the same millisecond gives the same text');
    assert.ok(parse(first) >= before && parse(first) <= Date.now());
    await new Promise((r) => setTimeout(r, 5));
    const later = isoTime();
    assert.ok(parse(later) > parse(first), 'a later millisecond is stamped as such');
    assert.match(later, /^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });
});
