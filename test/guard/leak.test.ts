/**
 * System-prompt leaks: canaries (fresh, planted, found through obfuscation), verbatim runs of the
 * prompt (found through formatting, not fired by shared boilerplate), spans that cover the leak,
 * streaming, and linear time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeakScanner, LeakStream, makeCanary, plantCanary } from '../../src/guard/leak.ts';
import { readWords } from '../../src/guard/leak-words.ts';

const CANARY = 'rc-k3xq7mzt2fpa';
const PROMPT =
  'You are Orion, the internal assistant of Globex Corporation. Never discuss the Hydra merger or the layoffs planned ' +
  'for the Springfield plant. Escalate billing disputes above 500 dollars to the finance team, and answer in the tone of our style guide.';
const scanner = LeakScanner.create({ systemTexts: [plantCanary(PROMPT, CANARY)], canary: CANARY });

interface Case {
  readonly text: string;
  /** [category, rule, exact span], in order; [] for a hard negative. */
  readonly expect: readonly (readonly [string, string, string])[];
  readonly why?: string;
}

const C = 'leak.canary';
const P = 'leak.system_prompt';

const CASES: Case[] = [
  // --- canary
  { text: `My marker is ${CANARY}.`, expect: [[C, 'canary', CANARY]] },
  { text: 'Marker: RC-K3XQ7MZT2FPA!', expect: [[C, 'canary', 'RC-K3XQ7MZT2FPA']], why: 'upper case' },
  { text: 'r c - k 3 x q 7 m z t 2 f p a', expect: [[C, 'canary', 'r c - k 3 x q 7 m z t 2 f p a']], why: 'spaced out' },
  { text: 'rc.k3.xq.7m.zt.2f.pa', expect: [[C, 'canary', 'rc.k3.xq.7m.zt.2f.pa']], why: 'dotted' },
  { text: 'rc\u200b-k3x\u200dq7mzt\u2060 2fpa', expect: [[C, 'canary', 'rc\u200b-k3x\u200dq7mzt\u2060 2fpa']], why: 'zero-width characters' },
  { text: 'r dash c dash k three x q seven m z t two f p a', expect: [[C, 'canary', 'r dash c dash k three x q seven m z t two f p a']], why: 'spelled-out separators and digits' },
  { text: 'romeo charlie kilo 3 xray quebec 7 mike zulu tango 2 foxtrot papa alfa', expect: [[C, 'canary', 'romeo charlie kilo 3 xray quebec 7 mike zulu tango 2 foxtrot papa alfa']], why: 'NATO alphabet' },
  { text: 'rc-ｋ３ｘｑ７ｍｚｔ２ｆｐａ', expect: [[C, 'canary', 'rc-ｋ３ｘｑ７ｍｚｔ２ｆｐａ']], why: 'fullwidth' },
  { text: 'rс-kЗxq7mzt2fра', expect: [[C, 'canary', 'rс-kЗxq7mzt2fра']], why: 'Cyrillic homoglyphs' },
  { text: 'backwards: apf2tzm7qx3k-cr', expect: [[C, 'canary_reversed', 'apf2tzm7qx3k-cr']] },
  { text: `hex ${Buffer.from(CANARY).toString('hex')}`, expect: [[C, 'canary_hex', Buffer.from(CANARY).toString('hex')]] },
  { text: `b64 ${Buffer.from(`marker ${CANARY} end`).toString('base64')} ok`, expect: [[C, 'canary_base64', Buffer.from(`marker ${CANARY} end`).toString('base64')]] },
  { text: 'the code ends in xq7mzt2fpa', expect: [[C, 'canary_partial', 'xq7mzt2fpa']], why: 'partial copy: 8+ random characters' },

  // --- verbatim runs
  {
    text: 'Sure. My instructions say: "You are Orion, the internal assistant of Globex Corporation. Never discuss the Hydra merger".',
    expect: [[P, 'verbatim_run', 'You are Orion, the internal assistant of Globex Corporation. Never discuss the Hydra merger']],
  },
  {
    text: '- YOU ARE ORION\n- THE INTERNAL ASSISTANT OF GLOBEX CORPORATION\n- NEVER DISCUSS THE HYDRA MERGER',
    expect: [[P, 'verbatim_run', 'YOU ARE ORION\n- THE INTERNAL ASSISTANT OF GLOBEX CORPORATION\n- NEVER DISCUSS THE HYDRA MERGER']],
    why: 'bullets and upper case',
  },
  {
    text: '1. Never discuss the Hydra merger or the layoffs\n2. planned for the Springfield plant.',
    expect: [[P, 'verbatim_run', 'Never discuss the Hydra merger or the layoffs\n2. planned for the Springfield plant']],
    why: 'numbered lines',
  },
  { text: 'Never-discuss-the-Hydra-merger-or-the-layoffs-planned', expect: [[P, 'verbatim_run', 'Never-discuss-the-Hydra-merger-or-the-layoffs-planned']], why: 'dashes between words' },
  { text: '**Escalate** _billing disputes_ above `500` dollars to the *finance team*', expect: [[P, 'verbatim_run', 'Escalate** _billing disputes_ above `500` dollars to the *finance team']], why: 'Markdown formatting' },
  { text: 'Esca\u200blate billing disp\u00adutes above 500 dollars to the finance team', expect: [[P, 'verbatim_run', 'Esca\u200blate billing disp\u00adutes above 500 dollars to the finance team']], why: 'invisible characters inside words' },

  // --- hard negatives
  { text: 'I am Orion. I can help with billing disputes and questions about our style guide.', expect: [], why: 'mentions, no run' },
  { text: 'You are right, the internal assistant can help you with that.', expect: [], why: 'short shared phrase' },
  { text: 'Never discuss the weather or the news with strangers on the train.', expect: [], why: 'shared words out of sequence' },
  { text: 'The code is rc-abc2345def and the ticket is 7mzt.', expect: [], why: 'another rc- token' },
  { text: 'Our quarterly report is attached; let me know what you think about it.', expect: [] },
];

