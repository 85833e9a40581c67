/**
 * US Social Security numbers. Confirmed with the SSA's assignment rules (SSA POMS RM 10201.035,
 * and the 2011 "SSN randomization" notice): area 001-899 except 666, group 01-99, serial
 * 0001-9999; areas 900-999 are IRS ITINs, not SSNs. Numbers the SSA lists as misused in
 * advertising (078-05-1120, 219-09-9999) and the textbook 123-45-6789 are examples, not people:
 * they are reported only beside "SSN" words, and low, since someone may be filling a form with them.
 * A dashed 3-2-4 number is reported alone; spaced or bare nine digits need "SSN" context. In a
 * table the column header counts as context ("ssn" heading the column, or "part_no").
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { contextWords, hasContext } from './dlp/context.ts';
import { columnHeader } from './dlp/table-columns.ts';
import { textStats } from './dlp/text-stats.ts';
import { dlpFinding } from './dlp/finding.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption, contextWindow: contextWindowOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-us-ssn', version: '1.0.0' } as const;
const EXAMPLES = new Set(['078051120', '219099999', '123456789', '987654320']);
const CONTEXT = contextWords(['ssn', 'ssns', 'social security', 'social sec', 'ss#', 'ss no', 'taxpayer', 'tin', 'social']);
const NEGATIVE_CONTEXT = contextWords(['order', 'invoice', 'ticket', 'case', 'part', 'ref', 'reference', 'tracking', 'zip', 'routing', 'phone', 'tel', 'isbn', 'po']);
/** Three digit groups with one consistent separator (or none), not glued to more digits or words. */
const CANDIDATE = /(?<![\w\-.+/])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\w\-]|\.\d)/g;

/** SSA assignment rules for an unformatted nine-digit number. */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  return !/^(\d)\1{8}$/.test(digits);
}

export const usSsnDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'US Social Security numbers: SSA area/group/serial rules, with SSN context for undashed forms.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.us_ssn'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    return ({ text }) => {
      const out: Finding[] = [];
      // Nine digits with at most two separators: within 11 characters of each other.
      if (textStats(text).digitSpan9 > 11) return out;
      for (const m of text.matchAll(CANDIDATE)) {
        const separator = m[2]!;
        const digits = m[1]! + m[3]! + m[4]!;
        if (!ssnValid(digits)) continue;
        const end = m.index + m[0].length;
        const header = columnHeader(text, m.index) ?? '';
        const context = hasContext(text, m.index, end, CONTEXT, contextWindow) || CONTEXT.test(header);
        const example = EXAMPLES.has(digits);
        let score: number;
        if (example) score = context ? 0.6 : 0.3;
        else if (context) score = separator === '-' ? 0.98 : 0.9;
        else if (separator !== '-' || hasContext(text, m.index, end, NEGATIVE_CONTEXT, contextWindow) || NEGATIVE_CONTEXT.test(header)) score = 0.3;
        else score = 0.75;
        if (score < minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'pii.us_ssn',
            start: m.index,
            end,
            score,
            severity: 'high',
            rule: example ? 'ssn_published_example' : separator === '-' ? 'ssn_dashed' : 'ssn_with_context',
            explanation: example
              ? 'US Social Security number the SSA lists as a published example, entered beside SSN context.'
              : `US Social Security number: valid SSA area, group and serial${context ? ', with SSN context nearby' : ' in the dashed 3-2-4 format'}.`,
          }),
        );
      }
      return out;
    };
  },
};
