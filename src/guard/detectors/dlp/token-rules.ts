/**
 * The data-driven half of the secret recognizers: a provider token is a rule (pattern, how to
 * confirm it, what it is), not hand-written code. `tokenDetector` turns a table of rules into a
 * detector descriptor; every rule's pattern is a fixed, reviewed regex with bounded repetitions
 * and a literal prefix or keyword, so scanning stays linear and fast.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding, Severity } from '../../types.ts';
import { hasContext } from './context.ts';
import { dlpFinding } from './finding.ts';
import { contextWindowOption, minScoreOption } from './options.ts';
import { isDocumentedExample, isPlaceholder } from './placeholders.ts';
import { dropOverlaps } from './spans.ts';
import { textStats } from './text-stats.ts';

export interface Confirmation {
  readonly score: number;
  /** Extra words for the explanation ("valid CRC32 checksum"); never the value. */
  readonly evidence: string;
}

export interface TokenRule {
  /** Stable rule id reported in findings, e.g. `github_token`. */
  readonly rule: string;
  readonly category: string;
  /** What it is, in words ("GitHub personal access token (classic)"). */
  readonly name: string;
  /** Global regex; a named group `secret` is the reported span, else the whole match is. */
  readonly pattern: RegExp;
  /** The part checked for placeholders (the random body, without the fixed prefix). */
  readonly body?: (secret: string) => string;
  /** Confirms the candidate; undefined rejects it. Defaults to the rule's base score. */
  readonly confirm?: (secret: string, text: string, start: number, end: number) => Confirmation | undefined;
  /**
   * What the text must contain before the pattern runs at all: literals one of which every match
   * contains, or a regex for keywords. A detector joins its rules' prefilters into one scan, so
   * the usual text, with no token in it, costs one pass instead of one per rule.
   */
  readonly prefilter?: RegExp | readonly string[];
  /** Context words that must appear near the candidate (within the context window). */
  readonly requiredContext?: RegExp;
  readonly score: number;
  readonly severity: Severity;
}

interface Compiled extends TokenRule {
  readonly compiled: RegExp;
  /** The whole pattern anchored, for rules whose span is the whole match. */
  readonly anchored?: RegExp;
}

function compile(rule: TokenRule): Compiled {
  const flags = rule.pattern.flags.replace(/[gdy]/g, '');
  const grouped = rule.pattern.source.includes('(?<secret>');
  // Match indices (the `d` flag) cost time; only rules reporting a group need them.
  return {
    ...rule,
    compiled: new RegExp(rule.pattern.source, `${flags}g${grouped ? 'd' : ''}`),
    // Boundary look-arounds in the patterns hold trivially at ^ and $, so wrapping is enough.
    ...(grouped ? {} : { anchored: new RegExp(`^(?:${rule.pattern.source})$`, flags) }),
  };
}

function passes(prefilter: RegExp | readonly string[] | undefined, text: string): boolean {
  if (prefilter === undefined) return true;
  if (prefilter instanceof RegExp) return prefilter.test(text);
  return prefilter.some((literal) => text.includes(literal));
}

/**
 * Answers "could any of these rules match?" with at most two scans: one for the union of all
 * literal and case-sensitive prefilters, one for the case-insensitive ones (kept apart so that
 * `SK` does not start matching "task"). Undefined when a rule has no prefilter.
 */
