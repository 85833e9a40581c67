/**
 * A text classifier in ONNX format, loaded from a local directory: the optional model hook of
 * the guard engine. Meant for prompt-injection and jailbreak classifiers exported from Hugging
 * Face (Prompt Guard, DeBERTa prompt-injection models), and usable for any sequence classifier
 * whose labels a profile maps to categories (a toxicity model to `content.hate`, …).
 *
 * The directory holds what a Hugging Face ONNX export holds: `model.onnx` (or `modelFile`),
 * `tokenizer.json` and `tokenizer_config.json` (tokenized by `@huggingface/tokenizers`), and
 * usually `config.json`, whose `id2label` names the outputs. Nothing is downloaded: a missing
 * file is a configuration error at start-up.
 *
 * The runtime is `onnxruntime-node` (native, fastest) when installed, else `onnxruntime-web`
 * (WebAssembly). Neither is a dependency of Rampart: install one next to it to use this detector.
 *
 * Long texts are cut into chunks at whitespace that fit the model's token window, with an overlap
 * so a payload on a boundary is read whole at least once; each chunk is scored and the text's
 * score per label is the highest. Runs on one session are serialized (one inference at a time).
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import type { DetectFn, DetectInput, DetectorDescriptor, Finding } from '../types.ts';
import { sigmoid } from './injection/model.ts';

const VERSION = '1.0.0';

const options = z.strictObject({
  path: z.string().min(1).describe('Directory of the exported model (model.onnx, tokenizer.json, tokenizer_config.json, config.json). Relative paths are resolved from the working directory.'),
  modelFile: z.string().min(1).default('model.onnx').describe('The ONNX file inside `path` (Hugging Face exports also use onnx/model.onnx or model_quantized.onnx).'),
  labels: z
    .record(z.string(), z.string().regex(/^(?:prompt_injection|jailbreak|(?:content|custom)\.[a-z0-9_]{1,48})$/, 'must be prompt_injection, jailbreak, content.<name> or custom.<name>'))
    .default({ INJECTION: 'prompt_injection', JAILBREAK: 'jailbreak', MALICIOUS: 'prompt_injection' })
    .describe('Output label (from config.json id2label, or labelNames) to the category it reports. Labels not listed are not reported (SAFE, BENIGN, …).'),
  labelNames: z.array(z.string().min(1)).min(1).optional().describe('Names of the outputs in order, for models without config.json.'),
  outputs: z.enum(['logits', 'probabilities']).default('logits').describe('What the model outputs: logits (softmax is applied; a single logit gets a sigmoid) or probabilities.'),
  threshold: z.number().min(0).max(1).default(0.5).describe('Score from which a label counts, unless the profile sets thresholds of its own.'),
  maxTokens: z.int().min(16).max(8192).default(512).describe("The model's window, special tokens included."),
  maxChunks: z.int().min(1).max(4096).default(64).describe('At most this many windows are scored per text (about 4 characters per token): the rest of a longer text is not read by this detector.'),
  runtime: z.enum(['auto', 'onnxruntime-node', 'onnxruntime-web']).default('auto').describe('auto: onnxruntime-node when installed, else onnxruntime-web.'),
  threads: z.int().min(1).max(64).default(1).describe('Threads per inference (intra-op).'),
  severity: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
});
export type OnnxClassifierOptions = z.output<typeof options>;

/** The part of the onnxruntime API this detector uses (the same in onnxruntime-node and -web). */
interface OrtTensor {
  readonly data: ArrayLike<number> | BigInt64Array;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: number[]) => OrtTensor;
  env: { wasm?: { numThreads?: number } };
}

const requireModule = createRequire(import.meta.url);

function loadRuntime(choice: OnnxClassifierOptions['runtime'], threads: number): { ort: Ort; name: string } {
  const names = choice === 'auto' ? ['onnxruntime-node', 'onnxruntime-web'] : [choice];
  for (const name of names) {
    let ort: Ort;
    try {
      ort = requireModule(name) as Ort;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && choice === 'auto') continue;
      throw new Error(`${name} could not be loaded (${(e as Error).message.split('\n')[0]}): install it next to Rampart (npm install ${name})`);
    }
    if (name === 'onnxruntime-web' && ort.env.wasm) ort.env.wasm.numThreads = threads;
    return { ort, name };
  }
  throw new Error('no ONNX runtime is installed: npm install onnxruntime-node (native) or onnxruntime-web (WebAssembly) next to Rampart');
}

interface Loaded {
  /** The session, and how many scores its first output gives per sequence. */
  readonly session: Promise<{ session: OrtSession; outputs: number }>;
  readonly tokenizer: Tokenizer;
  readonly runtime: string;
  readonly Tensor: Ort['Tensor'];
  /** The tail of the serialized runs on this session. */
  queue: Promise<unknown>;
}

