/**
 * Person names, best effort and context-driven: names have no format, so only a name in a place
 * that announces one is reported, with deliberately low scores. The places: "my name is X",
 * "I'm X" (two capitalized words only), a title ("Mr./Ms./Dr. X", "Sig.ra X", "Pani X"), a
 * salutation ("Dear X", "Hi X,", "Gentile X"), a labelled field ("Name: X", "Patient: X",
 * "From: X <mail>", "| Holder | X |", `"firstName": "X"`), a sign-off ("Regards,\nX Y" or
 * "Thanks, X Y" ending its line), the line under "Ship to:", and the cells of a table column
 * whose header names a person ("full_name", "customer", "nombre").
 * Capitalized words that are usually not names ("Team", "Support", "Sir") end the name.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { keyWords } from './dlp/assignment.ts';
import { dlpFinding } from './dlp/finding.ts';
import { dropOverlaps } from './dlp/spans.ts';
import { minScoreOption } from './dlp/options.ts';
import { cellsUnder } from './dlp/table-columns.ts';

const optionsSchema = z.object({ minScore: minScoreOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-person-name', version: '1.0.0' } as const;

/** One name word: capitalized, letters with an inner capital, apostrophe or hyphen (McKay, O'Neil, Jean-Luc). */
const WORD = "\\p{Lu}(?:\\p{Ll}+(?:\\p{Lu}\\p{Ll}+)?(?:['’-]\\p{Lu}?\\p{Ll}+)?|['’]\\p{Lu}\\p{Ll}+)";
const PARTICLE = '(?:(?:van|von|de|da|del|der|den|di|du|la|le|bin|al)[ -]){0,2}';
const NAME = `(${WORD}(?: ${PARTICLE}${WORD}){0,2})`;
const FULL_NAME = `(${WORD}(?: ${PARTICLE}${WORD}){1,2})`;

interface Place {
  readonly rule: string;
  /** The cue, as one alternative of a combined regex (no Unicode flag: fast literal scanning). */
  readonly cue: string;
  /** FULL needs two or more name words; NAME one or more. */
  readonly name: string;
  /** The name pattern instead when the cue's `part` group matched (a label for one part of a name). */
  readonly partName?: string;
  /** What must follow the name (a lookahead), if anything. */
  readonly after: string;
  /** A cheap scan the text must pass before the cue's own (slower) scan is worth running. */
  readonly needs?: RegExp;
  /**
   * The cue ignores case. A flag rather than a `(?i:…)` group: V8 (Node 24) misses some words in
   * a case-insensitive group inside a lookbehind followed by `"?` ("Customer:" went unread).
   */
  readonly anyCase?: boolean;
  readonly score: number;
  readonly what: string;
}

