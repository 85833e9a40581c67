/**
 * Background text: ordinary sentence shapes filled with words the generators never use (made-up
 * names, terms, products, ids). Hashed n-grams of words the model has never seen land in buckets
 * shared with known n-grams; without a benign background those buckets drift towards whichever
 * class was more verbose in training, and unfamiliar but harmless text (a niche manual, an e-mail
 * full of names) scores as an attack. Labelled benign, on both channels.
 */
import { cap } from './grammar.ts';
import type { Rng } from './rng.ts';
import { grammarSentence } from './prose-grammar.ts';

const ONSET = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cl', 'dr', 'fl', 'gr', 'kr', 'pl', 'pr', 'sk', 'sl', 'st', 'tr', 'ch', 'sh', 'th', 'qu', ''];
const NUCLEUS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ee', 'io', 'ou', 'oo', 'au', 'y'];
const CODA = ['', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'rt', 'st', 'ck', 'ng', 'x', 'sh', 'rk', 'lt'];

/** A pronounceable made-up word. */
export function pseudoWord(rng: Rng): string {
  let s = '';
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) s += rng.pick(ONSET) + rng.pick(NUCLEUS) + rng.pick(CODA);
  return s;
}

function token(rng: Rng): string {
  const r = rng.float();
  if (r < 0.55) return pseudoWord(rng);
  if (r < 0.7) return cap(pseudoWord(rng));
  if (r < 0.8) return `${pseudoWord(rng)}${rng.pick(['-', '_', '.', ''])}${pseudoWord(rng)}`;
  if (r < 0.9) return `${pseudoWord(rng).toUpperCase().slice(0, rng.range(2, 5))}${rng.chance(0.5) ? rng.range(1, 999) : ''}`;
  return String(rng.range(1, 99999));
}

/** A sentence of the grammar with some of its words swapped for unknown ones. */
function sentence(rng: Rng): string {
  const base = grammarSentence(rng, rng.pick(['tech', 'business', 'answer'] as const)).split(' ');
  const rate = rng.pick([0.2, 0.35, 0.5]);
  return base.map((w, i) => (i > 0 && /^[a-z]{4,}$/.test(w) && rng.chance(rate) ? token(rng) : w)).join(' ');
}

export function backgroundText(rng: Rng): string {
  const r = rng.float();
  if (r < 0.15) {
    // Keyword lists, tags, ids: text with no sentence at all.
    const n = rng.range(3, 20);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(token(rng));
    return items.join(rng.pick([', ', ' ', '\n', ' | ', '; ']));
  }
  const n = rng.range(1, 8);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(sentence(rng));
  return out.join(rng.chance(0.3) ? '\n\n' : ' ');
}
