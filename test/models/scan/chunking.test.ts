/**
 * The streaming reader under hostile chunking: every pickle must give the same findings whether
 * it arrives whole or one byte at a time (opcodes, lines and payloads straddling chunk
 * boundaries), and skipping payloads must land exactly after them.
 *
 * The disassembler keeps strings as bytes in the window until something needs their text, copies
 * memoized ones to an arena (compacted when overwrites leave it half dead) and keeps small tuples
 * as slots in an item store (emptied when it fills with garbage): the cases below make each of
 * those cross chunk boundaries, and check that names and call arguments still come out right.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferSource } from '../../../src/models/scan/byte-reader.ts';
import { DEFAULT_LIMITS } from '../../../src/models/scan/limits.ts';
import { ScannerRegistry } from '../../../src/models/scan/registry.ts';
import { SCANNERS } from '../../../src/models/scan/scanners/index.ts';
import { ScanSession } from '../../../src/models/scan/session.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const sbu = (s: string): Buffer => Buffer.concat([Buffer.from([0x8c, s.length]), b(s)]);
const u64 = (n: number): Buffer => { const x = Buffer.alloc(8); x.writeBigUInt64LE(BigInt(n)); return x; };
const u32 = (n: number): Buffer => { const x = Buffer.alloc(4); x.writeUInt32LE(n); return x; };
const bu = (s: string): Buffer => Buffer.concat([b('X'), u32(s.length), b(s)]);
const times = (n: number, f: (i: number) => Buffer): Buffer => Buffer.concat(Array.from({ length: n }, (_, i) => f(i)));

const PICKLES: Record<string, Buffer> = {
  'proto0 GLOBAL': b("cos\nsystem\n(S'echo hi'\ntR."),
  'proto4 memo STACK_GLOBAL after a big payload': Buffer.concat([
    b('\x80\x04}\x94'), sbu('blob'), b('\x8e'), u64(70_000), Buffer.alloc(70_000, 0x63), b('s'),
    sbu('posix'), b('\x94'), sbu('system'), b('\x94'), b('0'), b('0'), b('h\x01h\x02\x93'), sbu('id'), b('\x85R.'),
  ]),
  'benign with long text line': Buffer.concat([b("(lp0\nS'"), Buffer.alloc(5000, 0x61), b("'\np1\na."), ]),
  'truncated': Buffer.concat([b('\x80\x04'), b('X'), Buffer.from([0x10, 0, 0, 0]), b('abc')]),
  'proto4 tuple of window strings called after the window moved': Buffer.concat([
    b('\x80\x04'), sbu('os'), sbu('system'), b('\x93'), sbu('rm'), sbu('-rf /'), b('\x86'), b('N0'.repeat(40)), b('R.'),
  ]),
  'proto4 memo strings fetched 3000 opcodes later': Buffer.concat([
    b('\x80\x04'), sbu('subprocess'), b('\x94'), sbu('Popen'), b('\x94]\x94('), times(3000, (i) => Buffer.concat([b('J'), u32(i)])),
    b('e0h\x00h\x01\x93'), sbu('ls'), b('\x85R.'),
  ]),
  'proto4 stored tuples duplicated, memoized and nested': Buffer.concat([
    b('\x80\x04'), sbu('os'), sbu('system'), b('\x93q\x00'), sbu('a'), sbu('b'), b('\x862\x86\x85R0'),
    b('h\x00'), sbu('c'), b('\x85q\x01'), b('0h\x01R0h\x00h\x01h\x01\x86R.'),
  ]),
  'proto4 stored tuple duplicated, then the copy popped': Buffer.concat([
    b('\x80\x04'), sbu('os'), sbu('system'), b('\x93'), sbu('a'), sbu('b'), b('\x8620'), sbu('c'), sbu('d'), b('\x860\x85R.'),
  ]),
  'proto4 memoized tuple fetched after its slot was popped and reused': Buffer.concat([
    b('\x80\x04'), sbu('os'), sbu('system'), b('\x93'), sbu('a'), b('\x85q\x010'), sbu('z'), b('\x850h\x01R.'),
  ]),
  'joblib object array: a nested pickle between a string and its use': Buffer.concat([
    b('\x80\x02'), bu('posix'), b('cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81}('), bu('subclass'), b('cnumpy\nndarray\n'),
    bu('shape'), b('K\x03\x85'), bu('order'), bu('C'), bu('dtype'),
    b('cnumpy\ndtype\n'), bu('O8'), b('\x89\x88\x87R(K\x03'), bu('|'), b('NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb'),
    bu('allow_mmap'), b('\x88ub'),
    b('\x80\x02cos\nsystem\n'), bu('id'), b('\x85R.'), // the object array: a whole pickle
    b('0'), bu('system'), b('\x93'), bu('id'), b('\x85R.'),
  ]),
  'proto4 latin-1 and empty strings in the memo': Buffer.concat([
    b('\x80\x04U\x05posix\x94\x8d'), u64(6), b('system\x94'), sbu(''), b('\x94'), sbu(''), b('\x940000h\x00h\x01\x93h\x02h\x03\x86\x85R.'),
  ]),
  'proto4 memo key far past the others': Buffer.concat([
    b('\x80\x04'), sbu('posix'), b('r\xff\xff\xff\x7f0'), sbu('system'), b('\x940j\xff\xff\xff\x7fh\x01\x93'), sbu('id'), b('\x85R.'),
  ]),
  'proto0 PUT and GET of strings and tuples': b("(S'os'\np0\nS'system'\np1\ntp2\n0g0\ng1\n\x93(S'id'\ntRg2\n."),
};

/** What the cases above must report: imported callables and the arguments they are called with. */
const CALLS: Record<string, readonly (readonly [string, string])[]> = {
  'proto4 tuple of window strings called after the window moved': [['os.system', '("rm", "-rf /")']],
  'proto4 memo strings fetched 3000 opcodes later': [['subprocess.Popen', '("ls",)']],
  'proto4 stored tuples duplicated, memoized and nested': [['os.system', '((("a", "b"), ("a", "b")),)']],
  'proto4 stored tuple duplicated, then the copy popped': [['os.system', '(("a", "b"),)']],
  'proto4 memoized tuple fetched after its slot was popped and reused': [['os.system', '("a",)']],
  'joblib object array: a nested pickle between a string and its use': [['os.system', '("id",)'], ['posix.system', '("id",)']],
  'proto4 latin-1 and empty strings in the memo': [['posix.system', '(("", ""),)']],
  'proto4 memo key far past the others': [['posix.system', '("id",)']],
  'proto0 PUT and GET of strings and tuples': [['os.system', '("id",)']],
};

