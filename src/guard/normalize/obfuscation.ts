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
}

/** Four or more single characters, each followed by a short separator run. */
const SPACED = /(?<![a-z0-9])[a-z0-9](?:[ .\-_*|/~+]{1,3}[a-z0-9](?![a-z0-9])){3,}/g;
const SEPARATOR = /[ .\-_*|/~+]+/g;

function joinSpaced(run: string): string {
  const letters = run.split(SEPARATOR);
  const seps = run.match(SEPARATOR) ?? [];
  if (!letters.some((l) => l >= 'a')) return run; // `1 2 3 4`: a list of numbers, not a word
  let shortest = Infinity;
  for (const s of seps) shortest = Math.min(shortest, s.length);
  // A separator longer than the usual one (`i g n o r e  a l l`) is the gap between two words.
  let out = letters[0]!;
  for (let i = 0; i < seps.length; i++) out += (seps[i]!.length > shortest ? ' ' : '') + letters[i + 1]!;
  return out;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', $: 's' };
/** A leet character between letters, or leading a word (`1gnore`). */
const LEETISH = /[a-z][013457$]+[a-z]|^[013457$]+[a-z]{2}/;
const TOKEN = /[a-z0-9$]*[a-z][a-z0-9$]*/g;
/** Hex literals and ids (`0x1f3a`, `a3f9c0d1`) are not words in disguise. */
const HEXISH = /^(?:0x)?[0-9a-f]{4,}$/;

export function deobfuscate(text: string): DeobfuscateResult {
  let spacedRuns = 0;
  let leetWords = 0;
  let out = text;
  if (/[a-z0-9][ .\-_*|/~+]{1,3}[a-z0-9][ .\-_*|/~+]{1,3}[a-z0-9][ .\-_*|/~+]/.test(out)) {
    out = out.replace(SPACED, (run) => {
      const joined = joinSpaced(run);
      if (joined !== run) spacedRuns++;
      return joined;
    });
  }
  if (/[a-z][013457$]|[013457$][a-z]/.test(out)) {
    out = out.replace(TOKEN, (tok) => {
      if (!LEETISH.test(tok) || HEXISH.test(tok)) return tok;
      let s = '';
      for (const ch of tok) s += LEET[ch] ?? ch;
      if (/^[a-z]{4,}$/.test(s)) leetWords++;
      return s;
    });
  }
  return { text: out, spacedRuns, leetWords };
}
