/**
 * Trains the prompt-injection model: multinomial logistic regression (benign, prompt_injection,
 * jailbreak) over the detector's own features, fitted with AdaGrad on the generated corpus, then
 * quantized and calibrated per channel on a second corpus drawn with another seed. Everything is
 * seeded and sequential, so a seed gives the same bytes on every run.
 */
import { buildCorpus, FULL_SIZE, type CorpusSize, type Example, type Label } from './corpus.ts';
import { Rng } from './rng.ts';
import { BUCKETS, CONTEXT_AT, contextFeatures, DENSE, DENSE_NAMES, extractFeatures, HASH_BITS } from '../../src/guard/detectors/injection/features.ts';
import { scanTokens } from '../../src/guard/detectors/injection/lexical-rules.ts';
import { tokenize } from '../../src/guard/detectors/injection/tokens.ts';
import { CLASSES, hashedScale, MODEL_FORMAT, modelFromFile, quantize, sigmoid, type ModelFile } from '../../src/guard/detectors/injection/model.ts';
import { DEFAULT_SCAN_OPTIONS, scanText, unitsFor, type Unit } from '../../src/guard/detectors/injection/scan.ts';

export interface TrainOptions {
  readonly seed: number;
  readonly size: CorpusSize;
  readonly validationSize: CorpusSize;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Share of a unit's hashed n-grams hidden at each step (0: none). */
  readonly dropout: number;
  /** Corpora (seeds, see `bagSeeds`) fitted separately and averaged. */
  readonly bags: number;
  /** Progress lines (the script prints them; tests pass nothing). */
  readonly log?: (line: string) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 20240611,
  size: FULL_SIZE,
  validationSize: {
    benign: 3000,
    tricky: 1500,
    twins: 2000,
    background: 1000,
    system: 400,
    direct: 1200,
    jailbreak: 1500,
    benignDocs: 2000,
    indirect: 2000,
    emails: 500,
    hijack: 1000,
    scenario: 500,
    scenarioTwins: 500,
    multilingual: 1000,
    short: 200,
    realDocs: 1200,
    workEmails: 300,
    shortAttacks: 600,
    shortTwins: 600,
    readerRequests: 500,
    wideAttacks: 300,
    widePrompts: 300,
    europeAttacks: 200,
    europePrompts: 300,
    redirects: 300,
    toolAttacks: 300,
    toolBenign: 300,
    promptDev: 300,
  },
  epochs: 4,
  learningRate: 0.2,
  l2: 2e-5,
  dropout: 0.3,
  bags: 1,
};

interface TrainUnit {
  readonly unit: Unit;
  readonly label: Label;
  /** Document-context features of a window (features.ts `contextFeatures`), as the scan computes them. */
  readonly context?: readonly [number, number];
}

const DOCUMENT_FAMILIES = new Set(['benign_doc', 'indirect', 'email_attack', 'real_doc', 'work_email', 'reader_request']);

/** Letter pairs with a share below this in benign text count as rare. */
const RARE_SHARE = 2e-4;

function rareBigrams(corpus: readonly Example[]): Uint8Array {
  const counts = new Float64Array(676);
  let total = 0;
  for (const ex of corpus) {
    if (ex.label !== 0) continue;
    const t = ex.text.toLowerCase();
    for (let i = 1; i < t.length; i++) {
      const a = t.charCodeAt(i - 1) - 97;
      const b = t.charCodeAt(i) - 97;
      if (a >= 0 && a < 26 && b >= 0 && b < 26) {
        counts[a * 26 + b]!++;
        total++;
      }
    }
  }
  const rare = new Uint8Array(676);
  for (let i = 0; i < 676; i++) rare[i] = counts[i]! / Math.max(1, total) < RARE_SHARE ? 1 : 0;
  return rare;
}

/** Units of one example with their labels: windows of a document carry the label of the payload they hold. */
function labelledUnits(ex: Example): TrainUnit[] {
  const units = unitsFor(ex.text, ex.channel, DEFAULT_SCAN_OPTIONS);
  const windows = units.filter((u) => u.kind === 'window');
  const context = windows.length > 1 ? contextFeatures(windows.map((u) => scanTokens(tokenize(u.normalized.text)))) : [];
  const contextOf = new Map<Unit, readonly [number, number]>();
  windows.forEach((u, i) => {
    const c = context[i];
    if (c && (c[0] !== 0 || c[1] !== 0)) contextOf.set(u, c);
  });
  const out: TrainUnit[] = [];
  for (const u of units) {
    const label = labelOf(ex, u);
    if (label === undefined) continue;
    const context = contextOf.get(u);
    out.push(context ? { unit: u, label, context } : { unit: u, label });
  }
  return out;
}

