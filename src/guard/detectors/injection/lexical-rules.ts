/**
 * The heuristic layer: one pass over the words of the normalized text, firing rules when word
 * roles from `lexicon.ts` occur close together in the order an attack uses them ("discard verb,
 * then within six words a noun for the model's rules"). Linear in the number of words; no regex.
 *
 * Rule counts become features of the statistical model and name the rule in a finding's
 * explanation; on their own they are deliberately broad ("ignore the rules of chess" fires
 * `override` weakly), which is why the model, not the rule, decides.
 */
import * as L from './lexicon.ts';
import { combineHash, tokensOf, type Tokens } from './tokens.ts';

/** A class id: bits 0..30 of group A are ids 0..30, group B bit k is id 32+k, derived ids from 64. */
type ClassId = number;
const a = (bit: number): ClassId => 31 - Math.clz32(bit);
const b = (bit: number): ClassId => 32 + 31 - Math.clz32(bit);
const TARGET: ClassId = 64; // derived: "your instructions", "the rules above"
const CLASS_SLOTS = 65;

interface Rule {
  readonly name: string;
  /** Classes of the earlier word. */
  readonly before: readonly ClassId[];
  /** Classes of the word that fires the rule. */
  readonly at: readonly ClassId[];
  /** Maximum distance in words. */
  readonly window: number;
  /** A class given to the firing word, for rules that build on this one. */
  readonly emit?: ClassId;
}

/** Order matters only for `emit`: a rule that emits comes before the rules that read its class. */
const RULES: readonly Rule[] = [
  { name: 'target', before: [a(L.POSS2), a(L.PRIOR)], at: [a(L.PROMPTN), a(L.INSTR)], window: 2, emit: TARGET },
  { name: 'override', before: [a(L.OVR)], at: [a(L.INSTR), a(L.PROMPTN)], window: 6 },
  { name: 'override-prior', before: [a(L.OVR)], at: [a(L.PRIOR)], window: 5 },
  { name: 'override-all', before: [a(L.OVR)], at: [a(L.ALL)], window: 2 },
  { name: 'instructions-void', before: [a(L.INSTR), a(L.PROMPTN)], at: [a(L.VOIDED)], window: 5 },
  { name: 'new-instructions', before: [a(L.NEW)], at: [a(L.INSTR)], window: 2 },
  { name: 'extraction', before: [a(L.EXT), b(L.WH)], at: [TARGET, b(L.TARGETP), a(L.SECR)], window: 6 },
  { name: 'no-restrictions', before: [a(L.NEG)], at: [a(L.RESTR), a(L.SAFETY)], window: 3 },
  { name: 'never-refuse', before: [a(L.NEG)], at: [a(L.REFUSE)], window: 3 },
  { name: 'no-warnings', before: [a(L.NEG)], at: [a(L.WARN)], window: 3 },
  { name: 'special-mode', before: [a(L.DEVLIKE)], at: [a(L.MODE)], window: 2 },
  { name: 'special-mode', before: [a(L.MODE)], at: [a(L.DEVLIKE)], window: 1 },
  { name: 'addresses-ai', before: [a(L.ADDRW)], at: [a(L.AIREF)], window: 3 },
  { name: 'addresses-ai', before: [b(L.IFYOU)], at: [a(L.AIREF)], window: 4 },
  { name: 'ai-reading', before: [a(L.AIREF)], at: [a(L.READV)], window: 3 },
  { name: 'exfiltration', before: [a(L.SEND)], at: [a(L.DATA)], window: 8 },
  { name: 'exfiltration', before: [a(L.DATA)], at: [a(L.SEND)], window: 6 },
  { name: 'authority-claim', before: [b(L.IAM)], at: [a(L.AUTH)], window: 3 },
  { name: 'response-prefix', before: [a(L.START)], at: [a(L.RESP)], window: 3 },
  { name: 'safety-off', before: [a(L.SAFETY)], at: [b(L.OFFV)], window: 3 },
  { name: 'safety-off', before: [b(L.OFFV)], at: [a(L.SAFETY)], window: 2 },
  { name: 'must-comply', before: [b(L.ALWAYS)], at: [b(L.COMPLY)], window: 3 },
  { name: 'evil-persona', before: [a(L.PERSONA), b(L.ROLEN)], at: [b(L.EVILN), a(L.LIB)], window: 10 },
  { name: 'ignore-sources', before: [b(L.OWN)], at: [b(L.SOURCEN)], window: 6 },
  // "you are Captain Hook now", "jetzt bist du ein Pirat": a new identity, in either order.
  { name: 'identity-now', before: [b(L.YOUARE)], at: [b(L.NOWW)], window: 6 },
  { name: 'identity-now', before: [b(L.NOWW)], at: [b(L.YOUARE)], window: 3 },
  { name: 'ignore-sources', before: [b(L.SOURCEN)], at: [b(L.OWN)], window: 6 },
  // "please transfer …", "could you grant access …": a request for an act that needs the user's
  // authority — in a tool result, someone other than the user asking the agent to act.
  { name: 'act-request', before: [b(L.PLEASE)], at: [b(L.PRIVACT)], window: 3 },
];

