/**
 * Postal addresses, best effort: there is no checksum, so scores stay lower than for structured
 * ids. Four shapes are recognized: US/UK/Commonwealth street lines (house number, capitalized
 * street words, a street suffix from USPS Publication 28 Appendix C1, optional unit, optional
 * "City, ST 12345" or UK postcode, on the same line or the next), German/Dutch/Nordic
 * street-then-number lines with a five/four-digit (or Dutch "1015 CJ") postcode and city, French
 * "12 rue de …, 75002 Paris", and the street-type-first lines of Spain, Italy, Portugal and
 * Poland ("Calle de Alcalá 45, 28014 Madrid", "Via Roma 12, 20121 Milano", "ul. Długa 5,
 * 00-238 Warszawa"), which need their postcode since "via" is also a word.
 * A trailing city and postcode, or address context ("ship to", "lives at"), raise the score.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding } from '../types.ts';
import { contextWords, hasContext } from './dlp/context.ts';
import { textStats } from './dlp/text-stats.ts';
import { dlpFinding } from './dlp/finding.ts';
import { dropOverlaps } from './dlp/spans.ts';
import { contextWindowOption, minScoreOption } from './dlp/options.ts';

const optionsSchema = z.object({ minScore: minScoreOption, contextWindow: contextWindowOption }).strict();
type Options = z.infer<typeof optionsSchema>;

const META = { id: 'pii-postal-address', version: '1.0.0' } as const;
const CONTEXT = contextWords(['address', 'addr', 'ship to', 'shipping', 'deliver', 'delivery', 'mail to', 'billing', 'lives at', 'live at', 'located at', 'residence', 'home', 'visit us', 'office', 'adresse', 'anschrift', 'dirección', 'indirizzo', 'adres', 'endereço', 'morada', 'domicilio', 'wohnhaft', 'lieferadresse', 'rechnungsadresse']);

const NAME = "[A-Z][a-z'’]+|[A-Z]{2,}|\\d{1,3}(?:st|nd|rd|th)";
const SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Close|Crescent|Cres|Gardens|Grove|Row|Mews|Hill|Walk|Alley|Loop|Pike|Plaza|Ridge';
const UNIT = '(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|#)\\.? ?#?[A-Za-z0-9-]{1,6})?';
/** What separates the street line from the city line: a comma, or a line break (address blocks). */
const NEXT = '(?:,? |,?\\r?\\n[ \\t]*)';
const US_TAIL = "(?:" + NEXT + "(?:[A-Z][a-z'’.]+ ){0,2}[A-Z][a-z'’.]+,? (?:[A-Z]{2,3}|[A-Z][a-z]+(?: [A-Z][a-z]+)?),? \\d{5}(?:-\\d{4})?)";
const UK_TAIL = "(?:" + NEXT + "(?:[A-Z][a-z'’]+ ){0,2}[A-Z][a-z'’]+,? [A-Z]{1,2}\\d[A-Z\\d]? \\d[A-Z]{2})";
const STREET_FIRST = new RegExp(`(?<![\\w-])\\d{1,6}[A-Za-z]? (?:(?:${NAME}) ){0,3}(?:${SUFFIX})\\.?(?: (?:N|S|E|W|NE|NW|SE|SW))?${UNIT}(?<tail>${US_TAIL}|${UK_TAIL})?(?![\\w-])`, 'gd');
/**
 * Street name then number ("Hauptstraße 5, 10115 Berlin"). The scan starts at the house number
 * (digits are rare in prose) and a lookbehind checks the street name before it, instead of trying
 * every capitalized word as a possible street.
 */
const CONTINENTAL =
  /(?<=(?<street>(?<![\w-])[A-ZÄÖÜ][a-zäöüß]{2,30}(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|laan|straat|gracht|plein|gatan|vägen|vej|gade)\.? ))\d{1,4}[a-z]?(?<tail>(?:,? |,?\r?\n[ \t]*)(?:\d{4,5}|\d{4} ?[A-Z]{2}) [A-ZÄÖÜ][a-zäöüß]+(?:[ -][A-ZÄÖÜ][a-zäöüß]+)?)?(?![\w-])/dg;
