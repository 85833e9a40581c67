/**
 * European national identifiers that carry a check symbol: Spanish DNI/NIE, Italian codice
 * fiscale, French NIR, Dutch BSN and Polish PESEL. Each rule finds a shape, confirms the check
 * symbol (dlp/national-ids.ts cites each national rule) and weighs context words. The BSN and
 * PESEL are bare digit runs whose checks pass by chance for ~1 in 10 random numbers, so they are
 * reported only next to their own name (or under it, as a table's column header).
 */
import { contextWords } from './dlp/context.ts';
import { idRulesDetector, type IdRule } from './dlp/id-rules.ts';
import { esNifValid, frNirValid, itFiscalCodeValid, nlBsnValid, plPeselValid } from './dlp/national-ids.ts';

const META = { id: 'pii-eu-national-id', version: '1.0.0' } as const;

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
    minUppers: 9,
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

export const euNationalIdDetector = idRulesDetector(META, 'European national ids with check symbols: ES DNI/NIE, IT codice fiscale, FR NIR, NL BSN, PL PESEL.', RULES);
