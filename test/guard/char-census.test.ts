/**
 * The census loop against plain regular-expression definitions of what it counts, on random texts
 * over the alphabet that matters (digits, hex letters, other letters, token punctuation, padding,
 * spaces, colons, non-ASCII) and on a few written cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charCensus, letterGate, letterTrigrams, MAX_BASE64_RUNS } from '../../src/guard/normalize/char-census.ts';
import { contextWords } from '../../src/guard/detectors/dlp/context.ts';

/** The letter trigrams and single letters of a text, from its letter runs. */
function lettersOracle(text: string): { trigrams: Uint32Array; singles: number } {
  const trigrams = new Uint32Array(1024);
  let singles = 0;
  const set = (code: number) => (trigrams[code >>> 5]! |= 1 << (code & 31));
  for (const [run] of text.matchAll(/[A-Za-z]+/g)) {
    const c = [...run].map((ch) => ch.charCodeAt(0) & 31);
    set(c[0]!);
    if (c.length === 1) singles |= 1 << c[0]!;
    if (c.length >= 2) set((c[0]! << 5) | c[1]!);
    for (let i = 2; i < c.length; i++) set((c[i - 2]! << 10) | (c[i - 1]! << 5) | c[i]!);
  }
  return { trigrams, singles };
}

/** The shortest stretch holding k digits, by brute force. */
function digitSpan(text: string, k: number): number {
  const at = [...text].flatMap((ch, i) => (ch >= '0' && ch <= '9' ? [i] : []));
  let best = Infinity;
  for (let i = 0; i + k <= at.length; i++) best = Math.min(best, at[i + k - 1]! - at[i]! + 1);
  return best;
}

function oracle(text: string) {
  return {
    digitSpan6: digitSpan(text, 6),
    digitSpan9: digitSpan(text, 9),
    digitSpan12: digitSpan(text, 12),
    ...lettersOracle(text),
    digits: (text.match(/[0-9]/g) ?? []).length,
    uppers: (text.match(/[A-Z]/g) ?? []).length,
    digitRun7: /[0-9]{7}/.test(text),
    longToken: /[A-Za-z0-9_+/=.~:-]{16}/.test(text),
    base64Runs: [...text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)].map((m) => [m.index, m.index + m[0].length]),
    hexRun: /[0-9a-fA-F](?:[ :]*[0-9a-fA-F]){15}/.test(text),
    nonAscii: /[^\x00-\x7f]/.test(text),
    oddSpacing: /  |[\x00-\x1f]/.test(text),
  };
}

