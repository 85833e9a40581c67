/**
 * Model scanner throughput on large pickles, against the 200 MB/s target and, in the same run,
 * against the raw read throughput of the same file (4 MiB chunks, nothing else done).
 *
 * Two generated pickles (never unpickled):
 * - `tensors`: a torch-like state dict, protocol 4: per tensor a memoized key, a memo-fed
 *   rebuild global, a persistent-id-free `_rebuild_tensor_v2`-style call whose storage is a large
 *   BINBYTES8 payload (what dominates real checkpoints by size);
 * - `small-ops`: long runs of small opcodes (ints, short strings, memo puts and gets, tuples,
 *   APPENDS batches), the worst case per byte.
 *
 * Each scan is timed after a warm-up scan of the same file. On a shared machine, `--rounds N`
 * repeats the timed scans and reports the median; "main thread busy" is the share of the wall
 * time the scanning thread had a CPU (well under 100%: other processes, or IO, held it back).
 *
 *   node bench/model-scan/run.ts [--gib 1] [--small-mib 256] [--rounds 1] [--keep]
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scanModelPath } from '../../src/models/scan/scan-model.ts';

const { values } = parseArgs({
  options: { gib: { type: 'string', default: '1' }, 'small-mib': { type: 'string', default: '256' }, rounds: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } },
});
const ROUNDS = Math.max(1, Number(values.rounds) || 1);
const TARGET_MBPS = 200;
const MiB = 1024 * 1024;

const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n: number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const sbu = (s: string): Buffer => Buffer.concat([Buffer.from([0x8c, Buffer.byteLength(s)]), Buffer.from(s)]);

async function writeTensors(path: string, totalBytes: number): Promise<number> {
  const fh = await open(path, 'w');
  const payload = Buffer.alloc(4 * MiB, 0x3f);
  let written = 0;
  const w = async (b: Buffer): Promise<void> => { await fh.write(b); written += b.length; };
  // PROTO 4, {} MEMOIZE, the rebuild global memoized once (index 1), MARK for SETITEMS.
  await w(Buffer.concat([Buffer.from([0x80, 0x04, 0x7d, 0x94]), sbu('torch._utils'), sbu('_rebuild_tensor_v2'), Buffer.from([0x93, 0x94, 0x28])]));
  let i = 0;
  while (written < totalBytes) {
    const key = `model.layers.${i}.self_attn.q_proj.weight`;
    await w(Buffer.concat([sbu(key), Buffer.from([0x94, 0x68, 0x01, 0x28]), Buffer.from([0x8e]), u64(payload.length)]));
    await w(payload);
    await w(Buffer.from([0x4b, 0x00, 0x4d, 0x00, 0x10, 0x4d, 0x00, 0x01, 0x86, 0x4d, 0x00, 0x01, 0x4b, 0x01, 0x86, 0x89, 0x74, 0x52, 0x94]));
    if (++i % 1000 === 0) await w(Buffer.from([0x75, 0x28]));
  }
  await w(Buffer.from([0x75, 0x2e])); // SETITEMS, STOP
  await fh.close();
  return written;
}

async function writeSmallOps(path: string, totalBytes: number): Promise<number> {
  const fh = await open(path, 'w');
  let written = 0;
  const parts: Buffer[] = [Buffer.from([0x80, 0x04, 0x5d, 0x94, 0x28])]; // PROTO 4, [] MEMOIZE, MARK
  let size = parts[0]!.length;
  let memo = 1;
  for (let i = 0; written + size < totalBytes; i++) {
    // (i, 'k<i>') memoized, a memo get of the string, BININT2, TUPLE3
    const s = sbu(`k${i % 100000}`);
    const item = Buffer.concat([Buffer.from([0x4a]), u32(i), s, Buffer.from([0x94, 0x6a]), u32(memo), Buffer.from([0x4d, i & 0xff, 0x01, 0x87])]);
    memo += 1;
    parts.push(item);
    size += item.length;
    if (i % 1000 === 999) { parts.push(Buffer.from([0x65, 0x28])); size += 2; } // APPENDS, MARK
    if (size > 8 * MiB) { const b = Buffer.concat(parts); await fh.write(b); written += b.length; parts.length = 0; size = 0; }
  }
  parts.push(Buffer.from([0x65, 0x2e])); // APPENDS, STOP
  const b = Buffer.concat(parts);
  await fh.write(b);
  written += b.length;
  await fh.close();
  return written;
}

async function rawRead(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const t0 = performance.now();
  let pos = 0;
  for (;;) {
    const b = Buffer.allocUnsafe(4 * MiB);
    const { bytesRead } = await fh.read(b, 0, b.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
  }
  await fh.close();
  return pos / MiB / ((performance.now() - t0) / 1000);
}

interface Timed { mbps: number; verdict: string; busy: number }

async function timeScan(path: string, hash: boolean): Promise<Timed> {
  const cpu0 = process.threadCpuUsage();
  const t0 = performance.now();
  const report = await scanModelPath(path, { hash });
  const ms = performance.now() - t0;
  const cpu = process.threadCpuUsage(cpu0);
  return { mbps: report.stats.bytes / MiB / (ms / 1000), verdict: report.verdict, busy: (cpu.user + cpu.system) / 1000 / ms };
}

/** The run with the median throughput. */
function median(runs: Timed[]): Timed {
  return [...runs].sort((a, b) => a.mbps - b.mbps)[runs.length >> 1]!;
}

const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-model-scan-'));
try {
  const cases: [string, (p: string) => Promise<number>][] = [
    ['tensors', (p) => writeTensors(p, Number(values.gib) * 1024 * MiB)],
    ['small-ops', (p) => writeSmallOps(p, Number(values['small-mib']) * MiB)],
  ];
  process.stdout.write(`model-scan bench (node ${process.version}); target ${TARGET_MBPS} MB/s; MB = MiB${ROUNDS > 1 ? `; median of ${ROUNDS} rounds` : ''}\n`);
  for (const [name, gen] of cases) {
    const path = join(dir, `${name}.pkl`);
    const bytes = await gen(path);
    const raw = await rawRead(path);
    await timeScan(path, true); // warm-up (JIT, page cache)
    const hashedRuns: Timed[] = [];
    const plainRuns: Timed[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      hashedRuns.push(await timeScan(path, true));
      plainRuns.push(await timeScan(path, false));
    }
    const hashed = median(hashedRuns);
    const plain = median(plainRuns);
    process.stdout.write(
      `${name.padEnd(10)} ${(bytes / MiB).toFixed(0).padStart(6)} MiB  raw read ${raw.toFixed(0).padStart(6)} MB/s | ` +
        `scan+sha256 ${hashed.mbps.toFixed(0).padStart(5)} MB/s (${(hashed.mbps / TARGET_MBPS).toFixed(2)}x target, ${(hashed.mbps / raw).toFixed(2)}x raw) | ` +
        `scan --no-hash ${plain.mbps.toFixed(0).padStart(5)} MB/s (${(plain.mbps / TARGET_MBPS).toFixed(2)}x target) | verdict ${hashed.verdict} | ` +
        `main thread busy ${(hashed.busy * 100).toFixed(0)}% / ${(plain.busy * 100).toFixed(0)}%\n`,
    );
  }
} finally {
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
