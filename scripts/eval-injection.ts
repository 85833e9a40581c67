/**
 * Scores the prompt-injection detector on a labelled JSONL set (default: the shared dev set):
 *
 *   node scripts/eval-injection.ts [file.jsonl] [--misses N] [--json]
 *   node scripts/eval-injection.ts --generated SEED [--misses N]
 *   node scripts/eval-injection.ts --bench [file.jsonl]
 *   node scripts/eval-injection.ts [file.jsonl] --onnx DIR [--onnx-options JSON] [--with-builtin] [--thresholds U,D]
 *   node scripts/eval-injection.ts [file.jsonl] --model model.json   (a model trained with --out elsewhere)
 *
 * Rows: {"text", "label": "attack"|"benign", "kind", "channel": "prompt"|"document"}. Reports recall
 * per kind, false-positive rate on benign kinds, precision/recall/F1 per channel at the detector's
 * recommended thresholds, TPR at 1% and 5% FPR, and throughput. `--misses N` prints the ids of
 * N missed attacks and N false alarms per kind (row numbers, not texts). `--bench` measures the
 * detector alone on 2 KB prompts cut from the file's texts: throughput per core and p50/p99 latency.
 * `--generated SEED` scores a corpus drawn from the training generators with another seed (the
 * training seed is 20240611 and calibration uses the next one): an in-distribution check that
 * shows how much of the dev-set gap is distribution shift rather than underfitting.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onnxClassifierDetector } from '../src/guard/detectors/onnx-classifier.ts';
import { promptInjectionDetector, RECOMMENDED_THRESHOLDS } from '../src/guard/detectors/prompt-injection.ts';
import { buildCorpus, type CorpusSize, type Example } from '../training/injection/corpus.ts';
import type { Channel } from '../src/guard/types.ts';
import { helpAndExit } from './lib/usage.ts';

helpAndExit(import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    misses: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    bench: { type: 'boolean', default: false },
    generated: { type: 'string' },
    onnx: { type: 'string' },
    'onnx-options': { type: 'string', default: '{}' },
    'with-builtin': { type: 'boolean', default: false },
    thresholds: { type: 'string' },
    model: { type: 'string' },
  },
});
const file = positionals[0] ?? join(root, '../shared/datasets/prompt-injection/dev.jsonl');

interface Row {
  text: string;
  label: 'attack' | 'benign';
  kind: string;
  channel: string;
  source?: string;
  wrapper?: string;
}

/** A short name for where an attack row comes from: the attack method or repository, or the wrapper of a constructed row. */
function origin(r: Row): string {
  if (r.wrapper) return `constructed/${r.wrapper}`;
  const src = (r.source ?? 'unknown').split('#')[0]!;
  const m = /attack-artifacts\/([^/]+)/.exec(src);
  return m ? m[1]! : src.split(':')[0]!;
}
/** Test-sized corpus: about a tenth of the training corpus, every family present. */
const GENERATED_SIZE: CorpusSize = {
  benign: 1500, tricky: 800, twins: 1000, background: 500, system: 0, direct: 800, jailbreak: 900, benignDocs: 1000, indirect: 1000, emails: 300,
  hijack: 600, scenario: 300, scenarioTwins: 300, multilingual: 600, short: 100, realDocs: 700, workEmails: 150,
  shortAttacks: 300, shortTwins: 300, readerRequests: 250, wideAttacks: 150, widePrompts: 150, europeAttacks: 100, europePrompts: 100, redirects: 100, toolAttacks: 100, toolBenign: 100, promptDev: 100,
};
const KIND: Record<string, string> = { direct: 'direct', hijack: 'direct', jailbreak: 'jailbreak', scenario: 'jailbreak', indirect: 'indirect', email_attack: 'indirect', tool_attack: 'indirect', benign_tricky: 'benign_tricky', twin: 'benign_tricky', scenario_twin: 'benign_tricky', short_twin: 'benign_tricky' };
const fromExample = (e: Example): Row => ({
  text: e.text,
  label: e.label === 0 ? 'benign' : 'attack',
  kind: e.family === 'short_attack' || e.family === 'wide_attack' || e.family === 'europe_attack' ? (e.label === 2 ? 'jailbreak' : 'direct') : (KIND[e.family] ?? 'benign'),
  channel: e.channel === 'document' ? 'document' : 'prompt',
  source: `generated/${e.family}`,
});
const rows: Row[] = values.generated
  ? buildCorpus(Number(values.generated), GENERATED_SIZE).map(fromExample)
  : readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Row);