/** A unit's label, or undefined when it is left out of training. */
function labelOf(ex: Example, u: Unit): Label | undefined {
  if (ex.label === 0 || u.kind === 'text') return ex.label;
  if (u.kind === 'payload') return u.payload!.evasive ? ex.label : undefined;
  if (ex.span) {
    const [s, e] = ex.span;
    const overlap = Math.min(e, u.end) - Math.max(s, u.start);
    // A window with most of the payload is an attack; one with a sliver of it is left out.
    if (overlap >= Math.min(e - s, 40)) return ex.label;
    return overlap <= 0 ? 0 : undefined;
  }
  // A whole-document attack (an e-mail): the windows with its address or encoded payload.
  return /@|[A-Za-z0-9+/]{40}/.test(u.raw) ? ex.label : undefined;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Fits sigmoid(a * logit + b) to labels (Platt scaling), slope kept in [0.3, 1.5]. */
function platt(points: readonly [number, number][]): { a: number; b: number } {
  let a = 1;
  let b = 0;
  for (let it = 0; it < 2000; it++) {
    let ga = 0;
    let gb = 0;
    for (const [x, y] of points) {
      const p = sigmoid(a * x + b);
      ga += (p - y) * x;
      gb += p - y;
    }
    a = Math.min(1.5, Math.max(0.3, a - (0.5 * ga) / points.length));
    b -= (0.5 * gb) / points.length;
  }
  return { a: round(a, 4), b: round(b, 4) };
}

export interface TrainReport {
  readonly units: number;
  readonly perFamily: Record<string, { n: number; flagged: number }>;
}

/** Seeds of the corpora a model is averaged over: the training seed, then these offsets. */
export function bagSeeds(seed: number, bags: number): number[] {
  return Array.from({ length: bags }, (_, b) => (b === 0 ? seed : seed + 7919 * b));
}

interface Fitted {
  readonly w: Float64Array;
  readonly d: Float64Array;
  readonly bias: Float64Array;
}

/** Fits the weights on the units of one corpus (AdaGrad, seeded shuffles and dropout). */
function fit(units: readonly TrainUnit[], rare: Uint8Array, seed: number, options: TrainOptions, log: (line: string) => void): Fitted {
  const K = CLASSES.length;
  const w = new Float64Array(BUCKETS * K);
  const gw = new Float64Array(BUCKETS * K);
  const d = new Float64Array(DENSE * K);
  const gd = new Float64Array(DENSE * K);
  const bias = new Float64Array(K);
  const gb = new Float64Array(K);
  const counts = [0, 0, 0];
  for (const u of units) counts[u.label]!++;
  // Classes weighted towards balance, benign kept heavier: false alarms cost more than misses here.
  const classWeight = counts.map((c, k) => (k === 0 ? 1.5 : 1) * (units.length / (K * Math.max(1, c))));
  const order = units.map((_, i) => i);
  const rng = new Rng(seed ^ 0x5eed);
  const dropRng = new Rng(seed ^ 0xd409);
  const lr = options.learningRate;
  const eps = 1e-8;
  const z = new Float64Array(K);
  const g = new Float64Array(K);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    rng.shuffle(order);
    let loss = 0;
    for (const idx of order) {
      const { unit, label, context } = units[idx]!;
      const f = extractFeatures(unit, rare);
      if (context) {
        f.dense[CONTEXT_AT + 1] = context[0];
        f.dense[CONTEXT_AT + 2] = context[1];
      }
      // Feature dropout: a share of the n-grams of each unit is hidden in each epoch, so that no
      // single template phrase carries a decision and the dense features keep their weight.
      let n = 0;
      for (let i = 0; i < f.length; i++) if (options.dropout === 0 || dropRng.float() >= options.dropout) f.buckets[n++] = f.buckets[i]!;
      const s = hashedScale(n);
      for (let k = 0; k < K; k++) z[k] = bias[k]!;
      for (let i = 0; i < n; i++) {
        const o = f.buckets[i]! * K;
        for (let k = 0; k < K; k++) z[k] += w[o + k]! * s;
      }
      for (let j = 0; j < DENSE; j++) {
        const v = f.dense[j]!;
        if (v !== 0) for (let k = 0; k < K; k++) z[k] += d[j * K + k]! * v;
      }
      const m = Math.max(z[0]!, z[1]!, z[2]!);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - m);
      const cw = classWeight[label]!;
      for (let k = 0; k < K; k++) g[k] = cw * (Math.exp(z[k]! - m) / sum - (k === label ? 1 : 0));
      loss += cw * -(z[label]! - m - Math.log(sum));
      for (let k = 0; k < K; k++) {
        gb[k] += g[k]! * g[k]!;
        bias[k] -= (lr * g[k]!) / (Math.sqrt(gb[k]!) + eps);
      }
      for (let i = 0; i < n; i++) {
        const o = f.buckets[i]! * K;
        for (let k = 0; k < K; k++) {
          const grad = g[k]! * s + options.l2 * w[o + k]!;
          gw[o + k] += grad * grad;
          w[o + k] -= (lr * grad) / (Math.sqrt(gw[o + k]!) + eps);
        }
      }
      for (let j = 0; j < DENSE; j++) {
        const v = f.dense[j]!;
        if (v === 0) continue;
        for (let k = 0; k < K; k++) {
          const grad = g[k]! * v + options.l2 * d[j * K + k]!;
          gd[j * K + k] += grad * grad;
          d[j * K + k] -= (lr * grad) / (Math.sqrt(gd[j * K + k]!) + eps);
        }
      }
    }
    log(`epoch ${epoch + 1}/${options.epochs}: mean loss ${(loss / units.length).toFixed(4)}`);
  }

  return { w, d, bias };
}

