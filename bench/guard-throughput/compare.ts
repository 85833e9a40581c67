/**
 * Two revisions' guard scanners side by side: this working tree and `--ref` (a git revision,
 * checked out in a temporary worktree), each in its own process, taking turns in short slices
 * so that both see the same machine. The timed benchmark alone moves by 20 % and more between
 * runs on a shared VM; adjacent slices of the two drift together, so their ratio is steady.
 *
 *   node bench/guard-throughput/compare.ts --ref HEAD~1 [--rounds 20] [--slice-ms 500] [--size 2048] [--profile default]
 *
 * Prints MB/s per CPU second of each (over all slices), p50/p99 per prompt, and the median of the
 * per-round ratios.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkoutRevision, removeCheckout } from '../checkout.ts';
import type { SliceResult } from './worker.ts';

const { values } = parseArgs({
  options: {
    ref: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    'slice-ms': { type: 'string', default: '500' },
    size: { type: 'string', default: '2048' },
    profile: { type: 'string', default: 'default' },
  },
});
if (!values.ref) {
  process.stderr.write('usage: compare.ts --ref <git revision> [--rounds 20] [--slice-ms 500] [--size 2048] [--profile default]\n');
  process.exit(2);
}
const rounds = Number(values.rounds);
const sliceMs = Number(values['slice-ms']);

function start(dir: string): Promise<ChildProcess> {
  const child = fork(join(dir, 'bench/guard-throughput/worker.ts'), [values.size!, values.profile!], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker in ${dir} exited with ${code}`)));
  });
}

function slice(child: ChildProcess): Promise<SliceResult> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as SliceResult));
    child.send({ ms: sliceMs });
  });
}

const refDir = join(mkdtempSync(join(tmpdir(), 'rampart-guard-ref-')), 'ref');
const sha = await checkoutRevision(values.ref, refDir);
// The worker of this tree also drives the other revision (older ones may not have it).
copyFileSync(join(import.meta.dirname, 'worker.ts'), join(refDir, 'bench/guard-throughput/worker.ts'));
copyFileSync(join(import.meta.dirname, 'prompts.ts'), join(refDir, 'bench/guard-throughput/prompts.ts'));
try {
  const here = await start(join(import.meta.dirname, '../..'));
  const there = await start(refDir);
  const sides = { here: [] as SliceResult[], there: [] as SliceResult[] };
  const ratios: number[] = [];
  const rate = (r: SliceResult) => r.bytes / r.cpuUs; // bytes per CPU µs = MB per CPU second
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first, so that neither always runs right after the other.
    const [a, b] = r % 2 === 0 ? [here, there] : [there, here];
    const ra = await slice(a);
    const rb = await slice(b);
    const [h, t] = a === here ? [ra, rb] : [rb, ra];
    sides.here.push(h);
    sides.there.push(t);
    ratios.push(rate(h) / rate(t));
    process.stdout.write(`  round ${String(r + 1).padStart(2)}  this tree ${rate(h).toFixed(1).padStart(6)} MB/s  ${values.ref} ${rate(t).toFixed(1).padStart(6)} MB/s  ratio ${(rate(h) / rate(t)).toFixed(3)}\n`);
  }
  for (const c of [here, there]) c.send('exit');
  const summary = (s: SliceResult[]) => {
    const bytes = s.reduce((n, r) => n + r.bytes, 0);
    const cpu = s.reduce((n, r) => n + r.cpuUs, 0);
    const lat = s.flatMap((r) => r.latenciesMs).sort((x, y) => x - y);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]! * 1000;
    return `${(bytes / cpu).toFixed(1)} MB/s per CPU second, p50 ${pct(50).toFixed(0)} µs, p99 ${pct(99).toFixed(0)} µs`;
  };
  ratios.sort((x, y) => x - y);
  process.stdout.write(
    [
      '',
      `guard profile '${values.profile}' on ${values.size}-byte prompts, ${rounds} rounds of ${sliceMs} ms each (node ${process.version})`,
      `  this tree:            ${summary(sides.here)}`,
      `  ${values.ref} (${sha.slice(0, 10)}): ${summary(sides.there)}`,
      `  throughput ratio, median of rounds: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)} (middle half ${ratios[Math.floor(ratios.length / 4)]!.toFixed(3)}–${ratios[Math.floor((3 * ratios.length) / 4)]!.toFixed(3)})`,
      '',
    ].join('\n'),
  );
} finally {
  removeCheckout(refDir);
  rmSync(dirname(refDir), { recursive: true, force: true });
}
