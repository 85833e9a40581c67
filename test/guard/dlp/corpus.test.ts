/**
 * The labelled DLP corpus: it is what its generator writes (so nobody edits it by hand), and every
 * structured type keeps span-level F1 >= 0.95 on it, so a detector regression fails CI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CORPUS_PATH, makeCorpus, serialize } from '../../../scripts/make-dlp-corpus.ts';
import { BEST_EFFORT_TYPES, F1_TARGET, evaluate, readCorpus } from '../../../scripts/eval-dlp.ts';

describe('DLP corpus', () => {
  it('is exactly what scripts/make-dlp-corpus.ts generates', () => {
    assert.ok(readFileSync(CORPUS_PATH, 'utf8') === serialize(makeCorpus()), 'corpus is stale: run node scripts/make-dlp-corpus.ts');
  });

  it('labels spans that lie inside their text and do not overlap', () => {
    for (const row of readCorpus(CORPUS_PATH)) {
      const spans = [...row.spans].sort((a, b) => a.start - b.start);
      for (const [i, span] of spans.entries()) {
        assert.ok(span.start >= 0 && span.end <= row.text.length && span.start < span.end);
        assert.ok(i === 0 || spans[i - 1]!.end <= span.start, `overlapping gold spans in ${JSON.stringify(row.text.slice(0, 60))}`);
      }
    }
  });

  it(`keeps span F1 >= ${F1_TARGET} for every structured type`, () => {
    const { perType } = evaluate(readCorpus(CORPUS_PATH));
    const below = perType.filter((m) => !BEST_EFFORT_TYPES.has(m.type) && m.f1 < F1_TARGET).map((m) => `${m.type} F1 ${m.f1.toFixed(3)}`);
    assert.deepEqual(below, []);
    assert.ok(perType.filter((m) => !BEST_EFFORT_TYPES.has(m.type)).length >= 30, 'every structured type is in the corpus');
  });
});
