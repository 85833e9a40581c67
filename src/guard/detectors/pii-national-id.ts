/**
 * National identifiers outside the European set of pii-eu-national-id, each with a check symbol
 * or a checked structure: India's Aadhaar (Verhoeff) and PAN, Australia's tax file number,
 * Brazil's CPF, South Korea's resident registration number, China's resident identity number,
 * Canada's social insurance number, Finland's personal identity code, Germany's tax id
 * (Steuer-ID), Mexico's CURP, the United Kingdom's NHS number and Singapore's NRIC/FIN. The
 * checks come from `stdnum` (the JavaScript port of python-stdnum), the NHS and NRIC checks from
 * dlp/national-ids.ts. Numbers whose check passes for about one random number in ten (Aadhaar,
 * TFN, SIN, Steuer-ID, NHS) are reported only beside their name or under it as a column header;
 * ids with a date and a check symbol in a fixed shape (CURP, HETU, Chinese RIC) stand alone.
 */
import aadhaar from 'stdnum/lib/cjs/in/aadhaar.js';
import pan from 'stdnum/lib/cjs/in/pan.js';
import tfn from 'stdnum/lib/cjs/au/tfn.js';
import cpf from 'stdnum/lib/cjs/br/cpf.js';
import rrn from 'stdnum/lib/cjs/kr/rrn.js';
import ric from 'stdnum/lib/cjs/cn/ric.js';
import sin from 'stdnum/lib/cjs/ca/sin.js';
import hetu from 'stdnum/lib/cjs/fi/hetu.js';
import idnr from 'stdnum/lib/cjs/de/idnr.js';
import curp from 'stdnum/lib/cjs/mx/curp.js';
import { contextWords } from './dlp/context.ts';
import { idRulesDetector, type IdRule } from './dlp/id-rules.ts';
import { gbNhsValid, sgNricValid } from './dlp/national-ids.ts';

const META = { id: 'pii-national-id', version: '1.0.0' } as const;

const ok = (v: { validate: (s: string) => { isValid: boolean } }) => (s: string) => v.validate(s).isValid;
// Digits standing alone: not inside a longer number, a version or an id with dashes.
const B = String.raw`(?<![\w\-.+])`;
const E = String.raw`(?![\w\-]|[.,]\d)`;