/** Single-class counts that matter on their own. */
const COUNTED: readonly [string, ClassId][] = [
  ['persona', a(L.PERSONA)],
  ['switch', a(L.SWITCH)],
  ['liberated', a(L.LIB)],
  ['harm', a(L.HARM)],
  ['frame', a(L.FRAME)],
  ['leverage', a(L.EMO)],
  ['secret', a(L.SECR)],
  ['ai-ref', a(L.AIREF)],
  ['urgent', b(L.URGENT)],
  ['sure-here', b(L.SUREHERE)],
  ['pretext', b(L.PRETEXT)],
  ['role-noun', b(L.ROLEN)],
  ['prompt-target', b(L.TARGETP)],
  ['role-setup', b(L.ROLESET)],
  ['role-drop', b(L.DROP)],
];

export const RULE_NAMES: readonly string[] = [...new Set(RULES.filter((r) => r.emit === undefined).map((r) => r.name))];
export const COUNT_NAMES: readonly string[] = COUNTED.map(([n]) => n);

export interface LexicalScan {
  /** Fires per rule name (RULE_NAMES order). */
  readonly rules: Float64Array;
  /** Words per counted class (COUNT_NAMES order). */
  readonly counts: Float64Array;
  /** Function words per language (L.LANGUAGES order). */
  readonly langs: Int32Array;
  /** Second-person words (you, your, du, vous, ...). */
  readonly you: number;
  readonly words: number;
}

const ruleIndex = new Map(RULE_NAMES.map((n, i) => [n, i]));

/** Rules with their "at" classes as bit masks per group (A, B, derived), for a cheap test per word. */
const COMPILED = RULES.map((r) => {
  let atA = 0;
  let atB = 0;
  let atC = 0;
  for (const c of r.at) {
    if (c < 32) atA |= 1 << c;
    else if (c < 64) atB |= 1 << (c - 32);
    else atC |= 1 << (c - 64);
  }
  return { before: r.before, window: r.window, emit: r.emit === undefined ? 0 : 1 << (r.emit - 64), slot: r.emit === undefined ? ruleIndex.get(r.name)! : -1, atA, atB, atC };
});
const COUNTED_COMPILED = COUNTED.map(([, c]) => (c < 32 ? { a: 1 << c, b: 0 } : { a: 0, b: 1 << (c - 32) }));

function markLast(last: Int32Array, mask: number, base: number, i: number): void {
  for (let m = mask; m !== 0; m &= m - 1) last[base + 31 - Math.clz32(m & -m)] = i;
}

const lex = L.LEXICON;
const YOU_OR_POSS2_B = L.YOU;
const POSS2_A = L.POSS2;

/**
 * The word map as an open-addressing table of typed arrays: one multiply and usually one probe
 * per word instead of a Map lookup, which was a fifth of the detector's time.
 */
const TABLE_BITS = 32 - Math.clz32(lex.words.size * 4);
const TABLE_MASK = (1 << TABLE_BITS) - 1;
const tableKey = new Int32Array(1 << TABLE_BITS).fill(-1);
const tableA = new Int32Array(1 << TABLE_BITS);
const tableB = new Int32Array(1 << TABLE_BITS);
const tablePhrase = new Uint8Array(1 << TABLE_BITS);
const tableLang = new Uint8Array(1 << TABLE_BITS);
const slotOf = (key: number) => Math.imul(key, 0x9e3779b1) >>> (32 - TABLE_BITS);
for (const [key, [wa, wb, ends, lang]] of lex.words) {
  let i = slotOf(key);
  while (tableKey[i] !== -1) i = (i + 1) & TABLE_MASK;
  tableKey[i] = key;
  tableA[i] = wa;
  tableB[i] = wb;
  tablePhrase[i] = ends;
  tableLang[i] = lang;
}

