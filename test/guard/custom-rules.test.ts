import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customRulesDetector } from '../../src/guard/detectors/custom-rules.ts';
import type { Finding } from '../../src/guard/types.ts';

const make = (rules: unknown[]) => customRulesDetector.create(customRulesDetector.optionsSchema.parse({ rules }), { assetsDir: '.' });
const run = (detect: ReturnType<typeof make>, text: string) => detect({ text, channel: 'user' }) as readonly Finding[];

describe('custom rules', () => {
  it('matches keywords as whole words, case-insensitively, and reports custom.<name> spans', () => {
    const detect = make([{ name: 'codenames', keywords: ['Project Zeus', 'apollo'] }]);
    const found = run(detect, 'The project  zeus plan and APOLLO, not apollonian.');
    assert.deepEqual(found.map((f) => [f.category, f.start, f.end]), [['custom.codenames', 4, 17], ['custom.codenames', 27, 33]]);
  });

  it('matches RE2 patterns', () => {
    const found = run(make([{ name: 'ticket', patterns: ['INC-[0-9]{6}'] }]), 'see INC-123456 and INC-12');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.start, 4);
  });

  it('runs a pattern that would hang a backtracking engine in linear time', () => {
    const detect = make([{ name: 'evil', patterns: ['(a+)+$', '(x|x)*y'] }]);
    const text = `${'a'.repeat(200_000)}!${'x'.repeat(200_000)}`;
    const t0 = performance.now();
    run(detect, text);
    assert.ok(performance.now() - t0 < 2000);
  });

  it('refuses patterns RE2 cannot run in linear time (backreferences, lookaround)', () => {
    assert.equal(customRulesDetector.optionsSchema.safeParse({ rules: [{ name: 'x', patterns: ['(a)\\1'] }] }).success, false);
    assert.equal(customRulesDetector.optionsSchema.safeParse({ rules: [{ name: 'x', patterns: ['a(?=b)'] }] }).success, false);
  });

  it('explanations never contain the matched text', () => {
    const [f] = run(make([{ name: 'secret_word', keywords: ['swordfish'] }]), 'the password is swordfish');
    assert.ok(f && !f.explanation.includes('swordfish'));
  });
});
