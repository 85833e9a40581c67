/**
 * Folds confusable letters from other scripts (Cyrillic `о`, Greek `ο`, Armenian `օ`, ...) to the
 * Latin letters they imitate, using the Unicode confusables table shipped by `unhomoglyph`
 * (UTS #39 §4 "confusable detection").
 *
 * Only mixed-script words are folded, plus all-confusable words inside mostly-Latin text: folding
 * every Cyrillic word would turn genuine Russian into Latin noise, while an attacker who swaps a
 * few letters of `ignore` always leaves a word that mixes scripts or sits among Latin words.
 */
import table from 'unhomoglyph/data.json' with { type: 'json' };

const FOLD = new Map<number, string>();
const lowerOnly: [number, string][] = [];
for (const [from, to] of Object.entries(table as Record<string, string>)) {
  const cp = from.codePointAt(0)!;
  // The table also maps ASCII to ASCII (`1` -> `l`, `m` -> `rn`); those are not evasions here.
  if (cp < 0x80 || from.length !== String.fromCodePoint(cp).length) continue;
  const target = to.toLowerCase();
  if (!/^[a-z0-9]{1,3}$/.test(target)) continue;
  FOLD.set(cp, target);
  // Text is lowercased before folding, so a capital listed without its small form (Greek `Ε`)
  // also needs the small form (`ε`).
  const small = from.toLowerCase().codePointAt(0)!;
  if (small !== cp) lowerOnly.push([small, target]);
}
for (const [cp, target] of lowerOnly) if (!FOLD.has(cp)) FOLD.set(cp, target);

export interface FoldResult {
  readonly text: string;
  /** Letters replaced. */
  readonly folded: number;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
  // Surrogate halves belong to the letter they encode (mathematical letters are folded by NFKC before this runs).
  if (c >= 0xd800 && c <= 0xdfff) return true;
  return WORD_CHAR.test(text[i]!);
}

function foldWord(word: string, latinText: boolean): { text: string; folded: number } {
  let hasAscii = false;
  let allFoldable = true;
  for (const ch of word) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (cp > 0x39) hasAscii = true;
    } else if (!FOLD.has(cp)) allFoldable = false;
  }
  if (!(hasAscii || (latinText && allFoldable))) return { text: word, folded: 0 };
  let s = '';
  let folded = 0;
  for (const ch of word) {
    const f = FOLD.get(ch.codePointAt(0)!);
    if (f !== undefined) {
      s += f;
      folded++;
    } else s += ch;
  }
  return { text: s, folded };
}

/** Folds confusables in lowercased `text`; linear in its length, and only words with non-ASCII letters are visited. */
export function foldConfusables(text: string): FoldResult {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) ascii++;
    else if (c >= 0x80) other++;
  }
  if (other === 0) return { text, folded: 0 };
  const latinText = ascii >= 4 * other;
  let folded = 0;
  const pieces: string[] = [];
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x80 || i < copied || !isWordChar(text, i)) continue;
    let start = i;
    let end = i + 1;
    while (start > copied && isWordChar(text, start - 1)) start--;
    while (end < text.length && isWordChar(text, end)) end++;
    const word = text.slice(start, end);
    const r = foldWord(word, latinText);
    if (r.folded > 0) {
      pieces.push(text.slice(copied, start), r.text);
      folded += r.folded;
      copied = end;
    }
    i = end - 1;
  }
  if (folded === 0) return { text, folded: 0 };
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), folded };
}
