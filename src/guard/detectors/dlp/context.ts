/**
 * Context words: the presidio habit of raising (or lowering) confidence when words such as
 * "SSN" or "card" sit next to a candidate. Only a bounded window around the span is read, so
 * context checks cost O(window) per candidate, never O(text).
 */
import { isSpacelessScript } from '../../normalize/scripts.ts';
import { letterGate, type CharCensus, type GateTerm } from '../../normalize/char-census.ts';

/** A context-word matcher, and a test of whether it can match a text at all (from its census). */
export type ContextWords = RegExp & {
  /** False only when no word of the list can occur in the text the census was taken of. */
  readonly mayOccur: (census: CharCensus) => boolean;
};

/**
 * Builds a case-insensitive matcher for whole words or phrases; phrase words may be separated by
 * spaces, underscores, hyphens or dots (`date of birth`, `date_of_birth`, `d.o.b`).
 */
export function contextWords(words: readonly string[]): ContextWords {
  const alternatives = words.map((w) =>
    w
      .split(/[\s_.-]+/)
      .map((part) => part.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
      .join('[\\s_.-]{0,3}'),
  );
  const re = new RegExp(`(?<![a-z0-9])(?:${alternatives.join('|')})(?![a-z])`, 'i');
  return Object.assign(re, { mayOccur: gateOf(words) });
}

/**
 * The census gate of a word list (char-census.ts `letterGate`). A phrase can only occur where the
 * letters of each of its words of three letters or more do (a word is never split, whatever
 * separates the words). A one-letter word at either end of a phrase either stands alone or is
 * written together with its neighbour ("b-day" or "bday"); a phrase of one-letter words ("d.o.b")
 * is written together or has its first or last letter standing alone. A word outside ASCII can
 * only occur in a text that has such characters, which every gate lets through. Anything else
 * (digits, "ss#", only short words) leaves the list without a gate.
 */
function gateOf(words: readonly string[]): (census: CharCensus) => boolean {
  const terms: GateTerm[] = [];
  for (const w of words) {
    const parts = w.split(/[\s_.-]+/).filter(Boolean);
    if (parts.some((p) => /[^\x00-\x7f]/.test(p))) continue;
    if (!parts.every((p) => /^[a-z]+$/i.test(p))) return () => true;
    const glued = parts.join('');
    if (parts.every((p) => p.length === 1)) {
      if (parts.length > 3 || glued.length < 3) return () => true;
      terms.push({ words: [glued] }, { singles: [parts[0]!] }, { singles: [parts[parts.length - 1]!] });
      continue;
    }
    const long = parts.filter((p) => p.length >= 3);
    if (long.length === 0) return () => true;
    // Each end: a one-letter word before or after a longer one, alone or joined to it.
    let options: GateTerm[] = [{ words: long }];
    const ends: [string, string][] = [];
    if (parts.length > 1 && parts[0]!.length === 1 && parts[1]!.length >= 2) ends.push([parts[0]!, parts[0]! + parts[1]!.slice(0, 2)]);
    const [before, last] = [parts[parts.length - 2]!, parts[parts.length - 1]!];
    if (parts.length > 1 && last.length === 1 && before.length >= 2) ends.push([last, before.slice(-2) + last]);
    for (const [letter, joined] of ends) {
      options = options.flatMap((t) => [
        { ...t, singles: [...(t.singles ?? []), letter] },
        { ...t, words: [...(t.words ?? []), joined] },
      ]);
    }
    terms.push(...options);
  }
  return letterGate(terms);
}

/**
 * True when `words` match in the `before` code units ahead of `start` or the `after` ones past
 * `end`. A window edge never cuts a word: the cut-off piece is dropped ("ingr|id" is not "id").
 */
export function hasContext(text: string, start: number, end: number, words: RegExp, before: number, after = 0): boolean {
  if (before > 0) {
    let from = Math.max(0, start - before);
    while (from < start && isWordChar(text, from - 1) && isWordChar(text, from)) from++;
    if (words.test(text.slice(from, start))) return true;
  }
  if (after > 0) {
    let to = Math.min(text.length, end + after);
    while (to > end && isWordChar(text, to) && isWordChar(text, to - 1)) to--;
    if (words.test(text.slice(end, to))) return true;
  }
  return false;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * True when the code unit at `i` is a letter, digit or underscore. Out of range counts as not, and
 * so do Han, kana and Hangul: written without spaces, a number glued to them still stands alone.
 */
export function isWordChar(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  if (isSpacelessScript(c)) return false;
  return WORD_CHAR.test(text[i]!);
}

/** True when [start, end) is not glued to letters, digits or underscores on either side. */
export function standsAlone(text: string, start: number, end: number): boolean {
  return !isWordChar(text, start - 1) && !isWordChar(text, end);
}
