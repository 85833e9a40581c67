/**
 * The engine of the national-id detectors: each rule finds a shape, confirms the structure and
 * check symbol with its validator, and weighs context words (near the match, or as the header of
 * its table column). Cheap gates on the text's statistics (digits, upper-case letters, how close
 * together its digits are, whether it has a long digit run) skip the patterns of ids a text
 * cannot hold, so that most texts cost one statistics pass for every rule.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../../types.ts';
import { hasContext, type ContextWords } from './context.ts';
import { dlpFinding } from './finding.ts';
import { contextWindowOption, minScoreOption } from './options.ts';
import { columnHeader } from './table-columns.ts';
import { textStats } from './text-stats.ts';

export interface IdRule {
  readonly category: string;
  readonly name: string;
  readonly pattern: RegExp;
  readonly valid: (normalized: string) => boolean;
  readonly context: ContextWords;
  /** Score without context; 0 means context is required. */
  readonly score: number;
  readonly contextScore: number;
  /** Fewest digits a text must hold for this id to fit in it. */
  readonly minDigits: number;
  /** Fewest upper-case letters a text must hold for this id to fit in it. */
  readonly minUppers?: number;
  /** The id is (at least) seven digits in a row... */
  readonly digitRun?: boolean;
  /** The pattern's digits lie within this many characters of each other: [census field, at most]. */
  readonly span?: readonly ['digitSpan6' | 'digitSpan9' | 'digitSpan12', number];
  /** ...unless written in groups of this shape, which a text must then hold. */
  readonly grouped?: RegExp;
  /** Written without separators (spaces, dots, dashes) it is just a long number: then it needs its name nearby. */
  readonly bareNeedsContext?: boolean;
}

/** A detector over `rules`, with options `minScore`, `contextWindow` and `categories`. */
export function idRulesDetector(meta: { readonly id: string; readonly version: string }, description: string, all: readonly IdRule[]) {
  const optionsSchema = z
    .object({
      minScore: minScoreOption,
      contextWindow: contextWindowOption,
      /** Categories to look for; all by default. */
      categories: z.array(z.enum(all.map((r) => r.category) as [string, ...string[]])).default(all.map((r) => r.category)),
    })
    .strict();
  const descriptor: DetectorDescriptor<z.infer<typeof optionsSchema>> = {
    id: meta.id,
    version: meta.version,
    description,
    channels: ['user', 'system', 'document', 'output'],
    categories: all.map((r) => r.category),
    optionsSchema,
    create(options) {
      const { minScore, contextWindow } = options;
      const rules = all.filter((r) => options.categories.includes(r.category)).map((r) => ({ ...r, pattern: new RegExp(r.pattern.source, 'g') }));
      return ({ text }) => {
        const out: Finding[] = [];
        const stats = textStats(text);
        for (const rule of rules) {
          if (stats.digits < rule.minDigits || stats.uppers < (rule.minUppers ?? 0)) continue;
          if (rule.span && stats[rule.span[0]] > rule.span[1]) continue;
          if (rule.digitRun && !stats.digitRun7 && !rule.grouped?.test(text)) continue;
          // Ids reported only beside their name: no name anywhere, nothing to scan for.
          if (rule.score === 0 && (!rule.context.mayOccur(stats) || !rule.context.test(text))) continue;
          for (const m of text.matchAll(rule.pattern)) {
            if (!rule.valid(m[0].replace(/[ .\-]/g, ''))) continue;
            const end = m.index + m[0].length;
            const context = hasContext(text, m.index, end, rule.context, contextWindow) || rule.context.test(columnHeader(text, m.index) ?? '');
            const score = context ? rule.contextScore : rule.bareNeedsContext && !/[ .\-]/.test(m[0]) ? 0 : rule.score;
            if (score < minScore || score === 0) continue;
            out.push(
              dlpFinding(meta, {
                category: rule.category,
                start: m.index,
                end,
                score,
                severity: 'high',
                rule: rule.category.slice('pii.'.length),
                explanation: `${rule.name}: valid structure and check symbol${context ? ', with its name nearby' : ''}.`,
              }),
            );
          }
        }
        return out;
      };
    },
  };
  return descriptor;
}