/** Large enough to make the memo's arena compact and the tuple item store empty itself. */
const LARGE: Record<string, { bytes: Buffer; call: readonly [string, string] }> = {
  'a memo key overwritten with long strings until the arena compacts, under a string on the stack': {
    // 'posix' stays on the stack after its memo key is overwritten: only the stack keeps its bytes.
    bytes: Buffer.concat([
      b('\x80\x04'), bu('x'.repeat(900)), b('q\x010'), sbu('posix'), b('q\x01'),
      times(90, (i) => Buffer.concat([bu(String(i).padStart(4, '0').repeat(250)), b('q\x010')])),
      sbu('system'), b('q\x020h\x02\x93'), sbu('id'), b('\x85R.'),
    ]),
    call: ['posix.system', '("id",)'],
  },
  'a memo string decoded before the arena compacts, and another moved to its offset': {
    bytes: Buffer.concat([
      b('\x80\x04'), bu('x'.repeat(900)), b('q\x01h\x01h\x01\x930'), sbu('posix'), b('q\x010'),
      times(90, (i) => Buffer.concat([bu(String(i).padStart(4, '0').repeat(250)), b('q\x020')])),
      b('h\x01'), sbu('system'), b('\x93'), sbu('id'), b('\x85R.'),
    ]),
    call: ['posix.system', '("id",)'],
  },
  'calls whose argument tuples fill the item store, under a tuple still on the stack': {
    bytes: Buffer.concat([
      b('\x80\x02cos\nsystem\n'), sbu('echo'), sbu('hi'), b('\x86\x85c__builtin__\nset\nq\x010'),
      times(33_000, () => b('h\x01K\x01K\x02\x86R0')), b('R.'),
    ]),
    call: ['os.system', '(("echo", "hi"),)'],
  },
};

