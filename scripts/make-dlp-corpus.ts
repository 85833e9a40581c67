/**
 * Writes the labelled DLP corpus, test/fixtures/dlp/corpus.jsonl: one JSON object per line,
 * `{ text, spans: [{ start, end, type }], style }`, spans in UTF-16 offsets, types the detectors'
 * categories (`pii.email`, `secret.github_token`, …). Deterministic: a fixed seed, so re-running
 * rewrites the same bytes (test/guard/dlp/corpus.test.ts checks that).
 *
 *   node scripts/make-dlp-corpus.ts            # writes the file
 *   node scripts/make-dlp-corpus.ts --check    # exits 1 when the file differs from the generator
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { NEGATIVE_TEMPLATES } from './dlp-corpus/templates-negatives.ts';
import { PII_TEMPLATES } from './dlp-corpus/templates-pii.ts';
import { SECRET_TEMPLATES } from './dlp-corpus/templates-secrets.ts';
import { Rng } from './dlp-corpus/random.ts';
import type { Row } from './dlp-corpus/row.ts';
import { helpAndExit } from './lib/usage.ts';

helpAndExit(import.meta.url);

export const CORPUS_PATH = 'test/fixtures/dlp/corpus.jsonl';
const SEED = 0x0d1f_2025;
/** Rows per template group; each template is drawn round-robin so all are represented. */
const COUNTS = { pii: 1000, secrets: 800, negatives: 600 } as const;

/** The corpus for `seed`; other seeds give fresh draws of the same templates (for probing). */
export function makeCorpus(seed = SEED): Row[] {
  const r = new Rng(seed);
  const rows: Row[] = [];
  const groups = [
    [PII_TEMPLATES, COUNTS.pii],
    [SECRET_TEMPLATES, COUNTS.secrets],
    [NEGATIVE_TEMPLATES, COUNTS.negatives],
  ] as const;
  for (const [templates, count] of groups) {
    for (let i = 0; i < count; i++) rows.push(templates[i % templates.length]!(r));
  }
  // Shuffle (Fisher-Yates, same PRNG) so styles interleave.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

export function serialize(rows: readonly Row[]): string {
  return rows.map((row) => JSON.stringify({ text: row.text, spans: row.spans, style: row.style })).join('\n') + '\n';
}

if (import.meta.main) {
  const out = serialize(makeCorpus());
  if (process.argv.includes('--check')) {
    const current = readFileSync(CORPUS_PATH, 'utf8');
    if (current !== out) {
      process.stderr.write(`${CORPUS_PATH} is out of date: run node scripts/make-dlp-corpus.ts\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(CORPUS_PATH, out);
    process.stdout.write(`wrote ${out.split('\n').length - 1} rows to ${CORPUS_PATH}\n`);
  }
}
