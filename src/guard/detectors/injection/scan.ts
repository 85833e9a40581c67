/**
 * Scores one text for one channel: picks the units to score (the whole text, its windows, the
 * payloads decoded from it), scores each with the model and keeps the most suspicious unit. The
 * result names what decided: a decoded payload, a heuristic, or the n-gram classifier.
 */
import { normalizeText, type NormalizedText, type Transform } from '../../normalize/normalize.ts';
import { DEFAULT_DECODE_OPTIONS, normalizeWithPayloads, type DecodeOptions, type PayloadUnit } from '../../normalize/payloads.ts';
import type { Channel } from '../../types.ts';
import { CONTEXT_AT, contextFeatures, DENSE, DENSE_NAMES, extractFeatures } from './features.ts';
import { attackLogit, logits, sigmoid, type InjectionModel } from './model.ts';
import { DEFAULT_WINDOWS, windows, type WindowOptions } from './windows.ts';

export interface ScanOptions {
  readonly decode: DecodeOptions;
  readonly windows: WindowOptions;
  /** User and system texts longer than this are also scored window by window. */
  readonly wholeTextChars: number;
  readonly signal?: AbortSignal | undefined;
}

export interface ScanResult {
  /** Calibrated probability of an attack for the channel. */
  readonly score: number;
  readonly logit: number;
  readonly category: 'prompt_injection' | 'jailbreak';
  /** `classifier`, `heuristic:<feature>` or `decoded-<encoding>`. */
  readonly rule: string;
  readonly start: number;
  readonly end: number;
  /** Heuristic features that pushed towards "attack" in the deciding unit, strongest first. */
  readonly signals: readonly string[];
  readonly transforms: readonly Transform[];
  /** Encodings peeled off to reach the deciding unit, outermost first. */
  readonly decoded: readonly string[];
  readonly unit: 'text' | 'window' | 'payload';
}

/** One piece of a text that is scored on its own. */
export interface Unit {
  readonly kind: 'text' | 'window' | 'payload';
  /** Span in the scanned text (a payload reports the whole text). */
  readonly start: number;
  readonly end: number;
  /** The unit before normalization (for case-sensitive signals). */
  readonly raw: string;
  readonly normalized: NormalizedText;
  readonly encodedProse: boolean;
  /** Whether adversarial-suffix signals are measured (prompts, not documents). */
  readonly suffixSignals: boolean;
  readonly payload?: PayloadUnit;
}

/**
 * The units a text is scored as, for a channel. Documents are judged window by window: summed over
 * a whole page, every harmless feature (a link here, a separator there, a word like "secret") adds
 * up to a false alarm. User and system texts are judged whole (a jailbreak is read as one piece),
 * and also window by window when they are long. Decoded payloads are always judged on their own.
 * Training builds its examples with this same function.
 */
export function unitsFor(text: string, channel: Channel, options: ScanOptions): Unit[] {
  const windowed = channel === 'document' || text.length > options.wholeTextChars;
  const ws = windowed ? windows(text, options.windows) : [];
  const whole = ws.length <= 1 || channel !== 'document';
  const expanded = normalizeWithPayloads(text, options.decode, whole);
  const units: Unit[] = [];
  const suffixSignals = channel !== 'document';
  if (whole) {
    const encodedProse = expanded.payloads.some((p) => p.evasive);
    units.push({ kind: 'text', start: 0, end: text.length, raw: text, normalized: expanded.main, encodedProse, suffixSignals });
  }
  if (ws.length > 1) {
    for (const w of ws) {
      if (options.signal?.aborted) throw options.signal.reason;
      const slice = text.slice(w.start, w.end);
      units.push({ kind: 'window', start: w.start, end: w.end, raw: slice, normalized: normalizeText(slice), encodedProse: false, suffixSignals });
    }
  }
  for (const p of expanded.payloads) {
    if (p.normalized.text.length < 8) continue;
    units.push({ kind: 'payload', start: 0, end: text.length, raw: p.normalized.text, normalized: p.normalized, encodedProse: p.evasive, suffixSignals, payload: p });
  }
  return units;
}

function scoreUnit(model: InjectionModel, unit: Unit) {
  const f = extractFeatures(unit, model.rare);
  const z = logits(model, f);
  return { z, logit: attackLogit(z), dense: f.dense, stats: f.lexical, unit, transforms: unit.normalized.transforms };
}
type Scored = ReturnType<typeof scoreUnit>;

/** Adds the document-context features of each window (features.ts) to its logits. */
function applyContext(model: InjectionModel, scored: Scored[]): void {
  const ws = scored.filter((s) => s.unit.kind === 'window');
  if (ws.length < 2) return;
  const context = contextFeatures(ws.map((s) => s.stats));
  ws.forEach((s, i) => {
    const ctx = context[i]!;
    for (let c = 0; c < ctx.length; c++) {
      const v = ctx[c]!;
      if (v === 0) continue;
      const j = CONTEXT_AT + 1 + c;
      s.dense[j] = v;
      for (let k = 0; k < 3; k++) s.z[k] += model.dense[j * 3 + k]! * v;
    }
    s.logit = attackLogit(s.z);
  });
}

/** Dense features whose weight pushed the winning attack class up, strongest first. */
function topSignals(model: InjectionModel, dense: Float64Array, cls: number): { names: string[]; best: number } {
  const contrib: [string, number][] = [];
  for (let j = 0; j < DENSE; j++) {
    const v = dense[j]!;
    if (v === 0) continue;
    const c = v * (model.dense[j * 3 + cls]! - model.dense[j * 3]!);
    if (c > 0.25) contrib.push([DENSE_NAMES[j]!, c]);
  }
  contrib.sort((a, b) => b[1] - a[1]);
  return { names: contrib.slice(0, 5).map(([n]) => n), best: contrib[0]?.[1] ?? 0 };
}

export function scanText(model: InjectionModel, text: string, channel: Channel, options: ScanOptions): ScanResult {
  const units = unitsFor(text, channel, options);
  const scored = units.map((u) => scoreUnit(model, u));
  applyContext(model, scored);
  let best = scored[0]!;
  const transforms = new Set<Transform>();
  for (const s of scored) {
    for (const t of s.transforms) transforms.add(t);
    if (s.logit > best.logit) best = s;
  }

  const cal = model.calibration[channel];
  const score = sigmoid(cal.a * best.logit + cal.b);
  const cls = best.z[2] > best.z[1] ? 2 : 1;
  const category = channel === 'document' || cls === 1 ? 'prompt_injection' : 'jailbreak';
  const signals = topSignals(model, best.dense, cls);
  const decoded = best.unit.payload ? best.unit.payload.chain : [];
  const hashedShare = best.logit - signals.best;
  const rule = decoded.length > 0 ? `decoded-${decoded[decoded.length - 1]}` : signals.best > hashedShare && signals.names[0] ? `heuristic:${signals.names[0]}` : 'classifier';
  return {
    score,
    logit: best.logit,
    category,
    rule,
    start: best.unit.start,
    end: best.unit.end,
    signals: signals.names,
    transforms: [...transforms],
    decoded,
    unit: best.unit.kind,
  };
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  decode: DEFAULT_DECODE_OPTIONS,
  windows: DEFAULT_WINDOWS,
  wholeTextChars: 2500,
};
