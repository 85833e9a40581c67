/**
 * Files that are two formats at once. `pickle.load` reads any file from its first byte, so a tar
 * that is also a pickle must not pass as a clean tar: a pickle that wraps the archive in one
 * BINBYTES and goes on after it, and a tar whose first member name is itself a pickle program.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scanModelPath } from '../../../src/models/scan/scan-model.ts';
import { classifyGlobal } from '../../../src/models/scan/pickle/globals-policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-polyglot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A ustar header for a regular file `name` of `size` bytes, with a valid checksum. */
function header(name: Buffer, size: number): Buffer {
  const h = Buffer.alloc(512);
  name.copy(h, 0);
  const put = (off: number, s: string) => h.write(s, off, 'latin1');
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  put(136, '00000000000\0');
  h[156] = 0x30;
  put(257, 'ustar\0');
  put(263, '00');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** A one-member tar: header, data padded to 512, two zero blocks. */
function tar(name: Buffer, data: Buffer): Buffer {
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  return Buffer.concat([header(name, data.length), padded, Buffer.alloc(1024)]);
}

async function scanOne(file: string, bytes: Buffer) {
  const sub = mkdtempSync(join(dir, 'm-'));
  writeFileSync(join(sub, file), bytes);
  return scanModelPath(sub);
}

const EVIL = Buffer.from("cposix\nsystem\n(S'echo owned'\ntR.", 'latin1');

describe('polyglot model files', () => {
  it('a plain tar stays clean', async () => {
    const r = await scanOne('bundle.tar', tar(Buffer.from('weights.txt'), Buffer.from('hello')));
    assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
  });

  it('a pickle wrapping a tar in one BINBYTES and going on after it is malicious', async () => {
    // The file starts with BINBYTES (0x42) and a length whose bytes "x\0\1\0" make the tar member
    // name "Bx"; the whole archive is the BINBYTES payload, and the pickle goes on after it.
    const length = 0x10078;
    const payload = Buffer.alloc(5 + length);
    payload[0] = 0x42;
    payload.writeUInt32LE(length, 1);
    const first = header(payload.subarray(0, 5), 5);
    first.copy(payload, 0);
    payload.write('hello', 512, 'latin1'); // the member's data; zero blocks follow up to the end of the payload
    const r = await scanOne('model.pkl', Buffer.concat([payload, EVIL]));
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.rule === 'tar.trailing-data'));
    assert.ok(r.findings.some((f) => f.rule === 'pickle.dangerous-global' && f.callable === 'posix.system'));
  });

  it('a tar whose first member name is a pickle program is malicious', async () => {
    const r = await scanOne('model.pkl', tar(EVIL, Buffer.from('hello')));
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.rule === 'pickle.dangerous-global' && f.callable === 'posix.system'));
  });

  it('zero padding after the end of a tar is fine; other data is not verified', async () => {
    const ok = await scanOne('a.tar', Buffer.concat([tar(Buffer.from('a.txt'), Buffer.from('x')), Buffer.alloc(4096)]));
    assert.equal(ok.verdict, 'clean', JSON.stringify(ok.findings));
    const trailing = await scanOne('b.tar', Buffer.concat([tar(Buffer.from('a.txt'), Buffer.from('x')), Buffer.from('more')]));
    assert.equal(trailing.verdict, 'error');
    assert.ok(trailing.findings.some((f) => f.rule === 'tar.trailing-data'));
  });

  it('denies the private helpers that run commands or nested loads, and Python 2 names of denied modules', () => {
    for (const [module, name] of [
      ['torch.serialization', '_load'],
      ['_osx_support', '_read_output'],
      ['_aix_support', '_read_cmd_output'],
      ['doctest', 'debug_script'],
      ['idlelib.pyshell', 'ModifiedInterpreter'],
      ['thread', 'start_new_thread'],
      ['StringIO', 'open'],
      ['cStringIO', 'StringIO'],
      ['SimpleHTTPServer', 'test'],
      ['xmlrpclib', 'ServerProxy'],
    ] as const) {
      assert.equal(classifyGlobal(module, name)?.severity, 'malicious', `${module}.${name}`);
    }
  });
});
