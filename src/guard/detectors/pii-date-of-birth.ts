/**
 * Dates of birth. A date alone is not personal data (logs are full of them); a date next to
 * "born", "DOB" or "date of birth" is. Dates are read in ISO 8601, numeric day/month orders and
 * written-month forms, must exist on the calendar, and must fall in a plausible birth year range.
 * Context is looked for only between the previous date and this one, so "DOB: X, visited: Y"
 * reports X and not Y; in a table, the column header ("dob", "birth_date") is context too.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { contextWords } from './dlp/context.ts';
import { columnHeader } from './dlp/table-columns.ts';
import { dlpFinding } from './dlp/finding.ts';
import { textStats } from './dlp/text-stats.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption, contextWindow: contextWindowOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-date-of-birth', version: '1.0.0' } as const;
const CONTEXT = contextWords([
  'born', 'birth', 'birthday', 'birthdate', 'dob', 'd o b', 'date of birth', 'birth date', 'b-day', 'bday', 'geboren',
  'geb', 'geburtsdatum', 'né', 'née', 'né le', 'date de naissance', 'nacido', 'nacida', 'fecha de nacimiento', 'data di nascita', 'nato', 'nata',
  'geboortedatum', 'nascido', 'nascida', 'data de nascimento', 'urodzony', 'urodzona', 'data urodzenia',
]);

/**
 * Month names and abbreviations in the languages of the context words above, since "née le
 * 5 janvier 1982" and "geboren am 14. März 1990" are written in the language of the birth word.
 */
const MONTH_NAMES: ReadonlyMap<string, number> = new Map(
  [
    'january jan januar jänner janvier janv enero ene gennaio gen januari janeiro',
    'february feb februar février fevrier févr fevr febrero febbraio februari fevereiro',
    'march mar märz maerz mars marzo maart março marco',
    'april apr avril abril aprile',
    'may mai mayo maggio mei maio',
    'june jun juni juin junio giugno junho',
    'july jul juli juillet juil julio luglio julho',
    'august aug août aout agosto augustus',
    'september sep sept septembre septiembre settembre setembro',
    'october oct oktober okt octobre octubre ottobre outubro',
    'november nov novembre noviembre novembro',
    'december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro',
  ].flatMap((names, i) => names.split(' ').map((name) => [name, i + 1] as const)),
);
// Longest first, so that "mar" does not stop "march" from being read whole.
const MONTHS = [...MONTH_NAMES.keys()].sort((a, b) => b.length - a.length).join('|');
/**
 * Year first (1985-03-12, 1985/3/12), numeric (d/m/y or m/d/y), "12 March 1985", "15-Jan-1985",
 * "14. März 1990", "1er janvier 1982", "14 de marzo de 1987", "March 12, 1985". Bounded,
 * disjoint pieces.
 */
const DATE = new RegExp(
  `(?<![\\w/.-])(?:(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})|(\\d{1,2})([/.-])(\\d{1,2})\\6(\\d{4}|\\d{2})|(\\d{1,2})(?:st|nd|rd|th|er|\\.)?(?: of| de)?[ -](${MONTHS})\\.?,?(?: de)?[ -](\\d{4})|(${MONTHS})\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4}))(?![\\w/-]|\\.\\d)`,
  'gi',
);
const monthOf = (name: string) => MONTH_NAMES.get(name.toLowerCase()) ?? 0;

function exists(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function fullYear(y: string): number {
  if (y.length === 4) return Number(y);
  // Two-digit birth years: a person born "05" is more likely 2005 than 1905 only up to this year.
  const n = Number(y);
  return n <= new Date().getUTCFullYear() % 100 ? 2000 + n : 1900 + n;
}

/** True when the match is a real calendar date with a plausible birth year. */
function plausible(m: RegExpExecArray | RegExpMatchArray): boolean {
  const thisYear = new Date().getUTCFullYear();
  let y: number;
  let ok: boolean;
  if (m[1]) {
    y = Number(m[1]);
    ok = exists(y, Number(m[3]), Number(m[4]));
  } else if (m[5]) {
    y = fullYear(m[8]!);
    const a = Number(m[5]);
    const b = Number(m[7]);
    // Day-month order is unknowable without a locale; either reading being a date is enough.
    ok = exists(y, b, a) || exists(y, a, b);
  } else if (m[9]) {
    y = Number(m[11]);
    ok = exists(y, monthOf(m[10]!), Number(m[9]));
  } else {
    y = Number(m[14]);
    ok = exists(y, monthOf(m[12]!), Number(m[13]));
  }
  return ok && y >= 1900 && y <= thisYear;
}

export const dateOfBirthDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'Dates of birth: real calendar dates with birth context ("born", "DOB") just before them.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.date_of_birth'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    return ({ text }) => {
      const out: Finding[] = [];
      // Birth words are rare; without one anywhere, no date can qualify.
      if (!CONTEXT.mayOccur(textStats(text)) || !CONTEXT.test(text)) return out;
      let previousEnd = 0;
      for (const m of text.matchAll(DATE)) {
        const from = Math.max(previousEnd, m.index - contextWindow);
        previousEnd = m.index + m[0].length;
        if (!(CONTEXT.test(text.slice(from, m.index)) || CONTEXT.test(columnHeader(text, m.index) ?? '')) || !plausible(m)) continue;
        const score = 0.9;
        if (score < minScore) continue;
        out.push(
          dlpFinding(META, {
            category: 'pii.date_of_birth',
            start: m.index,
            end: m.index + m[0].length,
            score,
            severity: 'medium',
            rule: 'date_with_birth_context',
            explanation: 'Date of birth: a real calendar date with birth context just before it.',
          }),
        );
      }
      return out;
    };
  },
};
