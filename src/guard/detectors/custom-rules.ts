/**
 * Custom rules from config: keyword lists and regular expressions, each with its own category
 * (`custom.<name>`, or `content.<name>` for local content blocklists) so a profile can give it an
 * action. Patterns run on RE2JS, a linear-time engine
 * (no backtracking), because they are written by users and run on attacker-controlled text: a
 * pattern such as `(a+)+$` cannot hang the process. Keywords match whole words, case-insensitively,
 * after Unicode NFKC folding; spans found on the folded text are mapped back onto the original.
 */
import { RE2JS } from 're2js';
import { z } from 'zod';
import { NfkcOffsets } from '../normalize/nfkc-offsets.ts';
import type { DetectorDescriptor, Finding } from '../types.ts';

const ruleSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9_]{1,48}$/, 'must be 1-48 lower-case letters, digits or _').describe('Becomes the category custom.<name>.'),
    keywords: z.array(z.string().min(1).max(200)).max(10_000).default([]).describe('Words or phrases, matched as whole words, case-insensitively; `_` separates words as a space does, and the spaces of a phrase also match `_`, `-` or `.`.'),
    patterns: z.array(z.string().min(1).max(1_000)).max(200).default([]).describe('RE2 syntax (linear time; no backreferences or lookaround).'),
    severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    category: z
      .string()
      .regex(/^(custom|content)\.[a-z0-9_]{1,48}$/, 'must be custom.<name> or content.<name>')
      .optional()
      .describe('Category to report instead of custom.<name>, e.g. content.hate for a local blocklist.'),
    description: z.string().max(500).optional(),
  })
  .describe('One custom rule.');

export const customRulesOptions = z
  .strictObject({
    rules: z.array(ruleSchema).max(500).default([]),
    maxFindingsPerRule: z.int().min(1).max(10_000).default(100),
  })
  .superRefine((o, ctx) => {
    o.rules.forEach((r, i) =>
      r.patterns.forEach((p, j) => {
        try {
          RE2JS.compile(p);
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'patterns', j], message: `not a valid RE2 pattern: ${(e as Error).message}` });
        }
      }),
    );
  });

export type CustomRulesOptions = z.output<typeof customRulesOptions>;

function escapeRe2(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

interface CompiledRule {
  name: string;
  category: string;
  severity: Finding['severity'];
  matchers: { re: RE2JS; what: string }[];
}

export const customRulesDetector: DetectorDescriptor<CustomRulesOptions> = {
  id: 'custom-rules',
  version: '1.0.0',
  description: 'Keyword lists and linear-time (RE2) patterns from the config, each reported as custom.<name>.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['custom.', 'content.'],
  optionsSchema: customRulesOptions,
  create(options) {
    const rules: CompiledRule[] = options.rules.map((r) => {
      const matchers: CompiledRule['matchers'] = r.patterns.map((p, i) => ({ re: RE2JS.compile(p), what: `pattern ${i + 1}` }));
      if (r.keywords.length > 0) {
        // One alternation for the whole list; RE2 keeps it linear in the text whatever its size.
        // Identifiers count: `_` separates words like a space (`nightingale_api_key`), and the
        // spaces of a phrase also match `_`, `-` or `.` (`project_nightingale`, `project-nightingale`).
        const words = r.keywords.map((k) => escapeRe2(k.normalize('NFKC')).replace(/\s+/g, '[\\s_.-]+'));
        matchers.push({ re: RE2JS.compile(`(?:^|[^\\pL\\pN])(${words.join('|')})(?:$|[^\\pL\\pN])`, RE2JS.CASE_INSENSITIVE), what: 'keyword list' });
      }
      return { name: r.name, category: r.category ?? `custom.${r.name}`, severity: r.severity, matchers };
    });
    const max = options.maxFindingsPerRule;
    return ({ text }) => {
      const folded = text.normalize('NFKC');
      // Matches are found on the folded text; their spans are mapped back to the caller's text.
      let offsets: NfkcOffsets | null | undefined = folded === text ? null : undefined;
      const out: Finding[] = [];
      for (const rule of rules) {
        let n = 0;
        for (const { re, what } of rule.matchers) {
          const group = what === 'keyword list' ? 1 : 0;
          const m = re.matcher(folded);
          let from = 0;
          while (n < max && from <= folded.length && m.find(from)) {
            let start = m.start(group);
            let end = m.end(group);
            // The next search starts where this value ends: the separator after a keyword may be
            // the one before the next ("secret secret"); an empty match moves on one character.
            from = end > start ? end : start + 1;
            if (end === start) continue;
            if (offsets !== null) {
              offsets ??= new NfkcOffsets(text, folded);
              [start, end] = offsets.span(start, end);
            }
            n++;
            out.push({
              detector: 'custom-rules',
              detectorVersion: '1.0.0',
              category: rule.category,
              start,
              end,
              score: 1,
              severity: rule.severity,
              rule: `${rule.name}: ${what}`,
              explanation: `Matched the ${what} of custom rule '${rule.name}'.`,
            });
          }
        }
      }
      return out;
    };
  },
};
