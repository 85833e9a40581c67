/**
 * The independent DLP set (written apart from the detectors, to measure them on other wording):
 * it is what its generator writes, so nobody edits offsets by hand. It is measured with
 * `node scripts/eval-dlp.ts test/fixtures/dlp/independent.jsonl`, not held to a score here, so
 * that it does not become one more set the detectors are tuned to.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { INDEPENDENT_PATH, makeIndependentSet, serialize } from '../../../scripts/make-dlp-independent.ts';
import { readCorpus } from '../../../scripts/eval-dlp.ts';

describe('independent DLP set', () => {
  it('is exactly what scripts/make-dlp-independent.ts generates', () => {
    assert.ok(readFileSync(INDEPENDENT_PATH, 'utf8') === serialize(makeIndependentSet()), 'set is stale: run node scripts/make-dlp-independent.ts');
  });

  it('labels spans that lie inside their text, do not overlap and have no blanks at their edges', () => {
    for (const row of readCorpus(INDEPENDENT_PATH)) {
      const spans = [...row.spans].sort((a, b) => a.start - b.start);
      for (const [i, span] of spans.entries()) {
        assert.ok(span.start >= 0 && span.end <= row.text.length && span.start < span.end);
        assert.ok(i === 0 || spans[i - 1]!.end <= span.start, `overlapping gold spans in ${JSON.stringify(row.text.slice(0, 60))}`);
        const value = row.text.slice(span.start, span.end);
        assert.equal(value, value.trim());
      }
    }
  });
});
