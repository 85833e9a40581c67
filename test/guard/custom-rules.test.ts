import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customRulesDetector } from '../../src/guard/detectors/custom-rules.ts';
import { NfkcOffsets } from '../../src/guard/normalize/nfkc-offsets.ts';
import type { Finding } from '../../src/guard/types.ts';

const make = (rules: unknown[]) => customRulesDetector.create(customRulesDetector.optionsSchema.parse({ rules }), { assetsDir: '.' });
const run = (detect: ReturnType<typeof make>, text: string) => detect({ text, channel: 'user' }) as readonly Finding[];

describe('custom rules', () => {
  it('matches keywords as whole words, case-insensitively, and reports custom.<name> spans', () => {
    const detect = make([{ name: 'codenames', keywords: ['Project Zeus', 'apollo'] }]);
    const found = run(detect, 'The project  zeus plan and APOLLO, not apollonian.');
    assert.deepEqual(found.map((f) => [f.category, f.start, f.end]), [['custom.codenames', 4, 17], ['custom.codenames', 27, 33]]);
  });

  it('matches keywords inside identifiers and phrases written with _, - or .', () => {
    const detect = make([{ name: 'codenames', keywords: ['project nightingale', 'zeus'] }]);
    for (const text of ['see project_nightingale', 'see PROJECT-NIGHTINGALE now', 'see project.nightingale', 'ZEUS_API_KEY=1', 'export zeus_token']) {
      assert.equal(run(detect, text).length, 1, text);
    }
    for (const text of ['zeusapp', 'projectnightingale', 'the zeuss']) assert.equal(run(detect, text).length, 0, text);
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

  it('maps spans found after NFKC folding back onto the original characters', () => {
    const detect = make([{ name: 'token', patterns: ['tok_[a-z0-9]{4}'] }, { name: 'word', keywords: ['café', 'swordfish'] }]);
    const cases: [string, string[]][] = [
      // A ligature before the value: the folded text is one character longer.
      ['ﬁle: tok_ab12 ok', ['tok_ab12']],
      // One character longer and one shorter: same length, shifted offsets.
      ['ﬁ tok_ab12 e\u0301', ['tok_ab12']],
      // Full-width letters fold to ASCII; the span covers the full-width original.
      ['key ｔｏｋ＿ａｂ１２ here', ['ｔｏｋ＿ａｂ１２']],
      // A decomposed accent folds into one character; the span keeps the mark.
      ['the cafe\u0301 and ½ of a swordfish', ['cafe\u0301', 'swordfish']],
      ['\u{1F600} ﬀ tok_ab12', ['tok_ab12']],
      // Long text: the value sits in a later block than the ligature.
      [`ﬁ ${'re\u0301sume\u0301 word '.repeat(600)}tok_ab12 end`, ['tok_ab12']],
    ];
    for (const [text, values] of cases) {
      assert.deepEqual(run(detect, text).map((f) => text.slice(f.start, f.end)).sort(), [...values].sort(), JSON.stringify(text.slice(0, 40)));
    }
  });

  it('maps every folded character back to the characters it came from, in long and short texts', () => {
    // Ligatures, marks that compose or reorder, conjoining and compatibility jamo, half-width kana
    // and their voicing marks, astral characters, CJK: each folded character's span must fold to it.
    const pool = ['a', ' ', 'ﬁ', '\u0301', '\u0316', 'ｶ', 'ﾞ', '\u1100', '\u1161', '\u11A8', '가', 'ㄱ', 'ㅏ', 'ㄳ', '\u326E', '½', '\u{1F600}', 'A\u030A', '\u212B', 'ｔ', '\u0F73', '\u0CC6', '\u0CD5', 'ெ', 'ா', '\u1E9B\u0323', '\uFB2C', '日', 'か', '\u3099', '\u00A0'];
    let seed = 7;
    const pick = () => pool[((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % pool.length]!;
    for (let n = 0; n < 200; n++) {
      let text = '';
      for (let i = 0, len = n % 20 === 0 ? 3000 : 1 + (n % 12); i < len; i++) text += pick();
      const folded = text.normalize('NFKC');
      const offsets = new NfkcOffsets(text, folded);
      let prev = 0;
      for (let i = 0; i < folded.length; ) {
        const ch = String.fromCodePoint(folded.codePointAt(i)!);
        const [start, end] = offsets.span(i, i + ch.length);
        assert.ok(start >= prev && text.slice(start, end).normalize('NFKC').includes(ch), `${JSON.stringify(text.slice(0, 30))} at ${i}`);
        assert.ok(text.length <= 12 || end - start < text.length, 'mapped without falling back to the whole text');
        prev = start;
        i += ch.length;
      }
    }
  });

  it('finds a keyword again right after itself', () => {
    const found = run(make([{ name: 'w', keywords: ['swordfish'] }]), 'swordfish swordfish,swordfish');
    assert.deepEqual(found.map((f) => [f.start, f.end]), [[0, 9], [10, 19], [20, 29]]);
  });

  it('explanations never contain the matched text', () => {
    const [f] = run(make([{ name: 'secret_word', keywords: ['swordfish'] }]), 'the password is swordfish');
    assert.ok(f && !f.explanation.includes('swordfish'));
  });
});
