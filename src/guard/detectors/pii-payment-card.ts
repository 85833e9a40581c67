/**
 * Payment card numbers (PANs). Candidates are runs of digit groups joined by single separators
 * (space, hyphen, dot, or a line break: cards split across lines still leak). Inside a run, every
 * window of whole groups with 12-19 digits is confirmed by the Luhn check (ISO/IEC 7812-1 Annex B)
 * and by an issuer range with that issuer's lengths (IIN tables the networks publish); the longest
 * confirmed windows win. Card context ("card", "visa", "cvv") raises the score; order, tracking or
 * IMEI context without card context drops it below the default threshold.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { luhnValid } from './dlp/checksums.ts';
import { contextWords, hasContext, isWordChar } from './dlp/context.ts';
import { textStats } from './dlp/text-stats.ts';
import { dlpFinding } from './dlp/finding.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption, contextWindow: contextWindowOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-payment-card', version: '1.0.0' } as const;

interface Issuer {
  readonly name: string;
  /** Inclusive prefix ranges, compared on the first `digits` digits. */
  readonly ranges: readonly (readonly [number, number, number])[];
  readonly lengths: readonly number[];
}

const range = (lo: number, hi = lo): readonly [number, number, number] => [String(lo).length, lo, hi];
const ISSUERS: readonly Issuer[] = [
  { name: 'Visa', ranges: [range(4)], lengths: [13, 16, 19] },
  { name: 'Mastercard', ranges: [range(51, 55), range(2221, 2720)], lengths: [16] },
  { name: 'American Express', ranges: [range(34), range(37)], lengths: [15] },
  { name: 'Discover', ranges: [range(6011), range(644, 649), range(65)], lengths: [16, 17, 18, 19] },
  { name: 'UnionPay', ranges: [range(62), range(8100, 8171)], lengths: [16, 17, 18, 19] },
  { name: 'JCB', ranges: [range(3528, 3589)], lengths: [16, 17, 18, 19] },
  { name: 'Diners Club', ranges: [range(300, 305), range(36), range(38, 39)], lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'Maestro', ranges: [range(5018), range(5020), range(5038), range(5893), range(6304), range(6759), range(6761, 6763)], lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { name: 'Mir', ranges: [range(2200, 2204)], lengths: [16, 17, 18, 19] },
  { name: 'RuPay', ranges: [range(60), range(652), range(508)], lengths: [16] },
];

/** The issuer whose range and length fit `digits`, if any. */
export function cardIssuer(digits: string): string | undefined {
  for (const issuer of ISSUERS) {
    if (!issuer.lengths.includes(digits.length)) continue;
    for (const [width, lo, hi] of issuer.ranges) {
      const prefix = Number(digits.slice(0, width));
      if (prefix >= lo && prefix <= hi) return issuer.name;
    }
  }
  return undefined;
}

const CONTEXT = contextWords([
  'card', 'credit', 'debit', 'visa', 'mastercard', 'master card', 'amex', 'american express', 'discover', 'jcb', 'diners',
  'maestro', 'unionpay', 'cc', 'ccn', 'pan', 'cvv', 'cvc', 'expiry', 'exp', 'payment', 'pay', 'carte', 'tarjeta', 'karte',
]);
const NEGATIVE_CONTEXT = contextWords(['order', 'tracking', 'imei', 'invoice', 'isbn', 'serial', 'sku', 'shipment', 'parcel', 'barcode', 'ean', 'upc']);

/** Digit groups joined by one separator or a line break; disjoint alternatives, bounded gaps. */
const CANDIDATE = /\d(?:\d|(?:[ \t\-.\u00a0]|[ \t]{0,3}\r?\n[ \t]{0,3})(?=\d)){0,120}/g;
const MAX_RUN_DIGITS = 40;
const GROUPED_CODE_BEFORE = /(?:^|[\s:])(?=[A-Z0-9]{0,3}[A-Z])[A-Z0-9]{4} $/;

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
  /** The group is joined to the previous one by a dot: "3.1415…" is a decimal, not a card's start. */
  readonly afterDot: boolean;
}

function groupsOf(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  for (const g of run.matchAll(/\d+/g)) groups.push({ start: offset + g.index, end: offset + g.index + g[0].length, digits: g[0], afterDot: run[g.index - 1] === '.' });
  return groups;
}

