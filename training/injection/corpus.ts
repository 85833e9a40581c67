/**
 * Assembles the training corpus from the generators: labelled texts per channel, with the share
 * of each family fixed here. Same seed, same corpus.
 */
import { Rng } from './rng.ts';
import { sentenceCase } from './grammar.ts';
import { benignPrompt } from './benign-prompts.ts';
import { benignTrickyPrompt } from './benign-tricky.ts';
import { benignDoc, renderDoc } from './benign-docs.ts';
import { directAttack } from './attacks-direct.ts';
import { jailbreakAttack } from './attacks-jailbreak.ts';
import { indirectAttack, maliciousEmail, readerRequestDoc } from './attacks-indirect.ts';
import { benignSystemPrompt } from './system-prompts.ts';
import { benignTwin } from './benign-twins.ts';
import { backgroundText } from './background.ts';
import { applyEvasion, naturalNoise, randomEvasion, typos } from './obfuscate.ts';
import { hijackAttack } from './attacks-hijack.ts';
import { scenarioAttack, scenarioTwin } from './attacks-scenario.ts';
import { attackEmail, benignWorkEmail } from './attacks-email.ts';
import { multilingualPrompt, shortReply } from './benign-multilingual.ts';
import { shortAttack, shortTwin } from './attacks-short.ts';
import { promptDevRequest } from './benign-promptdev.ts';
import { benignRedirect } from './benign-redirects.ts';
import { toolOutputAttack, toolOutputBenign } from './attacks-toolout.ts';
import { europeAttack, europePrompt } from './multilingual-europe.ts';
import { wideAttack, widePrompt } from './multilingual-wide.ts';
import { realDoc } from './benign-realdocs.ts';

/** 0 benign, 1 prompt_injection, 2 jailbreak. */
export type Label = 0 | 1 | 2;

export interface Example {
  readonly text: string;
  readonly label: Label;
  readonly channel: 'user' | 'system' | 'document';
  readonly family: string;
  /** For documents with a planted payload: its span, so windows can be labelled. */
  readonly span?: readonly [number, number];
}

export interface CorpusSize {
  readonly benign: number;
  readonly tricky: number;
  /** Benign prompts built on the scaffolding of the attack families. */
  readonly twins: number;
  /** Benign text full of words the generators never use, on both channels. */
  readonly background: number;
  readonly system: number;
  readonly direct: number;
  readonly jailbreak: number;
  readonly benignDocs: number;
  readonly indirect: number;
  readonly emails: number;
  /** Persona switches and task hijacks without override wording, in seven languages. */
  readonly hijack: number;
  /** Role scenarios steering towards a harmful deliverable, and their benign twins. */
  readonly scenario: number;
  readonly scenarioTwins: number;
  /** Benign prompts in other languages, follow-ups, and short chat replies. */
  readonly multilingual: number;
  readonly short: number;
  /** Realistic benign documents and work e-mails (hard negatives of the document channel). */
  readonly realDocs: number;
  readonly workEmails: number;
  /** One- to three-sentence jailbreaks and extractions, and benign prompts of the same shapes. */
  readonly shortAttacks: number;
  readonly shortTwins: number;
  /** Benign documents with a request to their human reader (twins of answer manipulations). */
  readonly readerRequests: number;
  /** Attacks and benign prompts in ten more languages (Chinese to Hindi). */
  readonly wideAttacks: number;
  readonly widePrompts: number;
  readonly europeAttacks: number;
  readonly europePrompts: number;
  readonly redirects: number;
  readonly toolAttacks: number;
  readonly toolBenign: number;
  readonly promptDev: number;
}

export const FULL_SIZE: CorpusSize = {
  benign: 16000,
  tricky: 9000,
  twins: 12000,
  background: 8000,
  system: 1500,
  direct: 8000,
  jailbreak: 9000,
  benignDocs: 10000,
  indirect: 11000,
  emails: 3000,
  hijack: 6000,
  scenario: 3000,
  scenarioTwins: 2000,
  multilingual: 6000,
  short: 600,
  realDocs: 7000,
  workEmails: 1500,
  shortAttacks: 3000,
  shortTwins: 3000,
  readerRequests: 2500,
  wideAttacks: 1000,
  widePrompts: 2000,
  europeAttacks: 700,
  europePrompts: 1000,
  redirects: 1500,
  toolAttacks: 1500,
  toolBenign: 2000,
  promptDev: 500,
};