const FRENCH = /(?<![\w-])\d{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|av\.|boulevard|bd|place|allée|chemin|impasse|quai|route|cours) (?:(?:de la|de l'|du|des|de|d') ?)?[A-ZÉ][\p{L}'’-]{1,30}(?: [A-ZÉ][\p{L}'’-]{1,30}){0,3}(?<tail>,? \d{5} [A-ZÉ][\p{L}-]+(?: [A-ZÉ][\p{L}-]+)?)?(?![\w-])/dgu;

/**
 * Street type, name, number, then optional floor/door bits ("3º izq.", "m. 15") before the
 * postcode (5 digits, Polish 00-000, Portuguese 0000-000) and city, optionally a province code.
 */
const STREET_TYPE_FIRST =
  /(?<![\p{L}\d-])(?i:calle|c\/|avda\.|avenida|paseo|plaza|camino|carrer|rambla|ronda|via|viale|piazza|piazzale|corso|largo|vicolo|strada|rua|travessa|praça|ul\.|al\.|pl\.|os\.) ?(?:(?:de la|de las|de los|del|de|dei|della|delle|degli|di|do|da|dos|das) )?\p{Lu}[\p{L}'’.-]{1,30}(?: (?:(?:de la|de|del|di|della|do|da) )?\p{Lu}[\p{L}'’.-]{1,30}){0,3},? (?:nº ?|n\. ?)?\d{1,4}[A-Za-z]?(?:\/\d{1,4}[A-Za-z]?)?(?<tail>(?:,? [\p{L}\dºª.]{1,6}){0,3}(?:,? |,?\r?\n[ \t]*)(?:\d{5}|\d{2}-\d{3}|\d{4}-\d{3}) \p{Lu}[\p{L}-]+(?: \p{Lu}[\p{L}-]+)?(?: \(?[A-Z]{2}\)?)?)(?![\p{L}\d-])/dgu;
/** Such a postcode then a capitalized word: without it the shape above cannot match (and its scan is the slow one). */
const POSTCODE_THEN_CITY = /\d(?:\d{4}|\d-\d{3}|\d{3}-\d{3}) [A-ZÀ-ÞĀ-ž]/;

const SHAPES: readonly { re: RegExp; rule: string; gate?: RegExp }[] = [
  { re: STREET_FIRST, rule: 'street_line' },
  { re: CONTINENTAL, rule: 'street_name_number' },
  { re: FRENCH, rule: 'french_street_line' },
  { re: STREET_TYPE_FIRST, rule: 'street_type_first_line', gate: POSTCODE_THEN_CITY },
];

export const postalAddressDetector: DetectorDescriptor<Options> = {
  id: META.id,
  version: META.version,
  description: 'Postal addresses, best effort: street line shapes with street suffixes, postcodes and context.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['pii.postal_address'],
  optionsSchema,
  create(options) {
    const { minScore, contextWindow } = options;
    return ({ text }) => {
      const hits: (Finding & { rank: number })[] = [];
      // Every shape recognized carries a house number.
      const digits = textStats(text).digits;
      if (digits === 0) return [];
      for (const [rank, { re, rule, gate }] of SHAPES.entries()) {
        if (gate && (digits < 5 || !gate.test(text))) continue;
        for (const m of text.matchAll(re)) {
          const start = m.indices?.groups?.['street']?.[0] ?? m.index;
          const end = m.index + m[0].length;
          const withPostcode = m.groups?.['tail'] !== undefined;
          const context = hasContext(text, start, end, CONTEXT, contextWindow);
          const score = (withPostcode ? 0.75 : 0.5) + (context ? 0.15 : 0);
          if (score < minScore) continue;
          hits.push({
            rank,
            ...dlpFinding(META, {
              category: 'pii.postal_address',
              start,
              end,
              score,
              severity: 'medium',
              rule,
              explanation: `Postal address (best effort): a street line${withPostcode ? ' with city and postcode' : ''}${context ? ', with address context nearby' : ''}.`,
            }),
          });
        }
      }
      return dropOverlaps(hits).map(({ rank: _rank, ...finding }) => finding);
    };
  },
};