/** Table slot of a word hash, or -1 when the word has no class. */
function lookup(hash: number): number {
  const key = L.lexKey(hash);
  for (let i = slotOf(key); ; i = (i + 1) & TABLE_MASK) {
    const k = tableKey[i]!;
    if (k === key) return i;
    if (k === -1) return -1;
  }
}

/** The phrase map as the same kind of table. */
const PHRASE_BITS = 32 - Math.clz32(lex.phrases.size * 4);
const PHRASE_MASK = (1 << PHRASE_BITS) - 1;
const phraseKey = new Int32Array(1 << PHRASE_BITS).fill(-1);
const phraseA = new Int32Array(1 << PHRASE_BITS);
const phraseB = new Int32Array(1 << PHRASE_BITS);
const phraseSlotOf = (key: number) => Math.imul(key, 0x9e3779b1) >>> (32 - PHRASE_BITS);
for (const [key, [pa, pb]] of lex.phrases) {
  let i = phraseSlotOf(key);
  while (phraseKey[i] !== -1) i = (i + 1) & PHRASE_MASK;
  phraseKey[i] = key;
  phraseA[i] = pa;
  phraseB[i] = pb;
}

function lookupPhrase(hash: number): number {
  const key = L.lexKey(hash);
  for (let i = phraseSlotOf(key); ; i = (i + 1) & PHRASE_MASK) {
    const k = phraseKey[i]!;
    if (k === key) return i;
    if (k === -1) return -1;
  }
}

/**
 * Scans a list of words (lowercase, normalized).
 * @example scanWords(['ignore', 'all', 'previous', 'instructions']).rules[RULE_NAMES.indexOf('override')] // 1
 */
export function scanWords(words: readonly string[]): LexicalScan {
  return scanTokens(tokensOf(words));
}

/** Scans the tokens of a normalized text. */
export function scanTokens(tokens: Tokens): LexicalScan {
  const rules = new Float64Array(RULE_NAMES.length);
  const counts = new Float64Array(COUNTED.length);
  const last = new Int32Array(CLASS_SLOTS).fill(-1_000_000);
  const langs = new Int32Array(L.LANGUAGES.length);
  let you = 0;
  const hashes = tokens.hash;
  for (let i = 0; i < tokens.count; i++) {
    const slot = lookup(hashes[i]!);
    if (slot < 0) continue;
    const lang = tableLang[slot]!;
    if (lang !== 0) langs[31 - Math.clz32(lang)]!++;
    let ma = tableA[slot]!;
    let mb = tableB[slot]!;
    // Phrases ending here are at most `longest` words: look back no further.
    const longest = tablePhrase[slot]!;
    for (let k = 1; k < longest && i - k >= 0; k++) {
      let h = hashes[i - k]!;
      for (let j = i - k + 1; j <= i; j++) h = combineHash(h, hashes[j]!);
      const p = lookupPhrase(h);
      if (p >= 0) {
        ma |= phraseA[p]!;
        mb |= phraseB[p]!;
      }
    }
    if (ma === 0 && mb === 0) continue;
    if ((mb & YOU_OR_POSS2_B) !== 0 || (ma & POSS2_A) !== 0) you++;
    let mc = 0;
    for (const r of COMPILED) {
      if ((ma & r.atA) === 0 && (mb & r.atB) === 0 && (mc & r.atC) === 0) continue;
      let nearest = -1_000_000;
      for (const c of r.before) if (last[c]! > nearest) nearest = last[c]!;
      if (i - nearest > r.window) continue;
      if (r.slot < 0) mc |= r.emit;
      else rules[r.slot]!++;
    }
    markLast(last, ma, 0, i);
    markLast(last, mb, 32, i);
    markLast(last, mc, 64, i);
    for (let k = 0; k < COUNTED_COMPILED.length; k++) {
      const c = COUNTED_COMPILED[k]!;
      if ((ma & c.a) !== 0 || (mb & c.b) !== 0) counts[k]!++;
    }
  }
  return { rules, counts, langs, you, words: tokens.count };
}
