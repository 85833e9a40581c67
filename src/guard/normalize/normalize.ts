/**
 * The canonical form detectors match against: what a model would read, stripped of the tricks
 * that make it look different to a filter. Steps, in order:
 *
 * 1. invisible characters removed, smuggled tag/variation-selector text decoded in place;
 * 2. compatibility forms folded (NFKC: fullwidth, mathematical alphanumerics, ligatures) and
 *    combining marks dropped (accents, and "zalgo" stacks of marks);
 * 3. lowercase, then confusables from other scripts folded to Latin letters;
 * 4. letter spacing and leetspeak undone;
 * 5. whitespace runs collapsed (a run with a line break becomes one line break, since line
 *    starts carry structure such as fake `System:` turns).
 *
 * Each step that changed something an attacker would change is reported in `transforms`:
 * needing them is evidence of evasion. Plain accented prose reports nothing.
 */
import type { CharCensus } from './char-census.ts';
import { foldConfusables } from './confusables.ts';
import { spacelessCount } from './scripts.ts';
import { scanInvisible } from './invisible.ts';
import { deobfuscate } from './obfuscation.ts';

export type Transform =
  | 'invisible-characters'
  | 'bidi-controls'
  | 'tag-characters'
  | 'variation-selectors'
  | 'compatibility-forms'
  | 'combining-marks'
  | 'homoglyphs'
  | 'letter-spacing'
  | 'leetspeak';

export interface NormalizedText {
  readonly text: string;
  readonly transforms: ReadonlySet<Transform>;
  /** Text that was invisible in the input (tag characters, variation selectors). */
  readonly hidden: string;
}

const NON_ASCII = /[^\x00-\x7f]/;
/**
 * Fullwidth letters, parenthesized and circled Latin letters, mathematical alphanumerics,
 * squared/circled Latin. Not fullwidth digits and punctuation, nor circled and parenthesized
 * numbers (`①`, `⑴`, `⒈`): typography and list markers.
 */
const COMPAT_LETTERS = /[\uff21-\uff3a\uff41-\uff5a\u249c-\u24ff]|\ud835[\udc00-\udfff]|\ud83c[\udd10-\udd89]/g;
const COMBINING = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const HAS_COMBINING = new RegExp(COMBINING.source);
/** Three marks on one base never happen in real orthography; they do in "zalgo" text. */
const STACKED_MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{3}/;

/**
 * @example normalizeText('Ｉｇｎｏｒｅ  prev1ous\u200B rules').text // 'ignore previous rules'
 */
export function normalizeText(raw: string, census?: CharCensus): NormalizedText {
  const transforms = new Set<Transform>();
  let text = raw;
  let hidden = '';
  // The whole text comes with its census (taken for the payload finder and the DLP gates anyway);
  // for a window or a decoded payload one regex test is cheaper than taking one.
  const ascii = !(census?.nonAscii ?? NON_ASCII.test(raw));
  if (!ascii) {
    const inv = scanInvisible(text);
    text = inv.text;
    hidden = inv.hidden;
    if (inv.splitLetters > 0) transforms.add('invisible-characters');
    if (inv.bidiControls > 0) transforms.add('bidi-controls');
    if (inv.tagChars > 0) transforms.add('tag-characters');
    if (inv.variationBytes > 0) transforms.add('variation-selectors');
    if (NON_ASCII.test(text)) {
      const compat = text.match(COMPAT_LETTERS);
      // Chinese, Japanese and Korean are typed with fullwidth Latin letters and digits (`ＰＣ`,
      // `０１０－１２３４`); only where they outnumber the CJK characters are they a disguise.
      if (compat && compat.length >= 3 && compat.length > spacelessCount(text)) transforms.add('compatibility-forms');
      // Marks that stand alone once the text is composed (NFC): an orthography's accents come
      // as precomposed letters (Vietnamese `ườ` carries two, and a mark on most letters), while
      // strikethrough (`i̶g̶n̶o̶r̶e̶`) and "zalgo" stacks have no precomposed form. Counted after
      // decomposition, every Vietnamese sentence looked like styled text.
      const loose = HAS_COMBINING.test(text) ? text.normalize('NFC') : '';
      const looseMarks = loose === '' ? 0 : (loose.match(COMBINING)?.length ?? 0);
      text = text.normalize('NFKD');
      const stacked = looseMarks >= 3 && STACKED_MARKS.test(loose);
      text = text.replace(COMBINING, '');
      // One mark per letter is strikethrough/underline styling, a mark on most letters is no
      // orthography either; accented prose has far fewer loose marks.
      if (stacked || (looseMarks >= 4 && looseMarks >= text.length / 3)) transforms.add('combining-marks');
      text = text.normalize('NFKC');
    }
  }
  text = text.toLowerCase();
  if (!ascii && NON_ASCII.test(text)) {
    const fold = foldConfusables(text);
    if (fold.folded > 0) transforms.add('homoglyphs');
    text = fold.text;
  }
  const de = deobfuscate(text);
  if (de.spacedRuns > 0) transforms.add('letter-spacing');
  // A word with one digit for a letter is as often a brand or a name (`w3schools`, `1password`,
  // `4chan`) as a disguise: it takes a word with three substitutions (`1gn0r3`), or two words of
  // which one has two (`h4ck3r th3m`), to call it leetspeak.
  if (de.heavyLeetWords > 0 || (de.leetWords >= 2 && de.doubleLeetWords > 0)) transforms.add('leetspeak');
  // Only runs of two or more, and whitespace other than a plain space, need rewriting: matching
  // every single space would call back once per word. An ASCII text whose census saw neither has
  // none (the steps above only remove spaces), and is spared the regex pass.
  text = ascii && census && !census.oddSpacing ? de.text.trim() : de.text.replace(/\s{2,}|[^\S ]/g, (ws) => (ws.includes('\n') ? '\n' : ' ')).trim();
  return { text, transforms, hidden };
}
