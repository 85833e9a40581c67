/**
 * Adversarial-suffix look-alikes: the token soup that gradient-based attacks (GCG and successors)
 * append to a request. Real suffixes are optimized per model; what they share, and what this
 * generator reproduces with fresh randomness, is their texture: subword fragments glued with
 * brackets and markup, case flips inside words, stray LaTeX and code tokens, words from several
 * languages, and imperative fragments out of syntax.
 */
import type { Rng } from './rng.ts';

const FRAGMENTS = `alpha beta gamma delta table column row header footer index value key node leaf branch merge commit patch diff
  render widget button layout margin padding border shadow canvas pixel vector matrix tensor kernel thread mutex socket packet
  banana orange purple window garden river mountain castle rocket planet comet galaxy thunder whisper shadow mirror silver golden
  quick slow bright dark happy angry lucky simple random unless although whereas meanwhile thus hence therefore moreover anyway
  und oder nicht aber sehr auch noch los bien donc alors mucho pero tambien ahora siempre nada molto anche ancora sempre cosa
  lorem ipsum dolor amet consectetur elit sed tempor magna aliqua veniam nostrud ullamco laboris nisi commodo
  func var let const enum impl trait yield async await struct typedef macro pragma template lambda closure iterator
  begin end item section frac sqrt sum prod limit infty mathrm emph bold italic caption figure label ref cite
  okay sure fine yes yeah nope maybe indeed certainly basically literally seriously totally honestly
  respond reply answer output print format style tone voice list steps guide tutorial manual summary overview intro outro
  one two three four five six seven first second third next previous last above below beside inside outside`.split(/\s+/).filter(Boolean);
const GLUE = ['(', ')', '[', ']', '{', '}', '<', '>', '\\', '|', '^', '~', '`', '*', '**', '#', '@', '$', '%', '&', '_', '=', '+', '-', '--', '.', ',', ';', ':', '!', '?', '"', "'", '](', '({', '}]', '[(', ')]', '<<', '>>', '\\{', '\\}', '$\\{', '/\\', '==', '=>', '!--', '<?', '?>', '.]', '.(', '",', '\\.'];

const SYLLABLES = 'ba be bi bo bu ca ce co cu da de di do fa fe fi fo ga ge go ha he hi ho ja je ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi xa ya za ze zo str pl tr gr ck ph sh th qu ng nt rs ly ing tion ment ous able ify ism ize'.split(' ');

/** A made-up word: most optimized suffixes are sub-word pieces, not dictionary words. */
function syllables(rng: Rng): string {
  let s = '';
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) s += rng.pick(SYLLABLES);
  const r = rng.float();
  if (r < 0.2) return s[0]!.toUpperCase() + s.slice(1);
  if (r < 0.3) return s.toUpperCase();
  if (r < 0.45) return s + rng.pick(SYLLABLES)[0]!.toUpperCase() + rng.pick(SYLLABLES);
  return s;
}

function piece(rng: Rng): string {
  const r = rng.float();
  if (r < 0.25) {
    let p = syllables(rng);
    if (rng.chance(0.3)) p = rng.pick(GLUE) + p;
    if (rng.chance(0.3)) p += rng.pick(GLUE);
    return p;
  }
  if (r < 0.55) {
    let f = rng.pick(FRAGMENTS);
    if (rng.chance(0.25)) f = f.slice(0, rng.range(2, Math.max(2, f.length)));
    if (rng.chance(0.2)) f = f + rng.pick(FRAGMENTS);
    if (rng.chance(0.12)) f = f.toUpperCase();
    if (rng.chance(0.1)) f = f + rng.range(0, 99);
    return f;
  }
  if (r < 0.85) {
    let g = rng.pick(GLUE);
    if (rng.chance(0.4)) g += rng.pick(FRAGMENTS);
    if (rng.chance(0.3)) g += rng.pick(GLUE);
    return g;
  }
  // A run of random letters: a rare-bigram fragment.
  let s = '';
  const n = rng.range(2, 7);
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + rng.int(26));
  return rng.chance(0.3) ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** A suffix of `words` pieces (default 10 to 30), joined with irregular spacing. */
export function adversarialSuffix(rng: Rng, words = rng.range(10, 30)): string {
  let s = '';
  for (let i = 0; i < words; i++) {
    const p = piece(rng);
    s += i === 0 ? p : (rng.chance(0.65) ? ' ' : '') + p;
  }
  return s;
}