/** Models by file, runtime and threads: two profiles using one model load it once. */
const LOADED = new Map<string, Loaded>();

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${what} (${file}) is not readable JSON: ${(e as Error).message}`);
  }
}

function labelNamesOf(dir: string, o: OnnxClassifierOptions): string[] {
  if (o.labelNames) return o.labelNames;
  const configFile = join(dir, 'config.json');
  if (!existsSync(configFile)) throw new Error(`${dir} has no config.json to name the outputs: set options.labelNames`);
  const id2label = (readJson(configFile, 'config.json') as { id2label?: Record<string, unknown> }).id2label;
  if (!id2label || typeof id2label !== 'object') throw new Error('config.json has no id2label: set options.labelNames');
  const names: string[] = [];
  for (const [k, v] of Object.entries(id2label)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i > 4096 || typeof v !== 'string') throw new Error('config.json id2label is malformed: set options.labelNames');
    names[i] = v;
  }
  if (names.length === 0 || names.some((n) => n === undefined)) throw new Error('config.json id2label has gaps: set options.labelNames');
  return names;
}

function modelDir(o: OnnxClassifierOptions): string {
  const dir = isAbsolute(o.path) ? o.path : resolve(o.path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`model directory ${dir} does not exist`);
  return dir;
}

function load(dir: string, o: OnnxClassifierOptions): Loaded {
  const modelFile = resolve(dir, o.modelFile);
  if (!existsSync(modelFile)) throw new Error(`model file ${modelFile} does not exist`);
  const key = `${realpathSync(modelFile)}\0${o.runtime}\0${o.threads}`;
  const cached = LOADED.get(key);
  if (cached) return cached;

  const tokenizerFile = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerFile)) throw new Error(`${dir} has no tokenizer.json (export the tokenizer with the model)`);
  const tokenizerConfigFile = join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(tokenizerConfigFile) ? readJson(tokenizerConfigFile, 'tokenizer_config.json') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(readJson(tokenizerFile, 'tokenizer.json') as never, tokenizerConfig as never);
  } catch (e) {
    throw new Error(`tokenizer.json could not be loaded: ${(e as Error).message}`);
  }
  const { ort, name } = loadRuntime(o.runtime, o.threads);
  const bytes = new Uint8Array(readFileSync(modelFile));
  const sessionOptions = name === 'onnxruntime-node' ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {};
  const session = ort.InferenceSession.create(bytes, sessionOptions).then(async (s) => {
    if (!s.inputNames.includes('input_ids')) throw new Error(`the model has no input_ids input (inputs: ${s.inputNames.join(', ')})`);
    const unknown = s.inputNames.filter((n) => !['input_ids', 'attention_mask', 'token_type_ids'].includes(n));
    if (unknown.length > 0) throw new Error(`the model needs inputs this detector does not provide: ${unknown.join(', ')}`);
    // One inference before the first request: a model that cannot run stops start-up instead of
    // failing every request, and its output count is checked against the label names.
    const probe = tokenizer.encode('ok') as { ids: number[]; attention_mask: number[] };
    const out = await s.run(feedsFor(ort.Tensor, s, probe.ids, probe.attention_mask));
    return { session: s, outputs: out[s.outputNames[0]!]?.data.length ?? 0 };
  });
  session.catch(() => {}); // reported through `ready` and every detect call, never as an unhandled rejection
  const loaded: Loaded = { session, tokenizer, runtime: name, Tensor: ort.Tensor, queue: Promise.resolve() };
  LOADED.set(key, loaded);
  return loaded;
}

/** The inputs the model declares, for one sequence. */
function feedsFor(Tensor: Ort['Tensor'], session: OrtSession, ids: readonly number[], mask: readonly number[]): Record<string, OrtTensor> {
  const n = ids.length;
  const feeds: Record<string, OrtTensor> = { input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]) };
  if (session.inputNames.includes('attention_mask')) feeds.attention_mask = new Tensor('int64', BigInt64Array.from(mask, BigInt), [1, n]);
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new Tensor('int64', new BigInt64Array(n), [1, n]);
  return feeds;
}

interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly ids: readonly number[];
  readonly mask: readonly number[];
}

/** The end of a chunk that starts at `start` and is about `chars` long: the last whitespace before it, if any is near. */
function cutAt(text: string, start: number, chars: number): number {
  const hard = Math.min(text.length, start + chars);
  if (hard === text.length) return hard;
  for (let i = hard; i > start + chars / 2; i--) if (/\s/.test(text[i]!)) return i;
  return hard;
}

/**
 * Chunks of `text` whose encodings fit in `maxTokens`: about 4 characters per token to start, cut
 * shorter while a chunk's encoding is too long; consecutive chunks overlap by an eighth.
 */
export function chunkText(tokenizer: Tokenizer, text: string, maxTokens: number, maxChunks: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let chars = maxTokens * 4;
  while (start < text.length && chunks.length < maxChunks) {
    const end = cutAt(text, start, chars);
    const enc = tokenizer.encode(text.slice(start, end)) as { ids: number[]; attention_mask: number[] };
    if (enc.ids.length > maxTokens && end - start > 1) {
      chars = Math.max(1, Math.floor(((end - start) * maxTokens) / enc.ids.length) - 8);
      continue;
    }
    const ids = enc.ids.length > maxTokens ? enc.ids.slice(0, maxTokens) : enc.ids;
    chunks.push({ start, end, ids, mask: enc.attention_mask.slice(0, ids.length) });
    if (end >= text.length) break;
    const next = end - Math.floor((end - start) / 8);
    start = next > start ? next : end;
    // Skip the whitespace the next chunk would start with.
    while (start < text.length && /\s/.test(text[start]!)) start++;
    chars = maxTokens * 4;
  }
  return chunks;
}

function scores(raw: readonly number[], outputs: OnnxClassifierOptions['outputs']): number[] {
  if (outputs === 'probabilities') return raw.map((x) => Math.min(1, Math.max(0, x)));
  if (raw.length === 1) return [sigmoid(raw[0]!)];
  const max = Math.max(...raw);
  const exps = raw.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function abortError(): Error {
  return Object.assign(new Error('the time budget ran out'), { name: 'AbortError' });
}

export const onnxClassifierDetector: DetectorDescriptor<OnnxClassifierOptions> = {
  id: 'onnx-classifier',
  version: VERSION,
  description: 'A text classifier in ONNX format from a local directory (Prompt Guard, DeBERTa prompt-injection models, …), run with onnxruntime-node or onnxruntime-web.',
  channels: ['user', 'system', 'document', 'output'],
  categories: ['prompt_injection', 'jailbreak', 'content.', 'custom.'],
  optionsSchema: options,
  defaultThreshold: (o) => o.threshold,
  create(o): DetectFn {
    const dir = modelDir(o);
    const m = load(dir, o);
    const labelNames = labelNamesOf(dir, o);
    const reported = labelNames.map((name, i) => ({ i, name, category: o.labels[name] })).filter((l): l is { i: number; name: string; category: string } => l.category !== undefined);
    if (reported.length === 0) {
      throw new Error(`none of the model's labels (${labelNames.join(', ')}) is in options.labels: map at least one to a category`);
    }
    const run = async (chunk: Chunk, session: OrtSession, signal: AbortSignal | undefined): Promise<number[]> => {
      const feeds = feedsFor(m.Tensor, session, chunk.ids, chunk.mask);
      // One inference at a time per session; a run whose budget ran out while it waited is skipped.
      const result = m.queue.then(() => {
        if (signal?.aborted) throw abortError();
        return session.run(feeds);
      });
      m.queue = result.catch(() => {});
      const out = await result;
      const logits = out[session.outputNames[0]!]!;
      const values = Array.from(logits.data as ArrayLike<number>, Number);
      if (values.length !== labelNames.length) throw new Error(`the model gave ${values.length} outputs for ${labelNames.length} labels`);
      return scores(values, o.outputs);
    };
    const ready = m.session.then(({ outputs }) => {
      if (outputs !== labelNames.length) throw new Error(`the model gives ${outputs} outputs but ${labelNames.length} labels are named (${labelNames.join(', ')})`);
    });
    ready.catch(() => {}); // handled: whoever awaits `ready` (start-up) or calls detect gets the error
    const detect = async ({ text, signal }: DetectInput): Promise<Finding[]> => {
      await ready;
      const { session } = await m.session;
      if (text.trim() === '') return [];
      const chunks = chunkText(m.tokenizer, text, o.maxTokens, o.maxChunks);
      const best = reported.map(() => ({ score: 0, chunk: null as Chunk | null }));
      for (const chunk of chunks) {
        if (signal?.aborted) throw abortError();
        const s = await run(chunk, session, signal);
        reported.forEach((l, j) => {
          if (s[l.i]! > best[j]!.score) best[j] = { score: s[l.i]!, chunk };
        });
      }
      return reported.flatMap((l, j): Finding[] => {
        const { score, chunk } = best[j]!;
        if (chunk === null) return [];
        return [
          {
            detector: 'onnx-classifier',
            detectorVersion: VERSION,
            category: l.category,
            start: chunk.start,
            end: chunk.end,
            verdict: true,
            score,
            severity: o.severity,
            rule: `${o.modelFile} ${l.name}`,
            explanation: `The ONNX classifier (${m.runtime}) scored this part ${score.toFixed(2)} for ${l.name}.`,
          },
        ];
      });
    };
    return Object.assign(detect, { ready });
  },
};
