/**
 * Model hashing throughput: `hashModel` (streamed SHA-256, worker threads) against coreutils
 * `sha256sum` over the same files in the same run. A multi-GB model directory (a few big shards
 * and many small files) is written to the temp directory and removed afterwards. Every file is
 * read once first so both sides hash from the page cache; then the baselines (one `sha256sum`, and
 * one `sha256sum` per CPU over a size-balanced split) and `hashModel` run
 * alternately, `--rounds` times each, wall clock. Digests are cross-checked.
 *
 *   node bench/model-hash/run.ts [--gib 3] [--shards 4] [--small 1000] [--rounds 2] [--dir /tmp] [--keep]
 *
 * Target: hashModel ≥ 80 % of sha256sum's throughput (best round of each).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashModel } from '../../src/models/signing/index.ts';

const { values } = parseArgs({
  options: {
    gib: { type: 'string', default: '3' },
    shards: { type: 'string', default: '4' },
    small: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    dir: { type: 'string', default: tmpdir() },
    keep: { type: 'boolean', default: false },
  },
});
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const total = Math.round(Number(values.gib) * GiB);
const shardCount = Number(values.shards);
const smallCount = Number(values.small);
const rounds = Number(values.rounds);
const smallSize = 256 * 1024;
const shardSize = Math.floor((total - smallCount * smallSize) / shardCount);

function writeFile(path: string, size: number, block: Buffer): void {
  const fd = openSync(path, 'w');
  let left = size;
  let i = 0;
  while (left > 0) {
    const n = Math.min(left, block.length);
    block.writeUInt32LE(i++, 0); // no two blocks alike
    writeSync(fd, block, 0, n);
    left -= n;
  }
  closeSync(fd);
}

function makeModel(root: string): string[] {
  const block = randomFillSync(Buffer.allocUnsafe(16 * MiB));
  const files: string[] = [];
  for (let i = 0; i < shardCount; i++) {
    const p = join(root, `model-${String(i + 1).padStart(5, '0')}-of-${String(shardCount).padStart(5, '0')}.safetensors`);
    writeFile(p, shardSize, block);
    files.push(p);
  }
  mkdirSync(join(root, 'extra'), { recursive: true });
  for (let i = 0; i < smallCount; i++) {
    const p = join(root, 'extra', `part-${i}.bin`);
    writeFile(p, smallSize, randomFillSync(Buffer.allocUnsafe(smallSize)));
    files.push(p);
  }
  return files;
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const root = mkdtempSync(join(values.dir, 'rampart-model-hash-'));
try {
  process.stdout.write(`writing ${(total / GiB).toFixed(2)} GiB (${shardCount} × ${(shardSize / MiB).toFixed(0)} MiB + ${smallCount} × ${smallSize / 1024} KiB) to ${root} …\n`);
  const files = makeModel(root);
  const bytes = shardCount * shardSize + smallCount * smallSize;
  // Warm-up: read everything once so neither side pays for the disk.
  for (const f of files) readFileSync(f);
  const par = availableParallelism();
  const sha256sum = () => execFileSync('sha256sum', files, { maxBuffer: 64 * MiB }).toString();
  // Parallel baseline: one sha256sum per CPU, files split by size (largest first into the lightest bucket).
  const sizes = new Map(files.map((f, i) => [f, i < shardCount ? shardSize : smallSize]));
  const buckets = Array.from({ length: par }, () => ({ bytes: 0, files: [] as string[] }));
  for (const f of [...files].sort((a, b) => sizes.get(b)! - sizes.get(a)!)) {
    const lightest = buckets.reduce((x, y) => (y.bytes < x.bytes ? y : x));
    lightest.files.push(f);
    lightest.bytes += sizes.get(f)!;
  }
  const sha256sumParallel = async () => {
    const outs = await Promise.all(
      buckets.map(
        (b) =>
          new Promise<string>((resolveRun, rejectRun) => {
            const child = spawn('sha256sum', b.files, { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d));
            child.on('error', rejectRun);
            child.on('close', (code) => (code === 0 ? resolveRun(out) : rejectRun(new Error(`sha256sum exited ${code}`))));
          }),
      ),
    );
    return outs.join('');
  };
  const results: Record<string, number[]> = { 'sha256sum (1 process)': [], [`sha256sum × ${par} processes`]: [], hashModel: [] };
  let reference = '';
  let ours: Awaited<ReturnType<typeof hashModel>> | undefined;
  for (let r = 0; r < rounds; r++) {
    const a = timed(sha256sum);
    results['sha256sum (1 process)']!.push(a.ms);
    reference = a.value;
    const b = await timedAsync(sha256sumParallel);
    results[`sha256sum × ${par} processes`]!.push(b.ms);
    const c = await timedAsync(() => hashModel({ modelPath: root }));
    results['hashModel']!.push(c.ms);
    ours = c.value;
  }
  // Cross-check: every digest of hashModel is the one sha256sum printed for that file.
  const expected = new Map(reference.trim().split('\n').map((l) => [l.slice(66).slice(root.length + 1), l.slice(0, 64)]));
  for (const f of ours!.files) if (expected.get(f.name) !== f.digest) throw new Error(`digest mismatch for ${f.name}`);

  const rate = (ms: number) => bytes / MiB / (ms / 1000);
  process.stdout.write(`\n${cpus()[0]?.model ?? 'cpu'} × ${par}, ${(bytes / GiB).toFixed(2)} GiB in ${files.length} files, page cache warm, ${rounds} round(s)\n`);
  for (const [name, times] of Object.entries(results)) {
    const best = Math.min(...times);
    process.stdout.write(`  ${name.padEnd(28)} best ${rate(best).toFixed(0).padStart(6)} MiB/s   rounds: ${times.map((t) => rate(t).toFixed(0)).join(', ')} MiB/s\n`);
  }
  const best = (k: string) => Math.min(...results[k]!);
  const ratio = best('sha256sum (1 process)') / best('hashModel');
  const ratioPar = best(`sha256sum × ${par} processes`) / best('hashModel');
  process.stdout.write(`\nhashModel / sha256sum = ${(ratio * 100).toFixed(0)} % (target ≥ 80 %): ${ratio >= 0.8 ? 'PASS' : 'FAIL'}\n`);
  process.stdout.write(`hashModel / sha256sum × ${par} = ${(ratioPar * 100).toFixed(0)} %\n`);
  process.stdout.write(`root digest ${ours!.rootDigest}\n`);
  process.exitCode = ratio >= 0.8 ? 0 : 1;
} finally {
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}