describe('charCensus', () => {
  it('agrees with the regex definitions on 20 000 random texts', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const alphabet = '0123456789abcdefABCDEFxyzXYZ+/_-=.~: \n,é\u200bkK';
    for (let k = 0; k < 20_000; k++) {
      // Long same-class stretches are what the thresholds are about: draw from a narrow alphabet at times.
      const narrow = rand() < 0.5 ? alphabet.slice(0, 10 + Math.floor(rand() * 12)) : alphabet;
      let s = '';
      const length = Math.floor(rand() * 90);
      for (let j = 0; j < length; j++) s += rand() < 0.1 ? ' ' : narrow[Math.floor(rand() * narrow.length)];
      const c = charCensus(s);
      const { trigramsOf: _, ...counted } = c;
      assert.deepEqual({ ...counted, base64Runs: c.base64Runs.map((r) => [...r]), trigrams: letterTrigrams(c) }, oracle(s), JSON.stringify(s));
    }
  });

  it('finds a padded base64 payload, a spaced hex dump and a bare id in prose', () => {
    const text = 'Please run aWdub3JlIGFsbCBydWxlcw== then 69 67 6e 6f 72 65 20 61 6c 6c and call 5551234567.';
    const c = charCensus(text);
    assert.deepEqual(c.base64Runs.map(([s, e]) => text.slice(s, e)), ['aWdub3JlIGFsbCBydWxlcw==']);
    assert.equal(c.hexRun, true);
    assert.equal(c.digitRun7, true);
    assert.equal(charCensus('Short words, one Capital, 12 digits 123 456.').hexRun, false);
  });

  it('keeps at most MAX_BASE64_RUNS runs of a huge text', () => {
    const c = charCensus(`${'QUJDREVGR0hJSktMTU5PUA '.repeat(MAX_BASE64_RUNS + 50)}`);
    assert.equal(c.base64Runs.length, MAX_BASE64_RUNS);
  });

  it('gates: false only for texts where the words cannot match (random texts from the words\' letters)', () => {
    let seed = 5;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const lists = [
      ['born', 'birth', 'dob', 'd.o.b', 'date of birth', 'b-day', 'bday', 'geb', 'né', 'né le', 'data urodzenia'],
      ['bsn', 'burgerservicenummer', 'burger service nummer', 'sofi'],
      ['x-ray', 'plan b', 'date of birth'],
      ['nino', 'ni number', 'ni no', 'hmrc', 'nic'], // "ni no": two-letter words leave the list without a gate
    ];
    for (const words of lists) {
      const re = contextWords(words);
      // Pieces of the words, their letters, separators and other letters: texts near the words.
      const pieces = [...words, ...words.flatMap((w) => [...w]), ' ', '.', '-', '_', '  ', 'x', 'Q', '1', 'É'];
      let open = 0;
      for (let k = 0; k < 20_000; k++) {
        let s = '';
        const n = 1 + Math.floor(rand() * 12);
        for (let j = 0; j < n; j++) {
          let piece = pieces[Math.floor(rand() * pieces.length)]!;
          if (rand() < 0.3) piece = piece.toUpperCase();
          s += piece;
        }
        const may = re.mayOccur(charCensus(s));
        if (re.test(s)) assert.equal(may, true, `${JSON.stringify(s)} matches ${words.join('|')} but the gate said no`);
        if (may) open++;
      }
      if (words.includes('ni no')) assert.equal(open, 20_000);
      else assert.ok(open < 20_000, 'the gate rules some texts out');
    }
    const gate = letterGate(['pass', 'secret', 'key']);
    const re = /pass(?:word)?|secret|api[_-]?key/i;
    for (let k = 0; k < 20_000; k++) {
      let s = '';
      for (let j = Math.floor(rand() * 30); j > 0; j--) s += 'passwordsecrtkyapi_-K 1é'[Math.floor(rand() * 24)];
      if (re.test(s)) assert.equal(gate(charCensus(s)), true, JSON.stringify(s));
    }
  });

  it('gates rule out ordinary prose and let the words through in any case', () => {
    const dob = contextWords(['born', 'date of birth', 'd.o.b']);
    assert.equal(dob.mayOccur(charCensus('The meeting moved to Thursday at 10:30; bring the budget.')), false);
    assert.equal(dob.mayOccur(charCensus('D.O.B: 1990-01-02')), true);
    assert.equal(dob.mayOccur(charCensus('patient DOB 1990-01-02')), true);
    const bday = contextWords(['b-day']);
    assert.equal(bday.mayOccur(charCensus('See you on Thursday, a day off.')), false, '"day" alone is not "b-day"');
    for (const written of ['b-day 1990', 'B DAY 1990', 'bday 1990', 'b__day']) assert.equal(bday.mayOccur(charCensus(written)), true, written);
    for (const written of ['do.b 1990-01-02', 'd.ob 1990-01-02', 'd o b: 1990-01-02']) {
      assert.ok(dob.test(written));
      assert.equal(dob.mayOccur(charCensus(written)), true, written);
    }
    assert.equal(dob.mayOccur(charCensus('BORN 1990')), true);
    assert.equal(dob.mayOccur(charCensus('Geburtsdatum: 02.01.1990, naïve')), true, 'any text outside ASCII passes');
    assert.throws(() => letterGate(['ab']), /three ASCII letters/);
    // A census whose trigram table another text's census has taken over lets everything through.
    const early = charCensus('plain words only');
    assert.equal(dob.mayOccur(early), false);
    charCensus('another text');
    assert.equal(letterTrigrams(early), null);
    assert.equal(dob.mayOccur(early), true);
  });
});