export function buildCorpus(seed: number, size: CorpusSize = FULL_SIZE): Example[] {
  const root = new Rng(seed);
  const out: Example[] = [];
  const seen = new Set<string>();
  const gen = (family: string, n: number, f: (rng: Rng) => Omit<Example, 'family'>) => {
    const rng = root.fork(family);
    // Templates repeat short texts; duplicates would only re-weight them. A few draws more per
    // family keep the counts close to the requested size.
    for (let i = 0, tries = 0; i < n && tries < n * 3; tries++) {
      const ex = f(rng);
      if (seen.has(ex.text)) continue;
      seen.add(ex.text);
      out.push({ ...ex, family });
      i++;
    }
  };
  gen('benign', size.benign, (rng) => ({ text: maybeNoise(rng, benignPrompt(rng)), label: 0, channel: 'user' }));
  gen('benign_tricky', size.tricky, (rng) => ({ text: maybeNoise(rng, benignTrickyPrompt(rng)), label: 0, channel: 'user' }));
  gen('twin', size.twins, (rng) => ({ text: maybeNoise(rng, sentenceCase(benignTwin(rng))), label: 0, channel: 'user' }));
  gen('background', size.background, (rng) => ({ text: backgroundText(rng), label: 0, channel: rng.chance(0.5) ? 'user' : 'document' }));
  gen('system', size.system, (rng) => ({ text: benignSystemPrompt(rng), label: 0, channel: 'system' }));
  gen('direct', size.direct, (rng) => ({ text: maybeEvade(rng, sentenceCase(directAttack(rng))), label: 1, channel: 'user' }));
  gen('jailbreak', size.jailbreak, (rng) => ({ text: maybeEvade(rng, sentenceCase(jailbreakAttack(rng))), label: 2, channel: 'user' }));
  gen('benign_doc', size.benignDocs, (rng) => ({ text: maybeNoise(rng, renderDoc(benignDoc(rng))), label: 0, channel: 'document' }));
  gen('indirect', size.indirect, (rng) => {
    const s = indirectAttack(rng);
    return { text: s.text, label: 1, channel: 'document', span: [s.start, s.end] as const };
  });
  gen('email_attack', size.emails, (rng) => ({ text: rng.chance(0.3) ? maliciousEmail(rng) : attackEmail(rng), label: 1, channel: 'document' }));
  gen('hijack', size.hijack, (rng) => ({ text: maybeEvade(rng, hijackAttack(rng)), label: 1, channel: 'user' }));
  gen('scenario', size.scenario, (rng) => ({ text: scenarioAttack(rng), label: 2, channel: 'user' }));
  gen('scenario_twin', size.scenarioTwins, (rng) => ({ text: scenarioTwin(rng), label: 0, channel: 'user' }));
  gen('multilingual', size.multilingual, (rng) => ({ text: maybeNoise(rng, multilingualPrompt(rng)), label: 0, channel: 'user' }));
  gen('short', size.short, (rng) => ({ text: shortReply(rng), label: 0, channel: 'user' }));
  gen('real_doc', size.realDocs, (rng) => ({ text: maybeNoise(rng, renderDoc(realDoc(rng))), label: 0, channel: 'document' }));
  gen('short_attack', size.shortAttacks, (rng) => {
    const a = shortAttack(rng);
    return { text: maybeEvade(rng, a.text), label: a.label, channel: 'user' };
  });
  gen('short_twin', size.shortTwins, (rng) => ({ text: maybeNoise(rng, shortTwin(rng)), label: 0, channel: 'user' }));
  gen('wide_attack', size.wideAttacks, (rng) => {
    const a = wideAttack(rng);
    return { text: a.text, label: a.label, channel: 'user' };
  });
  gen('wide_prompt', size.widePrompts, (rng) => ({ text: widePrompt(rng), label: 0, channel: 'user' }));
  gen('reader_request', size.readerRequests, (rng) => ({ text: maybeNoise(rng, readerRequestDoc(rng)), label: 0, channel: 'document' }));
  gen('work_email', size.workEmails, (rng) => ({ text: benignWorkEmail(rng), label: 0, channel: 'document' }));
  gen('europe_attack', size.europeAttacks, (rng) => {
    const a = europeAttack(rng);
    return { text: maybeNoise(rng, a.text), label: a.label, channel: 'user' };
  });
  gen('europe_prompt', size.europePrompts, (rng) => ({ text: maybeNoise(rng, europePrompt(rng)), label: 0, channel: 'user' }));
  gen('redirect', size.redirects, (rng) => ({ text: maybeNoise(rng, benignRedirect(rng)), label: 0, channel: 'user' }));
  gen('tool_attack', size.toolAttacks, (rng) => ({ text: toolOutputAttack(rng), label: 1, channel: 'document' }));
  gen('tool_benign', size.toolBenign, (rng) => ({ text: toolOutputBenign(rng), label: 0, channel: 'document' }));
  gen('prompt_dev', size.promptDev, (rng) => ({ text: maybeNoise(rng, promptDevRequest(rng)), label: 0, channel: 'user' }));
  return out;
}

function maybeEvade(rng: Rng, text: string): string {
  const r = rng.float();
  if (r < 0.12) return applyEvasion(rng, text, randomEvasion(rng));
  if (r < 0.2) return typos(rng, text);
  return text;
}

/** Benign text gets typos and typographic noise as often as attacks do, so neither is a signal. */
function maybeNoise(rng: Rng, text: string): string {
  const r = rng.float();
  if (r < 0.2) return naturalNoise(rng, text);
  if (r < 0.28) return typos(rng, text);
  return text;
}
