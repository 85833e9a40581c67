/**
 * How text is tucked into a document: the wrappers planted instructions use, and that benign
 * documents use too (editorial notes, comments, hidden banners, separators, JSON fields, alt text,
 * quotes), so that a wrapper alone is never proof of an attack.
 */
import { expand } from './grammar.ts';
import type { Rng } from './rng.ts';

/** `benign`: the wrapper holds an ordinary note, so its label must not address an AI. */
export type Wrapper = (rng: Rng, p: string, benign: boolean) => string;

export const WRAPPERS: [number, string, Wrapper][] = [
  [5, 'plain', (_r, p) => p],
  [3, 'html-comment', (_r, p) => `<!-- ${p} -->`],
  [3, 'hidden', (rng, p) => expand(rng, '<{div|span|p} {style="display:none"|style="font-size:0"|style="color:#ffffff"|style="color: white; font-size: 1px"|hidden|aria-hidden="true" style="opacity:0"}>', {}) + p + rng.pick(['</div>', '</span>', '</p>'])],
  [2, 'rule', (rng, p) => `${rng.pick(['---', '***', '====='])}\n${p}\n${rng.pick(['---', '***', '====='])}`],
  [
    3,
    'note',
    (rng, p, benign) =>
      `${rng.pick(benign ? ['Note:', 'IMPORTANT:', 'P.S.', '[note]', 'Update:', 'Reminder:', 'NB:', 'Info:'] : ['Note to the assistant:', 'Note to AI:', '[AI instructions]', 'IMPORTANT:', 'P.S. for the AI assistant:', 'Assistant instructions:', '[system note]', 'Message for the summarizer:', 'Instructions for AI agents:'])} ${p}`,
  ],
  [1, 'md-comment', (_r, p) => `[//]: # (${p.replace(/[()]/g, '')})`],
  [2, 'code-comment', (rng, p) => rng.pick([`// ${p}`, `# ${p}`, `/* ${p} */`, `<!-- ${p} -->`])],
  [2, 'json', (rng, p) => `{"${rng.pick(['note', 'description', 'comment', 'message', 'instructions', 'summary', 'bio', 'title'])}": ${JSON.stringify(p)}}`],
  [1, 'alt-text', (_r, p) => `![${p.replace(/[[\]]/g, '')}](https://img.example.com/${Math.abs(p.length * 7919) % 9999}.png)`],
  [
    2,
    'fake-turn',
    (rng, p, benign) =>
      rng.pick(benign ? [`System: ${p}`, `[SYSTEM]: ${p}`, `Support: ${p}`] : [`<system>${p}</system>`, `[SYSTEM]: ${p}`, `<|im_start|>system\n${p}<|im_end|>`, `### System:\n${p}`, `System: ${p}`, `Assistant: Understood. ${p}`]),
  ],
  [1, 'quote', (_r, p) => `> ${p}`],
  [1, 'signature', (rng, p) => `--\n${rng.pick(['Sent from my phone', 'Regards', 'Best'])}\n${p}`],
];

