import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iou, spanMetrics } from '../../../src/guard/eval/span-metrics.ts';

const s = (start: number, end: number, type = 'pii.email') => ({ start, end, type });
const row = (m: ReturnType<typeof spanMetrics>, type: string) => m.perType.find((t) => t.type === type)!;

describe('span metrics', () => {
  it('computes intersection over union of half-open spans', () => {
    assert.equal(iou(s(0, 10), s(0, 10)), 1);
    assert.equal(iou(s(0, 10), s(5, 15)), 5 / 15);
    assert.equal(iou(s(0, 10), s(10, 20)), 0);
  });

  it('counts an exact match as a true positive', () => {
    const m = spanMetrics([{ gold: [s(3, 20)], predicted: [s(3, 20)] }]);
    assert.deepEqual(row(m, 'pii.email'), { type: 'pii.email', tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, support: 1 });
  });

  it('matches at IoU >= 0.5 and not below', () => {
    const at = spanMetrics([{ gold: [s(0, 10)], predicted: [s(0, 5)] }]);
    assert.equal(row(at, 'pii.email').tp, 1);
    const below = spanMetrics([{ gold: [s(0, 10)], predicted: [s(0, 4)] }]);
    assert.deepEqual([row(below, 'pii.email').tp, row(below, 'pii.email').fp, row(below, 'pii.email').fn], [0, 1, 1]);
  });

  it('matches one to one: a duplicate prediction is a false positive', () => {
    const m = spanMetrics([{ gold: [s(0, 10)], predicted: [s(0, 10), s(0, 9)] }]);
    assert.deepEqual([row(m, 'pii.email').tp, row(m, 'pii.email').fp], [1, 1]);
  });

  it('never matches across types', () => {
    const m = spanMetrics([{ gold: [s(0, 10, 'pii.phone')], predicted: [s(0, 10, 'pii.us_ssn')] }]);
    assert.equal(row(m, 'pii.phone').fn, 1);
    assert.equal(row(m, 'pii.us_ssn').fp, 1);
    assert.equal(row(m, 'pii.phone').f1, 0);
  });

  it('prefers the best-overlapping pairs when spans compete', () => {
    const m = spanMetrics([{ gold: [s(0, 10), s(12, 22)], predicted: [s(1, 11), s(12, 22)] }]);
    assert.equal(row(m, 'pii.email').tp, 2);
  });

  it('sums over documents and reports a micro average', () => {
    const m = spanMetrics([
      { gold: [s(0, 5)], predicted: [s(0, 5)] },
      { gold: [s(0, 5, 'pii.phone')], predicted: [] },
      { gold: [], predicted: [s(0, 5, 'secret.jwt')] },
    ]);
    assert.deepEqual(m.perType.map((t) => t.type), ['pii.email', 'pii.phone', 'secret.jwt']);
    assert.deepEqual([m.micro.tp, m.micro.fp, m.micro.fn], [1, 1, 1]);
    assert.equal(m.micro.precision, 0.5);
  });

  it('refuses a threshold outside (0, 1]', () => {
    assert.throws(() => spanMetrics([], 0));
    assert.throws(() => spanMetrics([], 1.5));
  });
});
