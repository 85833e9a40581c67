/**
 * The trained linear model: three classes (benign, prompt_injection, jailbreak) over hashed
 * n-grams and dense heuristic features, with a per-channel calibration of the attack logit. The
 * weights file is produced by `scripts/train-injection.ts`; it is validated when loaded, and a
 * file trained for other features (a stale model after a code change) is refused.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Channel } from '../../types.ts';
import { BUCKETS, DENSE, DENSE_NAMES, HASH_BITS, type Features } from './features.ts';

export const MODEL_FORMAT = 'rampart-injection-lr/1';
export const CLASSES = ['benign', 'prompt_injection', 'jailbreak'] as const;
const K = CLASSES.length;

const calibration = z.object({ a: z.number().positive(), b: z.number() });
export const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  hashBits: z.literal(HASH_BITS),
  classes: z.tuple([z.literal('benign'), z.literal('prompt_injection'), z.literal('jailbreak')]),
  denseNames: z.array(z.string()),
  bias: z.array(z.number()).length(K),
  dense: z.array(z.number()).length(DENSE * K),
  hashedMax: z.number().nonnegative(),
  /** Interleaved int8 (bucket-major, class-minor), companded: w = sign(q) (|q|/127)^2 hashedMax. */
  hashed: z.string(),
  /** 26x26 flags, letter pair (a-z, a-z) rare in ordinary text. */
  rareBigrams: z.string().regex(/^[01]{676}$/),
  calibration: z.object({ user: calibration, system: calibration, document: calibration, output: calibration }),
  training: z.record(z.string(), z.unknown()),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

export interface InjectionModel {
  /**
   * Interleaved int8 weights as stored, decoded through `lut`: 0.75 MB instead of 3 MB of floats,
   * so that the random reads of one text mostly hit the CPU cache.
   */
  readonly hashed: Int8Array;
  readonly lut: Float32Array;
  readonly dense: Float64Array;
  readonly bias: Float64Array;
  readonly rare: Uint8Array;
  readonly calibration: Readonly<Record<Channel, { a: number; b: number }>>;
}

export function quantize(w: number, max: number): number {
  if (max === 0) return 0;
  return Math.round(Math.sign(w) * Math.sqrt(Math.min(1, Math.abs(w) / max)) * 127);
}

function dequantize(q: number, max: number): number {
  const r = q / 127;
  return Math.sign(r) * r * r * max;
}

/** Builds the runtime model from a parsed file (throws on a file for other features). */
export function modelFromFile(file: ModelFile): InjectionModel {
  if (file.denseNames.join('\n') !== DENSE_NAMES.join('\n')) {
    throw new Error('the model was trained for other dense features; run scripts/train-injection.ts');
  }
  const bytes = Buffer.from(file.hashed, 'base64');
  if (bytes.length !== BUCKETS * K) throw new Error(`hashed weights have ${bytes.length} bytes, expected ${BUCKETS * K}`);
  const hashed = Int8Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const lut = new Float32Array(256);
  for (let q = -128; q < 128; q++) lut[q + 128] = dequantize(q, file.hashedMax);
  const rare = new Uint8Array(676);
  for (let i = 0; i < 676; i++) rare[i] = file.rareBigrams.charCodeAt(i) === 49 ? 1 : 0;
  return { hashed, lut, dense: Float64Array.from(file.dense), bias: Float64Array.from(file.bias), rare, calibration: file.calibration };
}

export function loadModelFile(path: string): InjectionModel {
  const file = modelFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return modelFromFile(file);
}

/**
 * Texts with fewer distinct features than this are scaled as if padded with neutral ones. Mean
 * pooling alone gives the one or two n-grams of "ok" the full weight a long text spreads over
 * hundreds, so a single bucket that attacks happened to use decided the score ("ok" scored 0.99).
 * Twenty is about the feature count of a four-word sentence such as "ignore all previous rules"
 * (sixteen left "no", whose one word attacks use in "no rules", "no filter", at the threshold).
 */
export const MIN_HASHED_FEATURES = 20;

/**
 * Weight of each hashed feature in a text of `n` distinct features: the mean, so that the n-gram
 * evidence of a text does not grow with its length and a long ordinary document is judged like
 * a short one; shrunk towards the bias for very short texts (see MIN_HASHED_FEATURES).
 */
export function hashedScale(n: number): number {
  return n > 0 ? 1 / Math.max(n, MIN_HASHED_FEATURES) : 0;
}

/** Class logits for one text's features. */
export function logits(model: Pick<InjectionModel, 'hashed' | 'lut' | 'dense' | 'bias'>, f: Features): [number, number, number] {
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  const w = model.hashed;
  const lut = model.lut;
  const b = f.buckets;
  for (let i = 0; i < f.length; i++) {
    const o = b[i]! * 3;
    z0 += lut[w[o]! + 128]!;
    z1 += lut[w[o + 1]! + 128]!;
    z2 += lut[w[o + 2]! + 128]!;
  }
  const s = hashedScale(f.length);
  z0 = model.bias[0]! + z0 * s;
  z1 = model.bias[1]! + z1 * s;
  z2 = model.bias[2]! + z2 * s;
  const d = model.dense;
  for (let j = 0; j < DENSE; j++) {
    const v = f.dense[j]!;
    if (v === 0) continue;
    z0 += d[j * 3]! * v;
    z1 += d[j * 3 + 1]! * v;
    z2 += d[j * 3 + 2]! * v;
  }
  return [z0, z1, z2];
}

/** log(P(attack) / P(benign)) from class logits. */
export function attackLogit(z: readonly [number, number, number]): number {
  const m = Math.max(z[1], z[2]);
  return m + Math.log(Math.exp(z[1] - m) + Math.exp(z[2] - m)) - z[0];
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