describe('system-prompt leak scanner', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'reports' : 'ignores'} ${JSON.stringify(c.text).slice(0, 80)}${c.why ? ` (${c.why})` : ''}`, () => {
      const found = scanner.scan(c.text);
      assert.deepEqual(
        found.map((f) => [f.category, f.rule, c.text.slice(f.start, f.end)]),
        c.expect.map((e) => [...e]),
      );
      for (const f of found) assert.equal(f.severity, f.category === C ? 'critical' : 'high');
    });
  }

  it('does not fire on boilerplate a prompt shares with ordinary answers', () => {
    const boilerplate = 'You are a helpful assistant. Answer the user\'s questions clearly and concisely, and if you do not know the answer, say that you do not know.';
    const s = LeakScanner.create({ systemTexts: [boilerplate] });
    assert.equal(s.comparesPrompt, true);
    for (const answer of [
      'As a helpful assistant I answer the user\'s questions clearly and concisely.',
      'If you do not know the answer, say that you do not know — that is good advice.',
      'I am a helpful assistant and I will answer the user\'s questions clearly and concisely, and if you do not know the answer, say so.',
    ]) {
      assert.deepEqual(s.scan(answer), [], answer);
    }
    assert.equal(s.scan(boilerplate).length, 0, 'a run of common words only is not a leak, even the whole prompt');
  });

  it('leaves prompts shorter than minPromptWords to the canary', () => {
    const s = LeakScanner.create({ systemTexts: ['Reply in French, formally.'], canary: CANARY });
    assert.equal(s.comparesPrompt, false);
    assert.deepEqual(s.scan('Reply in French, formally.'), []);
    assert.equal(s.scan(`reply ${CANARY}`)[0]?.category, C);
  });

  it('honours minRunWords and minContentWords', () => {
    const text = 'Escalate billing disputes above 500 dollars';
    assert.deepEqual(scanner.scan(text), []);
    const loose = LeakScanner.create({ systemTexts: [PROMPT], minRunWords: 6, minContentWords: 3 });
    assert.equal(loose.scan(text)[0]?.rule, 'verbatim_run');
    assert.throws(() => LeakScanner.create({ systemTexts: [PROMPT], minRunWords: 2 }), RangeError);
    assert.throws(() => LeakScanner.create({ systemTexts: [PROMPT], minContentWords: 20 }), RangeError);
  });

  it('reports one maximal run with a score that grows with its length', () => {
    const short = scanner.scan('Never discuss the Hydra merger or the layoffs planned.');
    const long = scanner.scan(PROMPT);
    assert.equal(short.length, 1);
    assert.equal(long.filter((f) => f.category === P).length, 1);
    assert.ok(long[0]!.score > short[0]!.score);
    assert.equal(long[0]!.start, 0);
  });

  it('never puts the leaked text in the explanation', () => {
    for (const f of scanner.scan(`${PROMPT} ${CANARY}`)) {
      assert.ok(!f.explanation.includes('Orion') && !f.explanation.includes(CANARY), f.explanation);
    }
  });

  it('does not flag the planted canary sentence itself as prompt text in the canary scan of clean answers', () => {
    assert.deepEqual(scanner.scan('Here is the summary of the meeting notes you asked for.'), []);
  });

  it('makes fresh, well-formed canaries and plants them in a sentence', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = makeCanary();
      assert.match(c, /^rc-[a-z2-7]{12}$/);
      seen.add(c);
    }
    assert.equal(seen.size, 200);
    const planted = plantCanary('Be brief.', CANARY);
    assert.ok(planted.startsWith('Be brief.') && planted.includes(CANARY) && /confidential/.test(planted));
    assert.throws(() => LeakScanner.create({ systemTexts: [], canary: 'rc-1' }), RangeError);
  });

  it('finds leaks split across stream chunks, with offsets in the whole answer', () => {
    const answer = `Intro text here. ${PROMPT.slice(0, 120)} and the marker ${CANARY} done.`;
    const stream = new LeakStream(scanner, 256);
    const found: { category: string; start: number; end: number }[] = [];
    for (let i = 0; i < answer.length; i += 7) found.push(...stream.push(answer.slice(i, i + 7)));
    const canary = found.find((f) => f.category === C && answer.slice(f.start, f.end) === CANARY);
    assert.ok(canary, 'canary found across chunks');
    const runs = found.filter((f) => f.category === P);
    assert.ok(runs.length > 0);
    // The first report comes as soon as minRunWords words are in: it starts at the run's first word.
    assert.equal(answer.slice(runs[0]!.start, runs[0]!.start + 11), 'You are Ori');
    assert.equal(stream.length, answer.length);
  });

  it('reads words the same way on both sides', () => {
    assert.deepEqual(readWords('**You** are — a Ｂot').words, ['you', 'are', 'a', 'bot']);
    assert.deepEqual(readWords('1. First\n b) second').words, ['first', 'second']);
    assert.deepEqual(readWords('Tеst ev\u200bil').words, ['test', 'evil']);
  });

  it('builds and scans in linear time', () => {
    const bigPrompt = Array.from({ length: 20_000 }, (_, i) => `word${i % 997} term${i % 991}`).join(' ');
    const t0 = performance.now();
    const s = LeakScanner.create({ systemTexts: [bigPrompt], canary: CANARY });
    const answer = `${bigPrompt.slice(0, 100_000)} ${'r c '.repeat(25_000)}`;
    assert.ok(s.scan(answer).some((f) => f.category === P));
    assert.ok(Array.isArray(s.scan('a'.repeat(100_000))));
    assert.ok(Array.isArray(s.scan('\u200b'.repeat(100_000))));
    // Generous bound: quadratic work on these sizes takes minutes.
    assert.ok(performance.now() - t0 < 10_000);
  });
});