async function findings(bytes: Buffer, chunk: number): Promise<string[]> {
  const session = new ScanSession({ registry: new ScannerRegistry(SCANNERS), limits: DEFAULT_LIMITS, hash: true, signal: undefined });
  await session.scan('x.pkl', bufferSource(bytes, chunk), bytes.length, 0, {});
  const [file] = session.files;
  return [`${file!.format}:${file!.verdict}:${file!.bytes}`, ...session.findings.map((f) => `${f.rule}@${f.offset}:${f.callable ?? ''}`), ...session.findings.map((f) => f.message)];
}

describe('chunk boundaries', () => {
  for (const [name, bytes] of Object.entries(PICKLES)) {
    it(`finds the same in '${name}' whatever the chunk size`, async () => {
      const whole = await findings(bytes, 1 << 20);
      for (const chunk of [1, 2, 3, 7, 64, 4093]) assert.deepEqual(await findings(bytes, chunk), whole, `chunk ${chunk}`);
    });
  }

  for (const [name, calls] of Object.entries(CALLS)) {
    it(`reports ${calls.map(([c]) => c).join(' and ')} and the arguments in '${name}'`, async () => {
      const got = await findings(PICKLES[name]!, 3);
      for (const [callable, args] of calls) {
        assert.ok(got.some((f) => f.startsWith('pickle.dangerous-global@') && f.endsWith(`:${callable}`)), got.join('\n'));
        assert.ok(got.some((f) => f.includes(`imports ${callable}:`) && f.includes(`calls it with ${args}.`)), got.join('\n'));
      }
    });
  }

  for (const [name, { bytes, call: [callable, args] }] of Object.entries(LARGE)) {
    it(`reports ${callable} and its arguments in ${name}, whatever the chunk size`, async () => {
      const whole = await findings(bytes, 1 << 20);
      assert.ok(whole.some((f) => f.startsWith('pickle.dangerous-global@') && f.endsWith(`:${callable}`)), whole.join('\n'));
      assert.ok(whole.some((f) => f.includes(`imports ${callable}:`) && f.includes(`calls it with ${args}.`)), whole.join('\n'));
      for (const chunk of [7, 4093]) assert.deepEqual(await findings(bytes, chunk), whole, `chunk ${chunk}`);
    });
  }

  it('reports the callable and offset of a memo-fed STACK_GLOBAL after a skipped payload', async () => {
    const got = await findings(PICKLES['proto4 memo STACK_GLOBAL after a big payload']!, 5);
    assert.match(got[0]!, /^pickle:malicious:/);
    assert.ok(got.some((f) => f.startsWith('pickle.dangerous-global@') && f.endsWith(':posix.system')), got.join('\n'));
  });

  it('reports every truncation of a pickle that memoizes strings and stores tuples (and what it imported before)', async () => {
    const whole = PICKLES['proto4 stored tuples duplicated, memoized and nested']!;
    for (let n = 2; n < whole.length; n++) {
      const got = await findings(whole.subarray(0, n), 3);
      assert.match(got[0]!, n > 14 ? /^pickle:malicious:/ : /^pickle:error:/, `${n} bytes: ${got.join(' ')}`);
      assert.ok(got.some((f) => f.startsWith('pickle.truncated@')), `${n} bytes: ${got.join(' ')}`);
    }
  });

  it('reports a truncated pickle as an error', async () => {
    const got = await findings(PICKLES['truncated']!, 1);
    assert.match(got[0]!, /^pickle:error:/);
    assert.ok(got.some((f) => f.startsWith('pickle.truncated@')));
  });
});
