/**
 * Runs every DLP detector (default options) over a labelled JSONL corpus and prints span-level
 * precision / recall / F1 per type (src/guard/eval/span-metrics.ts states the matching rule).
 * Structured types have a target of F1 >= 0.95; person names and addresses are best effort and
 * are listed apart.
 *
 *   node scripts/eval-dlp.ts [corpus.jsonl] [--iou 0.5] [--errors 5] [--json]
 *   node scripts/eval-dlp.ts --bench      # all DLP detectors on 2 KB prompts, one core
 */
import { readFileSync } from 'node:fs';
import { DLP_DETECTORS } from '../src/guard/detectors/dlp-index.ts';
import { spanMetrics, type LabelledSpan, type TypeMetrics } from '../src/guard/eval/span-metrics.ts';
import type { DetectFn } from '../src/guard/types.ts';
import { helpAndExit } from './lib/usage.ts';

helpAndExit(import.meta.url);

export const BEST_EFFORT_TYPES: ReadonlySet<string> = new Set(['pii.person_name', 'pii.postal_address']);
export const F1_TARGET = 0.95;

export interface CorpusRow {
  readonly text: string;
  readonly spans: readonly LabelledSpan[];
}

export function readCorpus(path: string): CorpusRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusRow);
}

export function dlpDetectFns(): DetectFn[] {
  return DLP_DETECTORS.map((d) => d.create(d.optionsSchema.parse({}) as never, { assetsDir: 'assets' }));
}

/** Predicted spans for one text: every finding of every DLP detector, as (start, end, category). */
export function predict(detectors: readonly DetectFn[], text: string): LabelledSpan[] {
  const out: LabelledSpan[] = [];
  for (const detect of detectors) {
    const findings = detect({ text, channel: 'user' });
    if (findings instanceof Promise) throw new Error('DLP detectors are synchronous');
    for (const f of findings) out.push({ start: f.start, end: f.end, type: f.category });
  }
  return out;
}

export function evaluate(rows: readonly CorpusRow[], minIou = 0.5) {
  const detectors = dlpDetectFns();
  const docs = rows.map((row) => ({ gold: row.spans, predicted: predict(detectors, row.text), text: row.text }));
  return { ...spanMetrics(docs, minIou), docs };
}

const PROSE = [
  'Can you help me refactor this function so that it handles errors more gracefully? ',
  'The quarterly report shows revenue grew 12% year over year, driven by enterprise deals in EMEA. ',
  'Summarize the following customer feedback and list the three most common complaints. ',
  'const result = await fetch(url, { method: "POST", body: JSON.stringify(payload) });\n',
  'We met on Tuesday to discuss the migration plan; the team agreed to move the database first. ',
  'for (let i = 0; i < items.length; i++) { total += items[i].price * items[i].qty; }\n',
];

/**
 * Throughput of all DLP detectors together on 2 KB prompts of three kinds: prose only, prose with
 * one corpus row (a realistic leak), and corpus rows only (text packed with values). Best of
 * several rounds, so a busy machine shows less; p50/p99 are per prompt from the best round.
 */
function bench(rows: readonly CorpusRow[]): string {
  const detectors = dlpDetectFns();
  const make = (i: number, kind: 'prose' | 'one row' | 'rows only') => {
    let t = kind === 'one row' ? `${rows[(i * 37) % rows.length]!.text}\n` : '';
    for (let k = i; t.length < 2048; k++) t += kind === 'rows only' ? `${rows[(k * 7) % rows.length]!.text}\n` : PROSE[k % PROSE.length];
    // A JSON round trip gives the flat string a request body would be.
    return JSON.parse(JSON.stringify(t.slice(0, 2048))) as string;
  };
  const lines: string[] = [];
  for (const kind of ['prose', 'one row', 'rows only'] as const) {
    const prompts = Array.from({ length: 200 }, (_, i) => make(i, kind));
    let best: number[] = [];
    for (let round = 0; round < 10; round++) {
      const times = prompts.map((text) => {
        const t = performance.now();
        for (const detect of detectors) detect({ text, channel: 'user' });
        return performance.now() - t;
      });
      if (best.length === 0 || times.reduce((a, b) => a + b) < best.reduce((a, b) => a + b)) best = times;
    }
    const total = best.reduce((a, b) => a + b);
    const sorted = [...best].sort((a, b) => a - b);
    const mbps = (prompts.length * 2048) / 1e6 / (total / 1000);
    lines.push(`${kind.padEnd(10)} ${mbps.toFixed(1).padStart(6)} MB/s   p50 ${(sorted[sorted.length >> 1]! * 1000).toFixed(0)} µs   p99 ${(sorted[Math.floor(sorted.length * 0.99)]! * 1000).toFixed(0)} µs`);
  }
  return `All ${DLP_DETECTORS.length} DLP detectors, 2 KB prompts, one core:\n${lines.join('\n')}\n`;
}