const builtin = promptInjectionDetector.create(promptInjectionDetector.optionsSchema.parse(values.model ? { modelPath: values.model } : {}), { assetsDir: root });
// --onnx DIR: score with an ONNX classifier (see docs/guard.md, "ONNX models"), alone or, with
// --with-builtin, as the higher of its score and the built-in detector's.
const onnx = values.onnx ? onnxClassifierDetector.create(onnxClassifierDetector.optionsSchema.parse({ ...JSON.parse(values['onnx-options']!), path: values.onnx }), { assetsDir: root }) : null;
async function score(text: string, channel: Channel): Promise<number> {
  const top = (fs: readonly { score: number; category: string }[]) => fs.filter((f) => f.category === 'prompt_injection' || f.category === 'jailbreak').reduce((m, f) => Math.max(m, f.score), 0);
  const own = onnx === null || values['with-builtin'] ? top(builtin({ text, channel }) as readonly { score: number; category: string }[]) : 0;
  return onnx === null ? own : Math.max(own, top(await onnx({ text, channel })));
}
const channelOf = (r: Row): Channel => (r.channel === 'document' ? 'document' : 'user');

if (values.bench) {
  // 2 KB prompts made of the file's texts back to back, so that they hold the usual mix of prose,
  // code, markup and attacks.
  const all = rows.map((r) => r.text).join('\n\n');
  const prompts: string[] = [];
  for (let i = 0; i + 2048 <= all.length && prompts.length < 600; i += 2048) prompts.push(all.slice(i, i + 2048));
  for (let i = 0; i < 300; i++) builtin({ text: prompts[i % prompts.length]!, channel: 'user' });
  for (const channel of ['user', 'document'] as const) {
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    const wall0 = process.hrtime.bigint();
    for (let rep = 0; rep < 3; rep++) {
      for (const p of prompts) {
        const t0 = process.hrtime.bigint();
        builtin({ text: p, channel });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
    const bytes = times.length * 2048;
    times.sort((a, b) => a - b);
    console.log(
      `${channel}: ${times.length} prompts of 2 KB; ${(bytes / 1e6 / ((cpu.user + cpu.system) / 1e6)).toFixed(1)} MB/s per core (CPU time), ` +
        `${(bytes / 1e6 / wall).toFixed(1)} MB/s wall; p50 ${times[times.length >> 1]!.toFixed(3)} ms, p99 ${times[Math.floor(times.length * 0.99)]!.toFixed(3)} ms`,
    );
  }
  process.exit(0);
}

const scores: number[] = [];
const started = process.hrtime.bigint();
let chars = 0;
for (const r of rows) {
  scores.push(await score(r.text, channelOf(r)));
  chars += r.text.length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
const isAttack = (r: Row) => r.label === 'attack';
const [userT, documentT] = values.thresholds ? values.thresholds.split(',').map(Number) : onnx && !values['with-builtin'] ? [0.5, 0.5] : [RECOMMENDED_THRESHOLDS.user, RECOMMENDED_THRESHOLDS.document];
const thresholdOf = (r: Row) => (channelOf(r) === 'document' ? documentT! : userT!);

function rate(filter: (r: Row) => boolean): { n: number; flagged: number } {
  let n = 0;
  let flagged = 0;
  rows.forEach((r, i) => {
    if (!filter(r)) return;
    n++;
    if (scores[i]! >= thresholdOf(r)) flagged++;
  });
  return { n, flagged };
}

function tprAtFpr(filter: (r: Row) => boolean, fpr: number): { tpr: number; threshold: number } {
  const neg = rows.map((r, i) => [r, scores[i]!] as const).filter(([r]) => filter(r) && !isAttack(r)).map(([, s]) => s).sort((a, b) => b - a);
  const pos = rows.map((r, i) => [r, scores[i]!] as const).filter(([r]) => filter(r) && isAttack(r)).map(([, s]) => s);
  const allowed = Math.floor(neg.length * fpr);
  // Smallest threshold that lets at most `allowed` negatives through (ties count against us).
  const t = allowed < neg.length ? neg[allowed]! + 1e-9 : 0;
  return { tpr: pos.filter((s) => s >= t).length / Math.max(1, pos.length), threshold: t };
}

const out: string[] = [];
out.push(values.generated ? `generated corpus, seed ${values.generated}` : `file: ${file}`);
out.push(`rows: ${rows.length}; ${onnx ? `onnx: ${values.onnx}${values['with-builtin'] ? ' with the built-in detector' : ''}; ` : ''}thresholds: user ${userT}, document ${documentT}`);
out.push('');
out.push('| kind | channel | rows | flagged | rate |');
out.push('|---|---|---|---|---|');
const kinds = [...new Set(rows.map((r) => `${r.kind}|${r.channel}`))].sort();
for (const k of kinds) {
  const [kind, channel] = k.split('|');
  const r = rate((x) => x.kind === kind && x.channel === channel);
  out.push(`| ${kind} | ${channel} | ${r.n} | ${r.flagged} | ${pct(r.flagged / r.n)}% ${kind!.startsWith('benign') ? '(FPR)' : '(recall)'} |`);
}
out.push('');
out.push('| attack origin | rows | recall |');
out.push('|---|---|---|');
for (const o of [...new Set(rows.filter(isAttack).map(origin))].sort()) {
  const r = rate((x) => isAttack(x) && origin(x) === o);
  out.push(`| ${o} | ${r.n} | ${pct(r.flagged / r.n)}% |`);
}
const all = rate(isAttack);
const doc = rate((r) => isAttack(r) && r.channel === 'document');
const ben = rate((r) => r.kind === 'benign');
const tricky = rate((r) => r.kind === 'benign_tricky');
out.push('');
out.push(`attack recall overall ${pct(all.flagged / all.n)}% (target ≥ 90), document ${pct(doc.flagged / doc.n)}% (target ≥ 85)`);
out.push(`FPR benign ${pct(ben.flagged / ben.n)}% (target ≤ 2), benign_tricky ${pct(tricky.flagged / tricky.n)}% (target ≤ 10)`);
out.push('');
out.push('| channel | precision | recall | F1 | TPR @1% FPR | TPR @5% FPR |');
out.push('|---|---|---|---|---|---|');
for (const ch of ['prompt', 'document', 'all']) {
  const f = (r: Row) => ch === 'all' || r.channel === ch;
  const tp = rate((r) => f(r) && isAttack(r)).flagged;
  const pos = rate((r) => f(r) && isAttack(r)).n;
  const fp = rate((r) => f(r) && !isAttack(r)).flagged;
  const p = tp / Math.max(1, tp + fp);
  const rc = tp / Math.max(1, pos);
  const f1 = (2 * p * rc) / Math.max(1e-9, p + rc);
  const t1 = tprAtFpr(f, 0.01);
  const t5 = tprAtFpr(f, 0.05);
  out.push(`| ${ch} | ${p.toFixed(3)} | ${rc.toFixed(3)} | ${f1.toFixed(3)} | ${t1.tpr.toFixed(3)} (t=${t1.threshold.toFixed(2)}) | ${t5.tpr.toFixed(3)} (t=${t5.threshold.toFixed(2)}) |`);
}
out.push('');
out.push(`time: ${rows.length} texts, ${(chars / 1e6).toFixed(2)} MB in ${seconds.toFixed(2)} s, JIT warm-up included (use --bench for throughput)`);

const misses = Number(values.misses);
if (misses > 0) {
  for (const k of kinds) {
    const [kind, channel] = k.split('|');
    const wrong = rows
      .map((r, i) => [r, i] as const)
      .filter(([r, i]) => r.kind === kind && r.channel === channel && (isAttack(r) ? scores[i]! < thresholdOf(r) : scores[i]! >= thresholdOf(r)))
      .slice(0, misses)
      .map(([, i]) => `${i + 1}:${scores[i]!.toFixed(2)}`);
    if (wrong.length) out.push(`${kind}/${channel} wrong (row:score): ${wrong.join(' ')}`);
  }
}
console.log(values.json ? JSON.stringify({ rows: rows.length, scores }) : out.join('\n'));
