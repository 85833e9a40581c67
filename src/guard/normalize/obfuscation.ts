/**
 * Undoes ASCII-level disguises on lowercased text: letters spread apart (`i g n o r e`,
 * `i.g.n.o.r.e`, `i - g - n`) and leetspeak (`1gn0r3`, `pr3v10u5`). Both rewrites are local
 * and linear; neither regex can backtrack more than a few characters per position.
 */

export interface DeobfuscateResult {
  readonly text: string;
  /** Runs of spread-out letters that were joined into words. */
  readonly spacedRuns: number;
  /** Words that read as leetspeak and were rewritten. */
  readonly leetWords: number;
  /** Of those, words with two characters substituted (`h4ck3r`). */
  readonly doubleLeetWords: number;
  /** Of those, words with three or more characters substituted (`1gn0r3`, `pr3v10u5`). */
  readonly heavyLeetWords: number;
}

/** Four or more single characters, each followed by a short separator run. */
const SPACED = /(?<![a-z0-9])[a-z0-9](?:[ .\-_*|/~+]{1,3}[a-z0-9](?![a-z0-9])){3,}/g;
const SEPARATOR = /[ .\-_*|/~+]+/g;

const isAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isSpacer = (c: number) => c === 32 || c === 46 || c === 45 || c === 95 || c === 42 || c === 124 || c === 47 || c === 126 || c === 43;

/** Cheap pre-check for SPACED: four one-character words in a row, one to three separators apart. */
function hasSpacedRun(text: string): boolean {
  let run = 0;
  let gap = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (!isAlnum(c)) {
      gap = isSpacer(c) && gap >= 0 ? gap + 1 : -1;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && isAlnum(text.charCodeAt(j))) j++;
    if (j - i === 1) {
      run = run > 0 && gap >= 1 && gap <= 3 ? run + 1 : 1;
      if (run >= 4) return true;
    } else run = 0;
    gap = 0;
    i = j;
  }
  return false;
}

function joinSpaced(run: string): string {
  const letters = run.split(SEPARATOR);
  const seps = run.match(SEPARATOR) ?? [];
  // `1 2 3 4` is a list of numbers and `1-4 p.m.` a time range: a spread-out word has at least
  // four letters and one kind of separator throughout.
  if (letters.filter((l) => l >= 'a').length < 4) return run;
  const kinds = new Set(seps.join(''));
  if (kinds.size > 1) return run;
  let shortest = Infinity;
  for (const s of seps) shortest = Math.min(shortest, s.length);
  // A separator longer than the usual one (`i g n o r e  a l l`) is the gap between two words.
  let out = letters[0]!;
  for (let i = 0; i < seps.length; i++) out += (seps[i]!.length > shortest ? ' ' : '') + letters[i + 1]!;
  return out;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', $: 's' };
/** One or two leet characters between letters (`h4ck`, `pa$$word`); longer digit runs are numbers (`return503onclosing`). */
const LEET_INSIDE = /[a-z][013457$]{1,2}[a-z]/;
/** Rewritten words that read like words: a vowel and no four consonants in a row (not `wmzqattw`). */
const PRONOUNCEABLE = /^(?=[a-z]*[aeiouy])(?![a-z]*[bcdfghjklmnpqrstvwxz]{4})[a-z]{4,}$/;
/** One leading leet digit before a word (`1gnore`), not ordinals or escapes (`3rd`, `%40name`). */
const LEET_LEADING = /^[013457][a-z]{4,}$/;
/**
 * Whether a letter-digit pair exists. Written to begin with the digit class: irregexp then skips
 * ahead to the rare digits instead of trying the pattern at every letter (about 10× faster on prose).
 */
const LEET_PAIR = /[013457$](?<=[a-z][013457$])|[013457$](?=[a-z])/;
const LEET_PAIR_G = /[a-z][013457$]|[013457$][a-z]/g;
const isTokenChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 36;

function rewriteLeet(tok: string, all: string, offset: number): { text: string; counted: boolean; substituted: number } {
  // Only free-standing words: inside URLs, addresses and ids (`%3Cname`, `+3cname`, `/s17z-`)
  // digits next to letters are escapes and codes, not leetspeak.
  if (!/[a-z]/.test(tok) || HEXISH.test(tok) || (offset > 0 && EMBEDDED_AFTER.has(all[offset - 1]!)) || EMBEDDED_AFTER.has(all[offset + tok.length] ?? ' ')) {
    return { text: tok, counted: false, substituted: 0 };
  }
  if (!LEET_INSIDE.test(tok) && !LEET_LEADING.test(tok)) return { text: tok, counted: false, substituted: 0 };
  let s = '';
  let substituted = 0;
  for (let i = 0; i < tok.length; i++) {
    const ch = tok[i]!;
    // `$` stays a `$` at the start of a word (`$ref`, `$HOME`): only inside it reads as `s`.
    const r = ch === '$' && i === 0 ? ch : (LEET[ch] ?? ch);
    if (r !== ch) substituted++;
    s += r;
  }
  return { text: s, counted: PRONOUNCEABLE.test(s) && !NUMERONYM.test(tok), substituted };
}
/** A count between first and last letter (`a11y`, `l10n`, `i18n`): an abbreviation, not a disguise. */
const NUMERONYM = /^[a-z][0-9]{1,2}[a-z]$/;
/** Hex literals and ids (`0x1f3a`, `a3f9c0d1`) are not words in disguise. */
const HEXISH = /^(?:0x)?[0-9a-f]{4,}$/;
const EMBEDDED_AFTER = new Set(['%', '+', '=', '&', '/', '_', '@', '#', '\\', '-']);

export function deobfuscate(text: string): DeobfuscateResult {
  let spacedRuns = 0;
  let leetWords = 0;
  let heavyLeetWords = 0;
  let doubleLeetWords = 0;
  let out = text;
  if (hasSpacedRun(out)) {
    out = out.replace(SPACED, (run) => {
      const joined = joinSpaced(run);
      if (joined !== run) spacedRuns++;
      return joined;
    });
  }
  if (LEET_PAIR.test(out)) {
    // Visit only the words around a letter-digit pair instead of calling back for every word.
    const pieces: string[] = [];
    let copied = 0;
    LEET_PAIR_G.lastIndex = 0;
    for (let m = LEET_PAIR_G.exec(out); m; m = LEET_PAIR_G.exec(out)) {
      let start = m.index;
      let end = m.index + 2;
      while (start > copied && isTokenChar(out.charCodeAt(start - 1))) start--;
      while (end < out.length && isTokenChar(out.charCodeAt(end))) end++;
      LEET_PAIR_G.lastIndex = end;
      const tok = out.slice(start, end);
      const rewritten = rewriteLeet(tok, out, start);
      if (rewritten.text === tok) continue;
      if (rewritten.counted) {
        leetWords++;
        if (rewritten.substituted >= 3) heavyLeetWords++;
        else if (rewritten.substituted === 2) doubleLeetWords++;
      }
      pieces.push(out.slice(copied, start), rewritten.text);
      copied = end;
    }
    if (copied > 0) out = pieces.join('') + out.slice(copied);
  }
  return { text: out, spacedRuns, leetWords, doubleLeetWords, heavyLeetWords };
}