const RULES: readonly IdRule[] = [
  {
    category: 'pii.in_aadhaar',
    name: 'Indian Aadhaar number',
    pattern: new RegExp(`${B}[2-9]\\d{3}[ -]?\\d{4}[ -]?\\d{4}${E}`, 'g'),
    valid: ok(aadhaar),
    context: contextWords(['aadhaar', 'aadhar', 'uidai', 'आधार']),
    score: 0,
    contextScore: 0.95,
    minDigits: 12,
    span: ['digitSpan12', 14],
  },
  {
    category: 'pii.in_pan',
    name: 'Indian PAN',
    // The fourth letter is the holder type: P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local, J juridical, G government.
    pattern: /(?<![\w-])[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z](?![\w-])/g,
    valid: ok(pan),
    context: contextWords(['pan', 'pan card', 'permanent account number', 'income tax']),
    score: 0.6,
    contextScore: 0.95,
    minDigits: 4,
    minUppers: 6,
  },
  {
    category: 'pii.au_tfn',
    name: 'Australian tax file number',
    pattern: new RegExp(`${B}\\d{3} ?\\d{3} ?\\d{3}${E}`, 'g'),
    valid: ok(tfn),
    context: contextWords(['tfn', 'tax file number', 'tax file no']),
    score: 0,
    contextScore: 0.95,
    minDigits: 9,
    span: ['digitSpan9', 11],
  },
  {
    category: 'pii.br_cpf',
    name: 'Brazilian CPF',
    pattern: new RegExp(`${B}\\d{3}\\.?\\d{3}\\.?\\d{3}-?\\d{2}${E}`, 'g'),
    valid: ok(cpf),
    context: contextWords(['cpf', 'cadastro de pessoas físicas', 'cadastro de pessoas fisicas']),
    score: 0.9,
    contextScore: 0.98,
    minDigits: 11,
    span: ['digitSpan9', 11],
    bareNeedsContext: true,
  },
  {
    category: 'pii.kr_rrn',
    name: 'South Korean resident registration number',
    pattern: new RegExp(`${B}\\d{6}-?\\d{7}${E}`, 'g'),
    valid: ok(rrn),
    context: contextWords(['주민등록번호', '주민번호', 'rrn', 'resident registration']),
    score: 0.85,
    contextScore: 0.98,
    minDigits: 13,
    span: ['digitSpan12', 13],
    bareNeedsContext: true,
  },
  {
    category: 'pii.cn_ric',
    name: 'Chinese resident identity card number',
    pattern: new RegExp(`${B}\\d{6}(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]${E}`, 'g'),
    valid: (s) => ric.validate(s.toUpperCase()).isValid,
    context: contextWords(['身份证', '身份证号', '公民身份号码', 'resident identity', 'id card', 'id number']),
    score: 0.85,
    contextScore: 0.98,
    minDigits: 17,
    digitRun: true,
  },
  {
    category: 'pii.ca_sin',
    name: 'Canadian social insurance number',
    pattern: new RegExp(`${B}[1-79]\\d{2}[ -]?\\d{3}[ -]?\\d{3}${E}`, 'g'),
    valid: ok(sin),
    context: contextWords(['sin', 'social insurance number', 'social insurance no', 'nas', "numéro d'assurance sociale", 'numero d assurance sociale']),
    score: 0,
    contextScore: 0.95,
    minDigits: 9,
    span: ['digitSpan9', 11],
  },
  {
    category: 'pii.fi_hetu',
    name: 'Finnish personal identity code',
    pattern: /(?<![\w-])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y](?![\w-])/g,
    // The engine strips dashes before validating; the dash is the 1900s century sign.
    valid: (s) => hetu.validate(s.length === 10 ? `${s.slice(0, 6)}-${s.slice(6)}` : s).isValid,
    context: contextWords(['henkilötunnus', 'henkilotunnus', 'hetu', 'personal identity code', 'personbeteckning']),
    score: 0.9,
    contextScore: 0.98,
    minDigits: 9,
  },
  {
    category: 'pii.de_tax_id',
    name: 'German tax identification number (Steuer-ID)',
    pattern: new RegExp(`${B}[1-9]\\d ?\\d{3} ?\\d{3} ?\\d{3}${E}`, 'g'),
    valid: ok(idnr),
    context: contextWords(['steuer-id', 'steuerid', 'steuer id', 'steueridentifikationsnummer', 'identifikationsnummer', 'idnr', 'tax id', 'tin']),
    score: 0,
    contextScore: 0.95,
    minDigits: 11,
    span: ['digitSpan9', 11],
  },
  {
    category: 'pii.mx_curp',
    name: 'Mexican CURP',
    pattern: /(?<![\w-])[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d(?![\w-])/g,
    valid: ok(curp),
    context: contextWords(['curp', 'clave única de registro de población', 'clave unica de registro de poblacion']),
    score: 0.95,
    contextScore: 0.99,
    minDigits: 7,
    minUppers: 10,
  },
  {
    category: 'pii.gb_nhs',
    name: 'UK NHS number',
    pattern: new RegExp(`${B}\\d{3}[ -]?\\d{3}[ -]?\\d{4}${E}`, 'g'),
    valid: gbNhsValid,
    context: contextWords(['nhs', 'nhs number', 'nhs no', 'national health service', 'chi number']),
    score: 0,
    contextScore: 0.95,
    minDigits: 10,
    span: ['digitSpan9', 11],
  },
  {
    category: 'pii.sg_nric',
    name: 'Singapore NRIC/FIN',
    pattern: /(?<![\w-])[STFG]\d{7}[A-Z](?![\w-])/g,
    valid: sgNricValid,
    context: contextWords(['nric', 'fin', 'ic number', 'ic no', 'identity card']),
    score: 0.85,
    contextScore: 0.98,
    minDigits: 7,
    minUppers: 2,
    digitRun: true,
  },
];

export const nationalIdDetector = idRulesDetector(
  META,
  'National ids with check symbols outside the EU set: IN Aadhaar and PAN, AU TFN, BR CPF, KR RRN, CN resident id, CA SIN, FI HETU, DE Steuer-ID, MX CURP, UK NHS number, SG NRIC/FIN.',
  RULES,
);
