/**
 * European national identifiers that carry a check symbol: Spanish DNI/NIE, Italian codice
 * fiscale, French NIR, Dutch BSN and Polish PESEL. Each rule finds a shape, confirms the check
 * symbol (dlp/national-ids.ts cites each national rule) and weighs context words. The BSN and
 * PESEL are bare digit runs whose checks pass by chance for ~1 in 10 random numbers, so they are
 * reported only next to their own name (or under it, as a table's column header).
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { contextWords, hasContext, type ContextWords } from './dlp/context.ts';
import { columnHeader } from './dlp/table-columns.ts';
import { dlpFinding } from './dlp/finding.ts';
import { textStats } from './dlp/text-stats.ts';
import { esNifValid, frNirValid, itFiscalCodeValid, nlBsnValid, plPeselValid } from './dlp/national-ids.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const META = { id: 'pii-eu-national-id', version: '1.0.0' } as const;

interface IdRule {
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
  /** The id is (at least) seven digits in a row... */
  readonly digitRun?: boolean;
  /** The pattern's digits lie within this many characters of each other: [census field, at most]. */
  readonly span?: readonly ['digitSpan6' | 'digitSpan9' | 'digitSpan12', number];
  /** ...unless written in groups of this shape, which a text must then hold. */
  readonly grouped?: RegExp;
  /** Written without spaces it is just a long number: then it needs its name nearby. */
  readonly bareNeedsContext?: boolean;
}

const RULES: readonly IdRule[] = [
  {
    category: 'pii.es_nif',
    name: 'Spanish DNI/NIE',
    // Also as printed on forms: "X-1234567-L", and the DNI with thousands dots "12.345.678-Z".
    pattern: /(?<![\w.-])(?:[XYZ][- ]?\d{7}|\d{7,8}|\d{2}\.\d{3}\.\d{3})[- ]?[A-Z](?![\w-])/g,
    valid: esNifValid,
    context: contextWords(['dni', 'nie', 'nif', 'documento', 'identidad', 'id card', 'national id']),
    score: 0.85,
    contextScore: 0.98,
    minDigits: 7,
    span: ['digitSpan6', 10],
    digitRun: true,
    grouped: /\d\.\d{3}\.\d{3}/,
  },
  {
    category: 'pii.it_fiscal_code',
    name: 'Italian codice fiscale',
    pattern: /(?<![\w-])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![\w-])/g,
    valid: itFiscalCodeValid,
    context: contextWords(['codice fiscale', 'cod fisc', 'cf', 'fiscal code', 'tax code', 'tessera sanitaria']),
    score: 0.95,
    contextScore: 0.99,
    // Omocodia may swap any of its 7 digits for letters.
    minDigits: 0,
  },
  {
    category: 'pii.fr_nir',
    name: 'French NIR (social security number)',
    pattern: /(?<![\w\-.+])[1278] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\w\-]|[.,]\d)/g,
    valid: frNirValid,
    context: contextWords(['sécurité sociale', 'securite sociale', 'sécu', 'secu', 'nir', 'insee', 'carte vitale', 'social security']),
    score: 0.85,
    contextScore: 0.98,
    minDigits: 13,
    span: ['digitSpan12', 21],
    bareNeedsContext: true,
  },
  {
    category: 'pii.nl_bsn',
    name: 'Dutch BSN',
    pattern: /(?<![\w\-.+])\d{4}\.?\d{2}\.?\d{3}(?![\w\-]|[.,]\d)/g,
    valid: nlBsnValid,
    context: contextWords(['bsn', 'burgerservicenummer', 'burger service nummer', 'sofinummer', 'sofi']),
    score: 0,
    contextScore: 0.9,
    minDigits: 9,
    span: ['digitSpan9', 11],
  },
  {
    category: 'pii.pl_pesel',
    name: 'Polish PESEL',
    pattern: /(?<![\w\-.+])\d{11}(?![\w\-]|[.,]\d)/g,
    valid: plPeselValid,
    context: contextWords(['pesel']),
    score: 0,
    contextScore: 0.95,
    minDigits: 11,
    span: ['digitSpan9', 9],
    digitRun: true,
  },
];

const optionsSchema = z
  .object({
    minScore: minScoreOption,
    contextWindow: contextWindowOption,
    /** Categories to look for; all by default. */
    categories: z.array(z.enum(RULES.map((r) => r.category) as [string, ...string[]])).default(RULES.map((r) => r.category)),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

export const euNationalIdDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'European national ids with check symbols: ES DNI/NIE, IT codice fiscale, FR NIR, NL BSN, PL PESEL.',
  channels: ['user', 'system', 'document', 'output'],
  categories: RULES.map((r) => r.category),
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    const rules = RULES.filter((r) => options.categories.includes(r.category)).map((r) => ({ ...r, pattern: new RegExp(r.pattern.source, 'g') }));
    return ({ text }) => {
      const out: Finding[] = [];
      const stats = textStats(text);
      for (const rule of rules) {
        if (stats.digits < rule.minDigits || (rule.minDigits === 0 && stats.uppers < 9)) continue;
        if (rule.span && stats[rule.span[0]] > rule.span[1]) continue;
        if (rule.digitRun && !stats.digitRun7 && !rule.grouped?.test(text)) continue;
        // Ids reported only beside their name: no name anywhere, nothing to scan for.
        if (rule.score === 0 && (!rule.context.mayOccur(stats) || !rule.context.test(text))) continue;
        for (const m of text.matchAll(rule.pattern)) {
          if (!rule.valid(m[0].replace(/[ .\-]/g, ''))) continue;
          const end = m.index + m[0].length;
          const context = hasContext(text, m.index, end, rule.context, contextWindow) || rule.context.test(columnHeader(text, m.index) ?? '');
          const score = context ? rule.contextScore : rule.bareNeedsContext && !m[0].includes(' ') ? 0 : rule.score;
          if (score < minScore || score === 0) continue;
          out.push(
            dlpFinding(META, {
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