/**
 * Groupings cards are printed or typed in: run together, fours (the last group shorter for 13- and
 * 19-digit numbers), 4-6-5 / 4-6-4 (American Express, Diners), or one digit at a time (an evasion).
 */
function cardGrouping(sizes: readonly number[]): boolean {
  if (sizes.length === 1 || sizes.every((n) => n === 1)) return true;
  if (sizes.slice(0, -1).every((n) => n === 4) && sizes[sizes.length - 1]! <= 4) return true;
  return sizes.length === 3 && sizes[0] === 4 && sizes[1] === 6 && (sizes[2] === 4 || sizes[2] === 5);
}

export const paymentCardDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'Payment card numbers: Luhn (ISO/IEC 7812) plus issuer ranges and lengths, with card context.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.payment_card'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    return ({ text }) => {
      const out: Finding[] = [];
      // Twelve digits, each at most a separator or a line break (8 characters) from the next.
      if (textStats(text).digitSpan12 > 100) return out;
      for (const m of text.matchAll(CANDIDATE)) {
        const run = m[0];
        if (run.length < 12) continue;
        if ('.,'.includes(text[m.index - 1] ?? ' ') && /\d/.test(text[m.index - 2] ?? '')) continue;
        // "+49 1528 …" is an international phone number, never a card.
        if (text[m.index - 1] === '+') continue;
        // Digits hyphenated into a longer token ("xoxb-5321…-4847…-ODeT") belong to that token.
        if (/[A-Za-z0-9][-.]$/.test(text.slice(Math.max(0, m.index - 2), m.index)) || /^[-.][A-Za-z]/.test(text.slice(m.index + run.length, m.index + run.length + 2))) continue;
        // A run that hit the bound goes on: far too many digits for a card.
        if (/^(?:[ \t\-.\u00a0]|[ \t]{0,3}\r?\n[ \t]{0,3})?\d/.test(text.slice(m.index + run.length, m.index + run.length + 8))) continue;
        // Glued to a word ("DE39 2417 …", "…1111x"), or the tail of a code printed in groups of four
        // ("NL03 BPKS 4723 …"): the digits belong to something else.
        if (isWordChar(text, m.index - 1) || isWordChar(text, m.index + run.length)) continue;
        if (GROUPED_CODE_BEFORE.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
        const groups = groupsOf(run, m.index);
        const total = groups.reduce((n, g) => n + g.digits.length, 0);
        if (total < 12 || total > MAX_RUN_DIGITS) continue;
        // Longest confirmed windows of whole groups, left to right, without overlap.
        let i = 0;
        while (i < groups.length) {
          if (groups[i]!.afterDot) {
            i++;
            continue;
          }
          let best: { j: number; digits: string; issuer: string } | undefined;
          let digits = '';
          let dotted = false;
          for (let j = i; j < groups.length && digits.length < 19; j++) {
            digits += groups[j]!.digits;
            // Dots separate card digits only in even groups of four ("4111.1111.…"); otherwise a decimal.
            dotted ||= j > i && groups[j]!.afterDot;
            if (dotted && groups.slice(i, j).some((g) => g.digits.length !== 4)) break;
            if (digits.length < 12 || digits.length > 19 || !luhnValid(digits)) continue;
            const issuer = cardIssuer(digits);
            if (issuer) best = { j, digits, issuer };
          }
          if (!best) {
            i++;
            continue;
          }
          const start = groups[i]!.start;
          const end = groups[best.j]!.end;
          const context = hasContext(text, start, end, CONTEXT, contextWindow, 24);
          const negative = !context && hasContext(text, start, end, NEGATIVE_CONTEXT, contextWindow);
          // Digits grouped unlike any printed card ("1 30 02 44 395 491 18") need card words nearby.
          const printed = cardGrouping(groups.slice(i, best.j + 1).map((g) => g.digits.length));
          const score = negative || (!printed && !context) ? 0.4 : context ? 0.98 : 0.85;
          if (score >= minScore) {
            out.push(
              dlpFinding(META, {
                category: 'pii.payment_card',
                start,
                end,
                score,
                severity: 'high',
                rule: 'luhn_iin',
                explanation: `Payment card number: passes the Luhn check and fits the ${best.issuer} issuer range and length${context ? ', with card context nearby' : ''}.`,
              }),
            );
          }
          i = best.j + 1;
        }
      }
      return out;
    };
  },
};
