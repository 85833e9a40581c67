/**
 * Person names, best effort and context-driven: names have no format, so only a name in a place
 * that announces one is reported, with deliberately low scores. The places: "my name is X",
 * "I'm X" (two capitalized words only), a title ("Mr./Ms./Dr. X"), a salutation ("Dear X", "Hi X,"),
 * a labelled field ("Name: X", "Patient: X", "From: X <mail>") and a sign-off line ("Regards,\nX Y").
 * Capitalized words that are usually not names ("Team", "Support", "Sir") end the name.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { dlpFinding } from './dlp/finding.ts';
import { dropOverlaps } from './dlp/spans.ts';
import { minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-person-name', version: '1.0.0' } as const;

/** One name word: capitalized, letters with inner apostrophes or hyphens (O'Neil, Jean-Luc). */
const WORD = "\\p{Lu}[\\p{Ll}]+(?:['’-]\\p{Lu}?[\\p{Ll}]+)?";
const PARTICLE = '(?:(?:van|von|de|da|del|der|den|di|du|la|le|bin|al)[ -]){0,2}';
const NAME = `(${WORD}(?: ${PARTICLE}${WORD}){0,2})`;
const FULL_NAME = `(${WORD}(?: ${PARTICLE}${WORD}){1,2})`;

interface Place {
  readonly rule: string;
  /** The cue, as one alternative of a combined regex (no Unicode flag: fast literal scanning). */
  readonly cue: string;
  /** FULL needs two or more name words; NAME one or more. */
  readonly name: string;
  /** What must follow the name (a lookahead), if anything. */
  readonly after: string;
  /** A cheap scan the text must pass before the cue's own (slower) scan is worth running. */
  readonly needs?: RegExp;
  readonly score: number;
  readonly what: string;
}

const PLACES: readonly Place[] = [
  { rule: 'self_introduction', cue: "\\b(?i:my name is|my name's|name is|i am called|je m'appelle|me llamo|mi chiamo|ich heiße) ", name: NAME, after: '', score: 0.75, what: 'introduced as a name' },
  { rule: 'i_am', cue: "\\b(?:I'm|I am|[Tt]his is) ", name: FULL_NAME, after: '(?=[,.!]|\\s+(?:and|from|here|speaking)\\b)', score: 0.6, what: 'a full name after "I am"', needs: /I'm |I am |his is / },
  { rule: 'title', cue: '\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra)\\.? |\\bM\\. ', name: NAME, after: '', score: 0.75, what: 'a name after a title' },
  // Lookbehinds let the scan look for the greeting word (or the ':' and line break below) first.
  { rule: 'salutation', cue: '(?<=(?:^|\\n)[ \\t]*)(?:Dear|Hi|Hello|Hey|Bonjour|Hallo|Hola|Ciao|Liebe|Lieber|Cher|Chère)[ \\t]+', name: NAME, after: '(?=[ \\t]*[,!:\\n])', score: 0.6, what: 'a name in a salutation', needs: /Dear|Hi|He(?:llo|y)|Bonjour|Hallo|Hola|Ciao|Liebe|Ch[eè]r/ },
  {
    rule: 'labelled_field',
    cue: '(?<=\\b(?i:name|full name|customer|patient|employee|applicant|contact|cardholder|card holder|account holder|account_holder|recipient|sender|passenger|guest|tenant|signed|signature|attn|from|to|cc)"?[ \\t]*)[:=][ \\t]*"?',
    name: FULL_NAME,
    after: '',
    score: 0.7,
    what: 'a name in a labelled field',
    needs: /[:=]/,
  },
  {
    rule: 'sign_off',
    cue: '(?<=\\b(?:Regards|Best regards|Kind regards|Warm regards|Best|Thanks|Thank you|Cheers|Sincerely|Yours sincerely|Yours truly|Cordially|Cordialement|Mit freundlichen Grüßen|Saludos)[,!]?[ \\t]*)\\r?\\n[ \\t]*',
    name: NAME,
    after: '(?=[ \\t]*(?:\\r?\\n|$|,))',
    score: 0.6,
    what: 'a name under a sign-off',
    needs: /\n/,
  },
];

/** Capitalized words that follow the cues above but are not names. */
const NOT_NAMES = new Set([
  'team', 'all', 'everyone', 'there', 'sir', 'madam', 'customer', 'support', 'friend', 'friends', 'folks', 'guys', 'user',
  'admin', 'manager', 'sales', 'hr', 'it', 'the', 'a', 'an', 'this', 'that', 'not', 'sorry', 'happy', 'here', 'just', 'so',
  'very', 'from', 'your', 'our', 'my', 'thanks', 'thank', 'hello', 'hi', 'regards', 'best', 'again', 'back', 'new', 'monday',
  'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april', 'june',
  'july', 'august', 'september', 'october', 'november', 'december', 'good', 'morning', 'afternoon', 'evening', 'unknown',
  'none', 'null', 'n', 'na', 'sent', 'subject', 'date', 're', 'fwd', 'fw', 'dev', 'ops', 'security', 'billing', 'info',
]);

function trimName(name: string): string {
  const words = name.split(' ');
  const kept: string[] = [];
  for (const w of words) {
    if (NOT_NAMES.has(w.toLowerCase())) break;
    kept.push(w);
  }
  return kept.join(' ');
}

export const personNameDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'Person names, best effort: only where context announces a name (introductions, titles, salutations, fields, sign-offs).',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.person_name'],
  optionsSchema,
  create(options) {
    const places = PLACES.map((p, rank) => ({ ...p, rank, cueRe: new RegExp(p.cue, 'g'), at: new RegExp(`${p.name}${p.after}`, 'uy') })).filter(
      (p) => p.score >= options.minScore,
    );
    return ({ text }) => {
      const hits: (Finding & { rank: number })[] = [];
      for (const place of places) {
        if (place.needs && !place.needs.test(text)) continue;
        for (const m of text.matchAll(place.cueRe)) {
          place.at.lastIndex = m.index + m[0].length;
          const named = place.at.exec(text);
          if (!named) continue;
          const name = trimName(named[1]!);
          if (name.length < 2) continue;
          const start = named.index;
          hits.push({
            rank: place.rank,
            ...dlpFinding(META, {
              category: 'pii.person_name',
              start,
              end: start + name.length,
              score: place.score,
              severity: 'low',
              rule: place.rule,
              explanation: `Person name (best effort): ${place.what}.`,
            }),
          });
        }
      }
      return dropOverlaps(hits).map(({ rank: _rank, ...finding }) => finding);
    };
  },
};
