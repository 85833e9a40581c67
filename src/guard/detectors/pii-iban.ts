/**
 * International Bank Account Numbers. ISO 13616-1: a two-letter country code, two check digits
 * and a country-specific BBAN, printed in groups of four. A candidate is confirmed when its length
 * is the one the IBAN registry (SWIFT, ISO 13616 registration authority) fixes for its country and
 * the ISO 7064 MOD 97-10 check over the rearranged number gives 1 (ISO 13616-1 §7).
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { mod97 } from './dlp/checksums.ts';
import { contextWords, hasContext, isWordChar } from './dlp/context.ts';
import { textStats } from './dlp/text-stats.ts';
import { dlpFinding } from './dlp/finding.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption, contextWindow: contextWindowOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-iban', version: '1.0.0' } as const;

/** IBAN length per country, from the SWIFT IBAN registry. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27,
  MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, HN: 28, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20, YE: 30,
};

/** True when `iban` (no separators, upper case) has its country's length and passes MOD 97-10. */
export function ibanValid(iban: string): boolean {
  const length = IBAN_LENGTHS[iban.slice(0, 2)];
  if (length === undefined || iban.length !== length || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  // ISO 13616-1 §7.1: move the first four characters to the end, then the remainder mod 97 is 1.
  return mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

const CONTEXT = contextWords(['iban', 'bank', 'account', 'acct', 'transfer', 'wire', 'sepa', 'swift', 'bic', 'konto', 'rib', 'cuenta', 'conto', 'rekening']);
/** Country code, check digits, then up to 30 BBAN characters with optional single separators. */
const CANDIDATE = /[A-Z]{2}\d{2}(?:[ \-\u00a0]?[A-Z0-9]){8,32}/gi;

export const ibanDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'IBANs: country length table and ISO 7064 MOD 97-10 check digits (ISO 13616).',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.iban'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    const candidate = new RegExp(CANDIDATE.source, 'gi');
    return ({ text }) => {
      const out: Finding[] = [];
      // The check digits are the only digits some countries' IBANs must have (QA, LC: alphanumeric BBANs).
      if (textStats(text).digits < 2) return out;
      candidate.lastIndex = 0;
      for (let m = candidate.exec(text); m !== null; m = candidate.exec(text)) {
        // A rejected match may hide an IBAN that starts inside it (two IBANs in a row).
        candidate.lastIndex = m.index + 1;
        if (isWordChar(text, m.index - 1)) continue;
        // ISO 13616 prints IBANs in capitals; people type them in any case.
        const length = IBAN_LENGTHS[m[0].slice(0, 2).toUpperCase()];
        if (length === undefined) continue;
        // Take exactly the country's number of symbols; whatever follows must not continue the word.
        let symbols = '';
        let end = m.index;
        for (; end < m.index + m[0].length && symbols.length < length; end++) {
          const c = m[0][end - m.index]!;
          if (c !== ' ' && c !== '-' && c !== '\u00a0') symbols += c.toUpperCase();
        }
        if (symbols.length !== length || isWordChar(text, end) || !ibanValid(symbols)) continue;
        const context = hasContext(text, m.index, end, CONTEXT, contextWindow);
        const score = context ? 0.99 : 0.95;
        candidate.lastIndex = end;
        if (score < minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'pii.iban',
            start: m.index,
            end,
            score,
            severity: 'high',
            rule: 'iban_mod97',
            explanation: `IBAN: registry length for its country and valid MOD 97-10 check digits${context ? ', with banking context nearby' : ''}.`,
          }),
        );
      }
      return out;
    };
  },
};
