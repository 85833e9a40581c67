/**
 * UK National Insurance numbers. HMRC National Insurance Manual NIM39110: two prefix letters, six
 * digits, a suffix A-D. Neither prefix letter is D, F, I, Q, U or V; the second is not O; the
 * prefixes BG, GB, KN, NK, NT, TN and ZZ are never allocated (TN marks a temporary number).
 * With its suffix the shape is distinctive enough alone; without it, "NI number" context (nearby,
 * or as a table's column header) is needed.
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

const META = { id: 'pii-uk-nino', version: '1.0.0' } as const;
const UNALLOCATED_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);
const CONTEXT = contextWords(['nino', 'ni number', 'ni no', 'national insurance', 'nat ins', 'insurance number', 'hmrc', 'nic']);
/** Prefix letters already restricted per NIM39110; digits optionally in pairs; optional suffix. */
const CANDIDATE = /(?<![\w-])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2})(?: ?([A-D]))?(?![\w-])/g;

/** True when `nino` (no spaces, upper case) satisfies the HMRC allocation rules. */
export function ninoValid(nino: string): boolean {
  return /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]?$/.test(nino) && !UNALLOCATED_PREFIXES.has(nino.slice(0, 2));
}

export const ukNinoDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'UK National Insurance numbers: HMRC prefix and suffix rules (NIM39110).',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.uk_nino'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    return ({ text }) => {
      const out: Finding[] = [];
      // Six digits in pairs, at most a space apart: within 8 characters.
      if (textStats(text).digitSpan6 > 8) return out;
      for (const m of text.matchAll(CANDIDATE)) {
        const nino = m[1]! + m[2]! + m[3]! + m[4]! + (m[5] ?? '');
        if (!ninoValid(nino)) continue;
        // Spacing must be consistent ("AB 12 34 56 C", "AB123456C", or the digits kept whole as in
        // "AB 123456 C"), not arbitrary.
        const spaces = (m[0].match(/ /g) ?? []).length;
        const digitsWhole = m[0].includes(m[2]! + m[3]! + m[4]!);
        if (spaces !== 0 && spaces !== (m[5] ? 4 : 3) && !(digitsWhole && m[0][2] === ' ' && spaces === (m[5] ? 2 : 1))) continue;
        const end = m.index + m[0].length;
        const context = hasContext(text, m.index, end, CONTEXT, contextWindow) || CONTEXT.test(columnHeader(text, m.index) ?? '');
        const score = m[5] ? (context ? 0.98 : 0.85) : context ? 0.8 : 0.3;
        if (score < minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'pii.uk_nino',
            start: m.index,
            end,
            score,
            severity: 'high',
            rule: m[5] ? 'nino_with_suffix' : 'nino_with_context',
            explanation: `UK National Insurance number: allocated HMRC prefix and valid format${context ? ', with NI context nearby' : ''}.`,
          }),
        );
      }
      return out;
    };
  },
};