export function trainModel(options: TrainOptions = DEFAULT_TRAIN_OPTIONS): { file: ModelFile; report: TrainReport } {
  const log = options.log ?? (() => {});
  const K = CLASSES.length;
  // Bagging: one fit per corpus seed, weights averaged. The model stays one linear model (same
  // size, same scoring cost) but has seen several draws of every template.
  const w = new Float64Array(BUCKETS * K);
  const d = new Float64Array(DENSE * K);
  const bias = new Float64Array(K);
  let rare: Uint8Array = new Uint8Array(676);
  let examples = 0;
  let unitCount = 0;
  const seeds = bagSeeds(options.seed, options.bags);
  for (const [b, seed] of seeds.entries()) {
    const corpus = buildCorpus(seed, options.size);
    if (b === 0) rare = rareBigrams(corpus);
    const units: TrainUnit[] = [];
    for (const ex of corpus) units.push(...labelledUnits(ex));
    log(`corpus ${b + 1}/${seeds.length} (seed ${seed}): ${corpus.length} examples, ${units.length} units`);
    const f = fit(units, rare, seed, options, log);
    for (let i = 0; i < w.length; i++) w[i] += f.w[i]! / seeds.length;
    for (let i = 0; i < d.length; i++) d[i] += f.d[i]! / seeds.length;
    for (let i = 0; i < K; i++) bias[i] += f.bias[i]! / seeds.length;
    examples += corpus.length;
    unitCount += units.length;
  }

  let hashedMax = 0;
  for (let i = 0; i < w.length; i++) hashedMax = Math.max(hashedMax, Math.abs(w[i]!));
  hashedMax = round(hashedMax, 6);
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = quantize(w[i]!, hashedMax);
  const identity = { a: 1, b: 0 };
  const file: ModelFile = {
    format: MODEL_FORMAT,
    hashBits: HASH_BITS,
    classes: ['benign', 'prompt_injection', 'jailbreak'],
    denseNames: [...DENSE_NAMES],
    bias: [...bias].map((x) => round(x, 6)),
    dense: [...d].map((x) => round(x, 6)),
    hashedMax,
    hashed: Buffer.from(q.buffer).toString('base64'),
    rareBigrams: [...rare].join(''),
    calibration: { user: identity, system: identity, document: identity, output: identity },
    training: {
      seed: options.seed,
      bags: options.bags,
      examples,
      units: unitCount,
      epochs: options.epochs,
      learningRate: options.learningRate,
      l2: options.l2,
      dropout: options.dropout,
      script: 'scripts/train-injection.ts',
    },
  };

  // Calibration on a fresh corpus, scored exactly as the detector scores (quantized model, windows, payloads).
  const model = modelFromFile(file);
  const validation = buildCorpus(options.seed + 1, options.validationSize);
  const byChannel: Record<string, [number, number][]> = { user: [], system: [], document: [] };
  const perFamily: Record<string, { n: number; flagged: number; logits: number[] }> = {};
  for (const ex of validation) {
    const r = scanText(model, ex.text, ex.channel, DEFAULT_SCAN_OPTIONS);
    byChannel[ex.channel]!.push([r.logit, ex.label === 0 ? 0 : 1]);
    const fam = (perFamily[ex.family] ??= { n: 0, flagged: 0, logits: [] });
    fam.n++;
    fam.logits.push(r.logit);
  }
  const user = platt(byChannel.user!);
  const document = platt(byChannel.document!);
  // No attacks are generated for the system channel: keep the user slope and move the offset so
  // that 99% of benign system prompts stay below 0.5.
  const sys = byChannel.system!.map(([x]) => x).sort((x, y) => x - y);
  const q99 = sys[Math.floor(sys.length * 0.99)] ?? 0;
  const system = { a: user.a, b: round(Math.min(user.b, -user.a * q99), 4) };
  const calibrated: ModelFile = { ...file, calibration: { user, system, document, output: user } };
  const report: TrainReport = { units: unitCount, perFamily: {} };
  for (const ex of validation) void ex;
  for (const [name, fam] of Object.entries(perFamily)) {
    const channel = DOCUMENT_FAMILIES.has(name) ? document : name === 'system' ? system : user;
    const flagged = fam.logits.filter((x) => sigmoid(channel.a * x + channel.b) >= 0.5).length;
    report.perFamily[name] = { n: fam.n, flagged };
  }
  return { file: calibrated, report };
}

/** The model file as committed: stable key order, one line per top-level key. */
export function serializeModel(file: ModelFile): string {
  const keys = Object.keys(file) as (keyof ModelFile)[];
  return `{\n${keys.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(file[k])}`).join(',\n')}\n}\n`;
}
