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
/**
 * Small capitals that "fancy text" generators use for whole words (`ɪɢɴᴏʀᴇ ᴀʟʟ`). The confusables
 * table lists only those that look like lowercase letters (`ᴄ`, `ᴏ`, `ꜱ`); the others look like
 * capitals, which is how the text is read all the same.
 */
const SMALL_CAPITALS: Record<string, string> = {
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ꞯ: 'q', ʀ: 'r', ꜱ: 's', ᴛ: 't',
  ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
};
for (const [ch, target] of Object.entries(SMALL_CAPITALS)) if (!FOLD.has(ch.codePointAt(0)!)) FOLD.set(ch.codePointAt(0)!, target);

// The Kelvin sign `K` lowercases to ASCII `k`: a small form in ASCII is the letter itself, not
// a confusable (mapped, it made every word with a `k` and an `ø` or `ß` count as an evasion).
for (const [cp, target] of lowerOnly) if (cp >= 0x80 && !FOLD.has(cp)) FOLD.set(cp, target);

/**
 * Latin letters of living orthographies that the confusables table also lists: Turkish and
 * Azerbaijani `ı`, Danish, Norwegian and Icelandic `æ`, French `œ`, Dutch `ĳ`, and `ɣ`, `ʋ`, `ɩ`
 * of West African alphabets. They are folded like the others (so `ıgnore` still reads as
 * `ignore`), but they are how those languages are written, not an evasion: counted as one, every
 * Turkish or Danish sentence was flagged as an attack.
 */
const ORTHOGRAPHIC = new Set([0x131, 0xe6, 0xc6, 0x153, 0x152, 0x133, 0x132, 0x263, 0x28b, 0x269]);

export interface FoldResult {
  readonly text: string;
  /** Letters replaced that no orthography uses in Latin words (the evidence of an evasion). */
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

const LATIN_LETTER = /\p{Script=Latin}/u;

function foldWord(word: string, latinText: boolean): { text: string; changed: boolean; folded: number } {
  let hasAscii = false;
  let allFoldable = true;
  let allLatin = true;
  for (const ch of word) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (cp > 0x39) hasAscii = true;
    } else if (!FOLD.has(cp)) allFoldable = false;
    else if (ORTHOGRAPHIC.has(cp) || !LATIN_LETTER.test(ch)) allLatin = false;
  }
  // A word wholly of Latin-script look-alikes (small capitals) is Latin text in disguise, even in
  // a text with no plain Latin letters; a wholly Cyrillic or Greek word there is that language.
  if (!(hasAscii || (allFoldable && (latinText || allLatin)))) return { text: word, changed: false, folded: 0 };
  let s = '';
  let changed = false;
  let folded = 0;
  for (const ch of word) {
    const cp = ch.codePointAt(0)!;
    const f = FOLD.get(cp);
    if (f !== undefined) {
      s += f;
      changed = true;
      if (!ORTHOGRAPHIC.has(cp)) folded++;
    } else s += ch;
  }
  return { text: s, changed, folded };
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
  let changed = false;
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
    if (r.changed) {
      pieces.push(text.slice(copied, start), r.text);
      folded += r.folded;
      changed = true;
      copied = end;
    }
    i = end - 1;
  }
  if (!changed) return { text, folded: 0 };
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), folded };
}
