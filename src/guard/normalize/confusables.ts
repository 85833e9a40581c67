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

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Folds confusables in lowercased `text`; linear in its length. */
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
  const out = text.replace(WORD, (word) => {
    let hasAscii = false;
    let hasForeign = false;
    let allFoldable = true;
    for (const ch of word) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) {
        if (cp > 0x39) hasAscii = true;
      } else {
        hasForeign = true;
        if (!FOLD.has(cp)) allFoldable = false;
      }
    }
    if (!hasForeign || !(hasAscii || (latinText && allFoldable))) return word;
    let s = '';
    for (const ch of word) {
      const f = FOLD.get(ch.codePointAt(0)!);
      if (f !== undefined) {
        s += f;
        folded++;
      } else s += ch;
    }
    return s;
  });
  return { text: out, folded };
}
