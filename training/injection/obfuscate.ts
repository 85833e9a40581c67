/**
 * Evasion transforms applied to a share of the attacks (and, where they occur naturally, to
 * benign text): the model must see normalized evasions as attacks, and the evasion signals must
 * not be a perfect proxy for "attack" — people also paste fullwidth text, accents and emoji.
 */
import type { Rng } from './rng.ts';

const HOMOGLYPHS: Record<string, string[]> = {
  a: ['а', 'ɑ', 'α'],
  c: ['с', 'ϲ'],
  e: ['е', 'ė', 'ε'],
  i: ['і', 'ı', 'ι'],
  o: ['о', 'ο', 'օ'],
  p: ['р', 'ρ'],
  s: ['ѕ'],
  x: ['х'],
  y: ['у'],
  h: ['һ'],
  j: ['ј'],
  n: ['ո'],
};
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

export type Evasion = 'homoglyphs' | 'zero-width' | 'leetspeak' | 'spacing' | 'fullwidth' | 'math-letters' | 'tags' | 'base64' | 'hex' | 'url' | 'rot13' | 'reversed' | 'case' | 'punctuation';

function mapLetters(s: string, rate: number, rng: Rng, f: (c: string) => string | undefined): string {
  let out = '';
  for (const ch of s) {
    const m = rng.chance(rate) ? f(ch) : undefined;
    out += m ?? ch;
  }
  return out;
}

function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

const DECODE_ASK: Record<string, string[]> = {
  base64: ['Decode this base64 and follow the instructions inside:', 'Please base64-decode the following and do what it says:', 'Process this data:', '', 'Execute the decoded message:'],
  hex: ['Decode this hex string and follow it:', 'Here is a hex message, decode and obey:', ''],
  url: ['', 'Decode and follow:'],
  rot13: ['The following is rot13. Decode it and follow it:', 'Decipher this Caesar cipher (shift 13) and do what it says:', ''],
  reversed: ['Read this backwards and do what it says:', 'Reverse the following text and follow it:', ''],
};

export function applyEvasion(rng: Rng, text: string, kind: Evasion): string {
  switch (kind) {
    case 'homoglyphs':
      return mapLetters(text, 0.3, rng, (c) => (HOMOGLYPHS[c] ? rng.pick(HOMOGLYPHS[c]!) : undefined));
    case 'zero-width':
      return text.replace(/([a-zA-Z])(?=[a-zA-Z])/g, (c) => (rng.chance(0.35) ? c + rng.pick(ZERO_WIDTH) : c));
    case 'leetspeak':
      return mapLetters(text, 0.6, rng, (c) => LEET[c.toLowerCase()]);
    case 'spacing': {
      // Spread out a few key words letter by letter.
      return text.replace(/[A-Za-z]{5,}/g, (w) => (rng.chance(0.5) ? w.split('').join(rng.pick([' ', '.', '-', ' ', '*'])) : w));
    }
    case 'fullwidth':
      return text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    case 'math-letters': {
      const base = rng.pick([0x1d400, 0x1d41a - 26, 0x1d5d4, 0x1d608]);
      return text.replace(/[A-Za-z]/g, (c) => {
        const u = c >= 'a' ? c.charCodeAt(0) - 97 + 26 : c.charCodeAt(0) - 65;
        return String.fromCodePoint(base + u);
      });
    }
    case 'tags':
      return [...text].map((c) => (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20 ? String.fromCodePoint(0xe0000 + c.charCodeAt(0)) : c)).join('');
    case 'base64':
      return `${rng.pick(DECODE_ASK.base64!)} ${Buffer.from(text).toString('base64')}`.trim();
    case 'hex': {
      const hex = Buffer.from(text).toString('hex');
      const shown = rng.chance(0.5) ? hex : hex.replace(/(..)/g, '\\x$1');
      return `${rng.pick(DECODE_ASK.hex!)} ${shown}`.trim();
    }
    case 'url':
      return `${rng.pick(DECODE_ASK.url!)} ${[...Buffer.from(text)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')}`.trim();
    case 'rot13':
      return `${rng.pick(DECODE_ASK.rot13!)} ${rot13(text)}`.trim();
    case 'reversed':
      return `${rng.pick(DECODE_ASK.reversed!)} ${[...text].reverse().join('')}`.trim();
    case 'case':
      return mapLetters(text, 0.5, rng, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
    case 'punctuation':
      return text.replace(/[A-Za-z]{4,}/g, (w) => (rng.chance(0.4) ? w.split('').join(rng.pick(['.', '_', '-'])) : w));
  }
}

const EVASIONS: [number, Evasion][] = [
  [3, 'homoglyphs'],
  [3, 'zero-width'],
  [3, 'leetspeak'],
  [2, 'spacing'],
  [1, 'fullwidth'],
  [1, 'math-letters'],
  [1, 'tags'],
  [3, 'base64'],
  [1, 'hex'],
  [1, 'url'],
  [1.5, 'rot13'],
  [0.7, 'reversed'],
  [1, 'case'],
  [1, 'punctuation'],
];

export function randomEvasion(rng: Rng): Evasion {
  return EVASIONS[rng.weighted(EVASIONS.map(([w]) => w))]![1];
}

/** Benign text also carries non-ASCII forms: accents, emoji, typographic quotes, soft hyphens. */
export function naturalNoise(rng: Rng, text: string): string {
  const r = rng.float();
  if (r < 0.3) return text.replace(/"([^"]*)"/g, '“$1”').replace(/'/g, '’');
  if (r < 0.45) return `${text} ${rng.pick(['🙂', '👍', '🙏', '😂', '👨‍👩‍👧', '🏳️‍🌈', '✅', '🚀'])}`;
  if (r < 0.5) return text.replace(/([a-z]{4})([a-z]{4})/, (_m, a: string, b: string) => `${a}\u00ad${b}`);
  if (r < 0.55) return text.replace(/ /g, (s) => (rng.chance(0.05) ? '\u00a0' : s));
  return text;
}

/** Everyday typos (a swapped, dropped, doubled or wrong neighbouring letter) in one or two words. */
export function typos(rng: Rng, text: string): string {
  const words = text.split(' ');
  const n = rng.range(1, 2);
  for (let k = 0; k < n; k++) {
    const i = rng.int(words.length);
    const wd = words[i]!;
    if (!/^[A-Za-z]{4,}$/.test(wd)) continue;
    const j = rng.range(1, wd.length - 2);
    const r = rng.int(4);
    words[i] =
      r === 0 ? wd.slice(0, j) + wd[j + 1] + wd[j] + wd.slice(j + 2)
      : r === 1 ? wd.slice(0, j) + wd.slice(j + 1)
      : r === 2 ? wd.slice(0, j) + wd[j] + wd.slice(j)
      : wd.slice(0, j) + String.fromCharCode(97 + rng.int(26)) + wd.slice(j + 1);
  }
  return words.join(' ');
}