const PLACES: readonly Place[] = [
  { rule: 'self_introduction', cue: "\\b(?i:my name is|my name's|name is|i am called|je m'appelle|me llamo|mi chiamo|ich heiße) ", name: NAME, after: '', score: 0.75, what: 'introduced as a name' },
  { rule: 'i_am', cue: "\\b(?:I'm|I am|[Tt]his is) ", name: FULL_NAME, after: '(?=[,.!]|\\s+(?:and|from|here|speaking)\\b)', score: 0.6, what: 'a full name after "I am"', needs: /I'm |I am |his is / },
  {
    rule: 'title',
    // Abbreviations that are also words or brands ("Sig Sauer", "ING") count only with their dot.
    cue: '\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra|Dña|Doña|Sig\\.ra|Signora|Signor|Dott\\.ssa|Pani|Mevrouw|Meneer)\\.? |\\b(?:M|Sig|Dott|Avv|Ing|Dhr|Mevr)\\. ',
    name: NAME,
    after: '',
    score: 0.75,
    what: 'a name after a title',
  },
  // Lookbehinds let the scan look for the greeting word (or the ':' and line break below) first.
  {
    rule: 'salutation',
    cue: '(?<=(?:^|\\n)[ \\t]*)(?:Dear|Hi|Hello|Hey|Bonjour|Hallo|Hola|Ciao|Liebe|Lieber|Cher|Chère|Gentile|Estimad[oa]|Geachte|Szanown[ya])[ \\t]+',
    name: NAME,
    after: '(?=[ \\t]*[,!:\\n])',
    score: 0.6,
    what: 'a name in a salutation',
    needs: /Dear|Hi|He(?:llo|y)|Bonjour|Hallo|Hola|Ciao|Liebe|Ch[eè]r|Gentile|Estimad|Geachte|Szanown/,
  },
  {
    rule: 'labelled_field',
    // A markdown table row ("| Holder | Jane Doe |") labels its value as a field does. Labels of
    // one part of a name ("firstName", "Nachname") may hold a single word.
    cue: '(?<=\\b(?:(?<part>first[ _-]?name|last[ _-]?name|given[ _-]?name|family[ _-]?name|middle[ _-]?name|surname|forename|prénom|prenom|vorname|nachname|voornaam|achternaam|nombre|apellidos?|cognome|nazwisko|imię|imie)|(?:full|customer|client|patient|employee|contact|account|display)[ _-]?name|name|full name|customer|client|patient|employee|applicant|contact|cardholder|card holder|holder|account holder|account_holder|recipient|sender|passenger|guest|tenant|signed|signature|attn|from|to|cc|author|assignee|reporter|requester|beneficiary|payee|titular|intestatario|cliente|kunde)"?[ \\t]*)[:=|][ \\t]*"?',
    anyCase: true,
    name: FULL_NAME,
    partName: `${NAME}(?![\\p{L}\\d])`,
    after: '',
    score: 0.7,
    what: 'a name in a labelled field',
    needs: /[:=|]/,
  },
  {
    rule: 'address_block',
    cue: '(?<=\\b(?:ship to|bill to|deliver to|sold to|send to|mail to)[ \\t]*:?[ \\t]*)\\r?\\n[ \\t]*',
    anyCase: true,
    name: FULL_NAME,
    after: '(?=[ \\t]*\\r?\\n)',
    score: 0.6,
    what: 'a name heading an address block',
    needs: /\n/,
  },
  {
    rule: 'sign_off',
    // Under the sign-off, or after it on its line ("Thanks, Jane Doe"); the second is read from
    // the line break, as a lookbehind at every comma cost more than it finds.
    cue: '(?<=\\b(?:Regards|Best regards|Kind regards|Warm regards|Best|Thanks|Thank you|Cheers|Sincerely|Yours sincerely|Yours truly|Cordially|Cordialement|Mit freundlichen Grüßen|Saludos)[,!]?[ \\t]*)\\r?\\n[ \\t]*|\\n[ \\t]*(?:Regards|Best regards|Kind regards|Warm regards|Best|Thanks|Thank you|Many thanks|Cheers|Sincerely|Cordialement|Saludos|Grazie|Danke|Groeten|Pozdrawiam),[ \\t]*',
    name: NAME,
    after: '(?=[ \\t]*(?:\\r?\\n|$|,))',
    score: 0.6,
    what: 'a name under a sign-off',
    needs: /\n/,
  },
];

/** Table headers (normalized: lower case, words split at `_`, `-`, camelCase) over full names. */
const NAME_HEADERS = new Set([
  'name', 'full name', 'fullname', 'customer', 'customer name', 'client', 'client name', 'holder', 'account holder', 'cardholder',
  'card holder', 'employee', 'employee name', 'manager', 'contact', 'contact name', 'patient', 'patient name', 'author', 'assignee',
  'reporter', 'passenger', 'guest', 'tenant', 'recipient', 'sender', 'applicant', 'student', 'display name', 'nombre completo',
  'nom complet', 'naam', 'volledige naam', 'nome completo', 'imię i nazwisko', 'imie i nazwisko',
]);
/** Table headers over one part of a name, which may then be a single word ("nome" beside "cognome" is a first name). */
const NAME_PART_HEADERS = new Set([
  'nombre', 'nom', 'nome', 'first name', 'firstname', 'given name', 'last name', 'lastname', 'surname', 'family name', 'forename', 'middle name', 'prénom',
  'prenom', 'vorname', 'nachname', 'voornaam', 'achternaam', 'apellido', 'apellidos', 'cognome', 'nazwisko', 'imię', 'imie',
]);
/**
 * A cell holding a header word: where a name column's header line may be. Its first atom is a
 * delimiter or line break, so the scan only looks further there (an alternative for the text's
 * start made V8 scan three times slower; cellsUnder tries the first line itself).
 */
const NAME_HEADER_HINT =
  /[\n,;\t|][ \t]*"?(?:(?:full|first|last|given|family|middle|customer|client|contact|display|patient|employee|account|card)[ _-]?)?(?:name|customer|client|holder|employee|manager|contact|patient|author|assignee|reporter|passenger|guest|tenant|recipient|sender|applicant|student|nombre|nom|naam|nome|pr[ée]nom|cognome|nazwisko|imi[eę]|apellidos?|surname)"?[ \t]*(?=[\r\n,;\t|]|$)/gi;
const headerKey = (header: string) => keyWords(header.replace(/\s+/g, '_')).join(' ');

/** Capitalized words that follow the cues above but are not names. */
const NOT_NAMES = new Set([
  'team', 'all', 'everyone', 'there', 'sir', 'madam', 'customer', 'support', 'friend', 'friends', 'folks', 'guys', 'user',
  'admin', 'manager', 'sales', 'hr', 'it', 'the', 'a', 'an', 'this', 'that', 'not', 'sorry', 'happy', 'here', 'just', 'so',
  'very', 'from', 'your', 'our', 'my', 'thanks', 'thank', 'hello', 'hi', 'regards', 'best', 'again', 'back', 'new', 'monday',
  'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april', 'june',
  'july', 'august', 'september', 'october', 'november', 'december', 'good', 'morning', 'afternoon', 'evening', 'unknown',
  'none', 'null', 'n', 'na', 'sent', 'subject', 'date', 're', 'fwd', 'fw', 'dev', 'ops', 'security', 'billing', 'info',
  'frau', 'herr',
]);

/** Words that make a signature line or a field an organization's, not a person's ("Property Management"). */
const ORGANIZATION_WORDS = new Set([
  'management', 'service', 'services', 'department', 'dept', 'office', 'group', 'desk', 'helpdesk', 'center', 'centre',
  'administration', 'operations', 'accounts', 'inc', 'ltd', 'llc', 'gmbh', 'corp', 'company', 'bank', 'university',
]);

function trimName(name: string): string {
  const words = name.split(' ');
  if (words.some((w) => ORGANIZATION_WORDS.has(w.toLowerCase()))) return '';
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
    const places = PLACES.map((p, rank) => ({
      ...p,
      rank,
      cueRe: new RegExp(p.cue, p.anyCase ? 'gi' : 'g'),
      at: new RegExp(`${p.name}${p.after}`, 'uy'),
      partAt: p.partName ? new RegExp(`${p.partName}${p.after}`, 'uy') : undefined,
    })).filter((p) => p.score >= options.minScore);
    const tableScore = 0.6;
    const wholeName = new RegExp(`^${FULL_NAME}$`, 'u');
    const namePart = new RegExp(`^${NAME}$`, 'u');
    return ({ text }) => {
      const hits: (Finding & { rank: number })[] = [];
      if (tableScore >= options.minScore) {
        const wanted = (header: string) => {
          const key = headerKey(header);
          return NAME_HEADERS.has(key) || NAME_PART_HEADERS.has(key);
        };
        for (const cell of cellsUnder(text, wanted, NAME_HEADER_HINT)) {
          const value = text.slice(cell.start, cell.end);
          if (!(NAME_PART_HEADERS.has(headerKey(cell.header)) ? namePart : wholeName).test(value) || trimName(value) !== value) continue;
          hits.push({
            rank: places.length,
            ...dlpFinding(META, {
              category: 'pii.person_name',
              start: cell.start,
              end: cell.end,
              score: tableScore,
              severity: 'low',
              rule: 'table_column',
              explanation: 'Person name (best effort): a cell of a table column whose header names a person.',
            }),
          });
        }
      }
      for (const place of places) {
        if (place.needs && !place.needs.test(text)) continue;
        for (const m of text.matchAll(place.cueRe)) {
          const at = place.partAt && m.groups?.['part'] !== undefined ? place.partAt : place.at;
          at.lastIndex = m.index + m[0].length;
          const named = at.exec(text);
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