function table(rows: readonly TypeMetrics[]): string {
  const head = `${'type'.padEnd(34)} ${'support'.padStart(7)} ${'tp'.padStart(5)} ${'fp'.padStart(5)} ${'fn'.padStart(5)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'f1'.padStart(6)}`;
  const lines = rows.map(
    (m) =>
      `${m.type.padEnd(34)} ${String(m.support).padStart(7)} ${String(m.tp).padStart(5)} ${String(m.fp).padStart(5)} ${String(m.fn).padStart(5)} ${m.precision.toFixed(3).padStart(9)} ${m.recall.toFixed(3).padStart(7)} ${m.f1.toFixed(3).padStart(6)}${!BEST_EFFORT_TYPES.has(m.type) && m.type !== '(all)' && m.f1 < F1_TARGET ? '  < target' : ''}`,
  );
  return [head, ...lines].join('\n');
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args.splice(i, 2)[1];
  };
  const minIou = Number(flag('--iou') ?? 0.5);
  const errors = Number(flag('--errors') ?? 0);
  const json = args.includes('--json');
  const path = args.find((a) => !a.startsWith('--')) ?? 'test/fixtures/dlp/corpus.jsonl';
  const rows = readCorpus(path);
  if (args.includes('--bench')) {
    process.stdout.write(bench(rows));
    process.exit(0);
  }
  const started = performance.now();
  const { perType, micro, docs } = evaluate(rows, minIou);
  const ms = performance.now() - started;
  if (json) {
    process.stdout.write(`${JSON.stringify({ corpus: path, rows: rows.length, minIou, perType, micro }, null, 2)}\n`);
  } else {
    const structured = perType.filter((m) => !BEST_EFFORT_TYPES.has(m.type));
    const bestEffort = perType.filter((m) => BEST_EFFORT_TYPES.has(m.type));
    process.stdout.write(`${path}: ${rows.length} rows, IoU >= ${minIou}, ${ms.toFixed(0)} ms\n\nStructured types (target F1 >= ${F1_TARGET})\n${table([...structured, micro])}\n\nBest effort\n${table(bestEffort)}\n`);
  }
  if (errors > 0) {
    // Show a few misses and false alarms per type, to guide fixes (values are from the synthetic corpus).
    const shown = new Map<string, number>();
    for (const d of docs) {
      for (const g of d.gold) {
        if (d.predicted.some((p) => p.type === g.type && Math.min(p.end, g.end) - Math.max(p.start, g.start) > 0)) continue;
        const k = `FN ${g.type}`;
        if ((shown.get(k) ?? 0) >= errors) continue;
        shown.set(k, (shown.get(k) ?? 0) + 1);
        process.stdout.write(`${k}: ${JSON.stringify(d.text.slice(Math.max(0, g.start - 40), g.end + 20))} gold=${JSON.stringify(d.text.slice(g.start, g.end))}\n`);
      }
      for (const p of d.predicted) {
        if (d.gold.some((g) => p.type === g.type && Math.min(p.end, g.end) - Math.max(p.start, g.start) > 0)) continue;
        const k = `FP ${p.type}`;
        if ((shown.get(k) ?? 0) >= errors) continue;
        shown.set(k, (shown.get(k) ?? 0) + 1);
        process.stdout.write(`${k}: ${JSON.stringify(d.text.slice(Math.max(0, p.start - 40), p.end + 20))} pred=${JSON.stringify(d.text.slice(p.start, p.end))}\n`);
      }
    }
  }
}
