/**
 * The streaming reader under hostile chunking: every pickle must give the same findings whether
 * it arrives whole or one byte at a time (opcodes, lines and payloads straddling chunk
 * boundaries), and skipping payloads must land exactly after them.
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

const PICKLES: Record<string, Buffer> = {
  'proto0 GLOBAL': b("cos\nsystem\n(S'echo hi'\ntR."),
  'proto4 memo STACK_GLOBAL after a big payload': Buffer.concat([
    b('\x80\x04}\x94'), sbu('blob'), b('\x8e'), u64(70_000), Buffer.alloc(70_000, 0x63), b('s'),
    sbu('posix'), b('\x94'), sbu('system'), b('\x94'), b('0'), b('0'), b('h\x01h\x02\x93'), sbu('id'), b('\x85R.'),
  ]),
  'benign with long text line': Buffer.concat([b("(lp0\nS'"), Buffer.alloc(5000, 0x61), b("'\np1\na."), ]),
  'truncated': Buffer.concat([b('\x80\x04'), b('X'), Buffer.from([0x10, 0, 0, 0]), b('abc')]),
};

async function findings(bytes: Buffer, chunk: number): Promise<string[]> {
  const session = new ScanSession({ registry: new ScannerRegistry(SCANNERS), limits: DEFAULT_LIMITS, hash: true, signal: undefined });
  await session.scan('x.pkl', bufferSource(bytes, chunk), bytes.length, 0, {});
  const [file] = session.files;
  return [`${file!.format}:${file!.verdict}:${file!.bytes}`, ...session.findings.map((f) => `${f.rule}@${f.offset}:${f.callable ?? ''}`)];
}

describe('chunk boundaries', () => {
  for (const [name, bytes] of Object.entries(PICKLES)) {
    it(`finds the same in '${name}' whatever the chunk size`, async () => {
      const whole = await findings(bytes, 1 << 20);
      for (const chunk of [1, 2, 3, 7, 64, 4093]) assert.deepEqual(await findings(bytes, chunk), whole, `chunk ${chunk}`);
    });
  }

  it('reports the callable and offset of a memo-fed STACK_GLOBAL after a skipped payload', async () => {
    const got = await findings(PICKLES['proto4 memo STACK_GLOBAL after a big payload']!, 5);
    assert.match(got[0]!, /^pickle:malicious:/);
    assert.ok(got.some((f) => f.startsWith('pickle.dangerous-global@') && f.endsWith(':posix.system')), got.join('\n'));
  });

  it('reports a truncated pickle as an error', async () => {
    const got = await findings(PICKLES['truncated']!, 1);
    assert.match(got[0]!, /^pickle:error:/);
    assert.ok(got.some((f) => f.startsWith('pickle.truncated@')));
  });
});
