/**
 * A tiny template language for writing many variants of a sentence compactly:
 *
 * - `{a|b|c}` picks one alternative (nestable; `{a|}` makes `a` optional);
 * - `<name>` inserts a slot: a list of templates or a function of the generator (a name that is
 *   not a slot stays as text, so markup such as `<rule>` can be written as is);
 * - `\{` `\<` escape the syntax characters.
 *
 * @example expand(rng, '{Please |}<verb> the {report|slides}', { verb: ['send', 'share'] })
 */
import type { Rng } from './rng.ts';

export type Slot = readonly string[] | ((rng: Rng) => string);
export type Slots = Readonly<Record<string, Slot>>;

type Node = { kind: 'text'; text: string } | { kind: 'alt'; options: Node[][] } | { kind: 'slot'; name: string };

const cache = new Map<string, Node[]>();

function parse(src: string): Node[] {
  let i = 0;
  const seq = (inAlt: boolean): Node[] => {
    const out: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ kind: 'text', text });
      text = '';
    };
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\' && i + 1 < src.length) {
        text += src[i + 1];
        i += 2;
      } else if (c === '{') {
        flush();
        i++;
        const options: Node[][] = [seq(true)];
        while (src[i] === '|') {
          i++;
          options.push(seq(true));
        }
        if (src[i] !== '}') throw new Error(`unclosed { in template: ${src}`);
        i++;
        out.push({ kind: 'alt', options });
      } else if (inAlt && (c === '|' || c === '}')) {
        break;
      } else if (c === '<' && /^<[a-zA-Z][a-zA-Z0-9_]*>/.test(src.slice(i, i + 40))) {
        flush();
        const end = src.indexOf('>', i);
        out.push({ kind: 'slot', name: src.slice(i + 1, end) });
        i = end + 1;
      } else {
        text += c;
        i++;
      }
    }
    flush();
    return out;
  };
  const nodes = seq(false);
  if (i < src.length) throw new Error(`unbalanced template: ${src}`);
  return nodes;
}

function render(rng: Rng, nodes: readonly Node[], slots: Slots, depth: number): string {
  if (depth > 12) throw new Error('template recursion too deep');
  let s = '';
  for (const n of nodes) {
    if (n.kind === 'text') s += n.text;
    else if (n.kind === 'alt') s += render(rng, rng.pick(n.options), slots, depth);
    else {
      const slot = slots[n.name];
      // Markup in templates (`<rule>`, `<query>`) is text unless a slot of that name exists.
      if (slot === undefined) s += `<${n.name}>`;
      else s += typeof slot === 'function' ? slot(rng) : expandIn(rng, rng.pick(slot), slots, depth + 1);
    }
  }
  return s;
}

function expandIn(rng: Rng, template: string, slots: Slots, depth: number): string {
  let nodes = cache.get(template);
  if (!nodes) {
    nodes = parse(template);
    cache.set(template, nodes);
  }
  return render(rng, nodes, slots, depth);
}

export function expand(rng: Rng, template: string, slots: Slots = {}): string {
  return expandIn(rng, template, slots, 0);
}

/** Picks one template from a list and expands it. */
export function expandOne(rng: Rng, templates: readonly string[], slots: Slots = {}): string {
  return expand(rng, rng.pick(templates), slots);
}

/** Upper-cases the first letter (templates are written mid-sentence-agnostic). */
export function cap(s: string): string {
  return s.length ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** Capitalizes the first letter of each sentence (after `. `, `! `, `? `, a line break or `: `). */
export function sentenceCase(s: string): string {
  return cap(s).replace(/([.!?:]\s+|\n)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}