function combinedPrefilter(rules: readonly TokenRule[]): ((text: string) => boolean) | undefined {
  const exact: string[] = [];
  const folded: string[] = [];
  for (const r of rules) {
    if (r.prefilter === undefined) return undefined;
    if (r.prefilter instanceof RegExp) (r.prefilter.flags.includes('i') ? folded : exact).push(r.prefilter.source);
    else exact.push(...r.prefilter.map((l) => l.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')));
  }
  const a = exact.length > 0 ? new RegExp(exact.join('|')) : undefined;
  const b = folded.length > 0 ? new RegExp(folded.join('|'), 'i') : undefined;
  return (text) => (a?.test(text) ?? false) || (b?.test(text) ?? false);
}

function spanOf(m: RegExpExecArray | RegExpMatchArray): [number, number] {
  const group = m.indices?.groups?.['secret'];
  return group ? [group[0], group[1]] : [m.index!, m.index! + m[0].length];
}

/**
 * Answers whether one of `rules` reports exactly [start, end) of `text`, so that the generic and
 * URL recognizers leave such a value to the provider rule, which names it better. Only a window
 * around the span is scanned, enough for the rules' own key names and context.
 */
export function providerClaimMatcher(rules: readonly TokenRule[]): (text: string, start: number, end: number) => boolean {
  const compiled = rules.map(compile);
  return (text, start, end) => {
    const value = text.slice(start, end);
    const from = Math.max(0, start - 120);
    const window = text.slice(from, Math.min(text.length, end + 8));
    for (const r of compiled) {
      if (r.anchored) {
        if (r.anchored.test(value) && (!r.confirm || r.confirm(value, text, start, end))) return true;
        continue;
      }
      if (!passes(r.prefilter, window)) continue;
      for (const m of window.matchAll(r.compiled)) {
        const [s, e] = spanOf(m);
        if (from + s !== start || from + e !== end) continue;
        if (!r.confirm || r.confirm(window.slice(s, e), window, s, e)) return true;
      }
    }
    return false;
  };
}

export interface TokenDetectorSpec {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly rules: readonly TokenRule[];
}

/**
 * Builds a descriptor from a rule table. Options: `minScore`, `contextWindow`, and `rules`, the
 * rule ids to run (all by default). Overlapping hits keep the earlier rule of the table.
 * @example
 *   export const vcsTokensDetector = tokenDetector({ id: 'secret-vcs-tokens', version: '1.0.0', description: '…', rules });
 */
export function tokenDetector(spec: TokenDetectorSpec): DetectorDescriptor<TokenOptions> {
  const all = spec.rules.map(compile);
  const ruleIds = all.map((r) => r.rule) as [string, ...string[]];
  const optionsSchema = z
    .object({ minScore: minScoreOption, contextWindow: contextWindowOption, rules: z.array(z.enum(ruleIds)).default(ruleIds) })
    .strict();
  const meta = { id: spec.id, version: spec.version };
  return {
    id: spec.id,
    version: spec.version,
    description: spec.description,
    channels: ['user', 'system', 'document', 'output'],
    categories: [...new Set(all.map((r) => r.category))],
    optionsSchema,
    create(options) {
      const rules = all.filter((r) => options.rules.includes(r.rule)).map((r) => ({ ...r, compiled: new RegExp(r.compiled.source, r.compiled.flags) }));
      // Most texts hold no token at all: one scan for all prefixes instead of one per rule.
      const mayMatch = combinedPrefilter(rules);
      return ({ text }) => {
        // Every provider token is a run of 16+ token characters; most prompts have none.
        if (!textStats(text).longToken || (mayMatch && !mayMatch(text))) return [];
        const hits: (Finding & { rank: number })[] = [];
        for (const [rank, r] of rules.entries()) {
          if (!passes(r.prefilter, text)) continue;
          for (const m of text.matchAll(r.compiled)) {
            const [start, end] = spanOf(m);
            const secret = text.slice(start, end);
            if (isDocumentedExample(secret) || isPlaceholder(r.body ? r.body(secret) : secret)) continue;
            if (r.requiredContext && !hasContext(text, start, end, r.requiredContext, options.contextWindow * 2, 0)) continue;
            const ok = r.confirm ? r.confirm(secret, text, start, end) : { score: r.score, evidence: '' };
            if (!ok || ok.score < options.minScore) continue;
            hits.push({
              rank,
              ...dlpFinding(meta, {
                category: r.category,
                start,
                end,
                score: ok.score,
                severity: r.severity,
                rule: r.rule,
                explanation: `${r.name}: matches the provider's documented token format${ok.evidence ? `, ${ok.evidence}` : ''}.`,
              }),
            });
          }
        }
        return dropOverlaps(hits).map(({ rank: _rank, ...finding }) => finding);
      };
    },
  };
}

export type TokenOptions = { minScore: number; contextWindow: number; rules: string[] };
