/**
 * Echo embeddings: deterministic unit vectors derived from SHA-256 of each input, so the same text
 * always gets the same vector (useful for trying caches and vector stores) and different texts
 * differ. They carry no meaning. `encoding_format: "base64"` (the official SDK's default) gives
 * little-endian float32 bytes, as OpenAI does.
 */
import { createHash } from 'node:crypto';
import type { UpstreamSuccess } from '../provider.ts';
import { invalidRequestFailure } from '../../upstream-failures.ts';
import { tokens } from './text.ts';

/** OpenAI's own limits: 2048 inputs per request, up to 3072 dimensions. */
const MAX_INPUTS = 2048;
export const MAX_DIMENSIONS = 3072;

export function echoEmbeddings(body: Record<string, unknown>, model: string, defaultDimensions: number): UpstreamSuccess {
  const inputs = normalizeInputs(body['input']);
  const d = body['dimensions'];
  if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_DIMENSIONS)) {
    throw invalidRequestFailure(`dimensions must be an integer from 1 to ${MAX_DIMENSIONS}.`, 'dimensions');
  }
  const dimensions = typeof d === 'number' ? d : defaultDimensions;
  const base64 = body['encoding_format'] === 'base64';
  let promptTokens = 0;
  const data = inputs.map((input, index) => {
    promptTokens += typeof input === 'string' ? tokens(input) : input.length;
    const v = vector(typeof input === 'string' ? input : JSON.stringify(input), dimensions);
    return { object: 'embedding', index, embedding: base64 ? toBase64(v) : v };
  });
  return {
    status: 200,
    usage: { promptTokens, completionTokens: 0 },
    json: { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
  };
}

/** string | string[] | number[] (one token array) | number[][] → a list of inputs. */
function normalizeInputs(input: unknown): (string | number[])[] {
  let list: unknown[];
  if (typeof input === 'string') list = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'number')) list = [input];
  else if (Array.isArray(input)) list = input;
  else throw invalidRequestFailure('input must be a string, an array of strings or an array of token arrays.', 'input');
  if (list.length === 0 || list.length > MAX_INPUTS) throw invalidRequestFailure(`input must have 1 to ${MAX_INPUTS} items.`, 'input');
  return list.map((x, i) => {
    if (typeof x === 'string' && x !== '') return x;
    if (Array.isArray(x) && x.length > 0 && x.every((t) => Number.isInteger(t))) return x as number[];
    throw invalidRequestFailure('each input must be a non-empty string or token array.', `input[${i}]`);
  });
}

/** Counter-mode SHA-256 stream of the input, mapped to [-1, 1) and scaled to unit length. */
export function vector(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  const v: number[] = new Array<number>(dimensions);
  let norm = 0;
  for (let block = 0, i = 0; i < dimensions; block++) {
    const bytes = createHash('sha256').update(seed).update(String(block)).digest();
    for (let o = 0; o < 32 && i < dimensions; o += 4, i++) {
      const x = bytes.readUInt32LE(o) / 0x80000000 - 1;
      v[i] = x;
      norm += x * x;
    }
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) v[i] = v[i]! * scale;
  return v;
}

function toBase64(v: number[]): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString('base64');
}
