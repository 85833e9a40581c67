/**
 * Licence sections as READMEs and source files carry them: the grant, the notice condition, the
 * warranty disclaimer, written for this project in the register of such texts (no licence is
 * quoted). They use a jailbreak's words for their ordinary meaning — granted "without
 * restriction", "without limitation", provided "without warranty" — and a licence paragraph
 * scored 0.99 as a document (`no-restrictions`) before these were in the corpus; 6 of the 38 README
 * sections flagged were licences. Contract clauses and terms of service ("supersedes all prior
 * agreements", "shall not disclose") were tried too and cost 3 points of direct-attack recall on
 * the dev set: their wording overlaps an override's.
 */
import { expand, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import type { Doc } from './benign-docs.ts';
import { COMPANY, FIRST, LAST } from './vocab.ts';

const S: Slots = {
  party: ['the Licensor', 'the Company', 'the Provider', 'the Supplier', 'the Disclosing Party', 'the Employer', '<company>'],
  other: ['the Licensee', 'the Customer', 'the User', 'the Recipient', 'the Receiving Party', 'the Employee', 'you'],
  work: ['the Software', 'the Work', 'this software and its documentation', 'the Licensed Materials', 'the Service', 'the Product'],
  company: COMPANY,
  holder: (rng: Rng) => `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
  year: ['2014', '2017', '2019', '2021', '2023', '2025'],
};

const GRANT = [
  'Copyright (c) <year> <holder>\n\nPermission is {hereby |}granted, {free of charge|at no cost|royalty-free}, to {any person|anyone} obtaining a copy of <work>, to {use, copy, modify, merge and distribute it|deal in it} without {restriction|limitation}, {including without limitation the rights to publish and sublicense copies|subject to the following conditions}{:|.}',
  'Subject to the terms of this {License|Agreement}, <party> grants <other> a {worldwide, non-exclusive|perpetual, irrevocable|limited, non-transferable} licence to {reproduce, prepare derivative works of and distribute|use and display} <work>{ without restriction| in source or object form|}.',
  'The above copyright notice and this permission notice shall be included in all copies or substantial portions of <work>.',
  'Redistribution and use in source and binary forms, with or without modification, are permitted provided that {the following conditions are met|the copyright notice is retained}.',
];
const DISCLAIM = [
  '{THE SOFTWARE|THE WORK|THE SERVICE} IS PROVIDED "AS IS", WITHOUT {WARRANTY|WARRANTIES} OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO {THE WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE|ANY IMPLIED WARRANTY OF NON-INFRINGEMENT}.',
  'IN NO EVENT SHALL {THE AUTHORS|THE LICENSOR|THE COPYRIGHT HOLDERS} BE LIABLE FOR ANY {CLAIM, DAMAGES OR OTHER LIABILITY|INDIRECT, INCIDENTAL OR CONSEQUENTIAL DAMAGES}, WHETHER IN {CONTRACT, TORT OR OTHERWISE|AN ACTION OF CONTRACT}, ARISING FROM OR IN CONNECTION WITH {THE SOFTWARE|THE USE OF THE WORK}.',
  'To the maximum extent permitted by law, <party> disclaims all warranties{, express or implied|} and shall not be liable for any loss of {data|profits|business} arising from the use of <work>.',
];
/** A licence section: the grant, the notice condition, the warranty disclaimer and the liability clause. */
export function legalDoc(rng: Rng): Doc {
  const ex = (t: string) => expand(rng, t, S);
  const blocks = [ex(rng.pick(['## License', 'LICENSE', '## Licence', 'MIT License', 'License\n=======']))];
  blocks.push(ex(rng.chance(0.7) ? GRANT[0]! : rng.pick(GRANT)));
  if (rng.chance(0.7)) blocks.push(ex(GRANT[2]!));
  blocks.push(ex(DISCLAIM[0]!));
  if (rng.chance(0.6)) blocks.push(ex(rng.pick(DISCLAIM.slice(1))));
  return { kind: 'policy', blocks, sep: '\n\n' };
}
