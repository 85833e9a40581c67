/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof <dir>`): self time by function and
 * by source file, and inclusive time of the functions whose name matches --focus.
 *
 *   node bench/gateway-overhead/profile-summary.ts <file.cpuprofile> [--top 30] [--focus regex]
 *        [--since s] [--until s]   only samples in this window (seconds from the profile's start)
 *        [--timeline]              busy share per second, to find the window of a load phase
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    top: { type: 'string' },
    focus: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    timeline: { type: 'boolean' },
  },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [--top 30] [--focus regex]\n');
  process.exit(2);
}
const top = Number(values.top ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const sinceUs = Number(values.since ?? 0) * 1e6;
const untilUs = values.until === undefined ? Number.POSITIVE_INFINITY : Number(values.until) * 1e6;
const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const selfUs = new Map<number, number>();
const busyPerSecond: { busy: number; all: number }[] = [];
let totalUs = 0;
let t = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  const sec = Math.floor(t / 1e6);
  const b = (busyPerSecond[sec] ??= { busy: 0, all: 0 });
  b.all += dt;
  if (!idle.has(id)) b.busy += dt;
  if (t < sinceUs || t > untilUs) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  totalUs += dt;
});
if (values.timeline) {
  process.stdout.write('busy share per second of the profile:\n');
  busyPerSecond.forEach((b, sec) => process.stdout.write(`${String(sec).padStart(4)} s ${'#'.repeat(Math.round((40 * b.busy) / Math.max(1, b.all)))}\n`));
}

const short = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|src|bench|test)\//, '$1/').replace(/^node:/, 'node:');
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

function table(title: string, m: Map<string, number>): void {
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of rows) process.stdout.write(`${((100 * us) / totalUs).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
}

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  selfByFn.set(label(f), (selfByFn.get(label(f)) ?? 0) + us);
  const key = f.url ? short(f.url).replace(/(node_modules\/(@[^/]+\/)?[^/]+)\/.*/, '$1') : `(${f.functionName})`;
  selfByFile.set(key, (selfByFile.get(key) ?? 0) + us);
}
process.stdout.write(`total sampled: ${(totalUs / 1000).toFixed(0)} ms\n`);
table('self time by package / file', selfByFile);
table('self time by function', selfByFn);

// Inclusive time: each sample counts once for every distinct function on its stack.
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const l = label(byId.get(n)!.callFrame);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const focus = values.focus ? new RegExp(values.focus) : /src\//;
table(`inclusive time of functions matching ${focus}`, new Map([...inclusive].filter(([k]) => focus.test(k))));
