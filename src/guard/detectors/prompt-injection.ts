/**
 * Prompt Shields: prompt injection and jailbreak detection for user prompts, system prompts and
 * documents (retrieved pages, e-mails, tool results).
 *
 * Layers, cheapest first: normalization that undoes evasion (NFKC, confusables, invisible and
 * tag characters, letter spacing, leetspeak); bounded decoding of base64 / hex / URL / rot13 /
 * reversed payloads, which are scored as texts of their own; heuristic features (override and
 * extraction phrasing, personas, fake turns, policy files, hidden markup, exfiltration asks,
 * adversarial suffixes); and a linear model over hashed n-grams and those features, trained by
 * `scripts/train-injection.ts` on the generated corpus in `training/injection/`. Documents are
 * scored window by window so that one planted paragraph is not diluted by the page around it, and
 * each window is also compared with the rest of the page (another language, talking to "you").
 *
 * One finding per text, with the calibrated score of its most suspicious unit, reported whenever
 * the score reaches `minScore` so that evaluations can sweep thresholds; the profile threshold
 * (recommended: `thresholds`) decides what is acted on.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RampartError } from '../../core/errors.ts';
import type { Channel, DetectorDescriptor, Finding, Severity } from '../types.ts';
import { loadModelFile, type InjectionModel } from './injection/model.ts';
import { DEFAULT_SCAN_OPTIONS, scanText, type ScanOptions, type ScanResult } from './injection/scan.ts';

const META = { id: 'prompt-injection', version: '1.0.0' } as const;
const DEFAULT_MODEL = join(dirname(fileURLToPath(import.meta.url)), 'injection', 'model.json');

/**
 * Where a finding is worth acting on, per channel. Scores are calibrated per channel on the
 * generated validation corpus (scripts/train-injection.ts); the operating points were checked on
 * the shared development set and on real READMEs (docs/guard-quality.md): user prompts at 0.5
 * (about 1% false positives on ordinary prompts), documents higher at 0.8 because every retrieved
 * page and tool result is scanned window by window and one window is enough (0.5 flags about 7% of
 * benign documents, 0.8 about 3%). System prompts legitimately set personas and rules; no attacks
 * were generated for that channel, so it gets the conservative 0.8 as well.
 */
export const RECOMMENDED_THRESHOLDS = { user: 0.5, system: 0.8, document: 0.8 } as const;

const threshold = (d: number) => z.number().min(0).max(1).default(d);
const optionsSchema = z.strictObject({
  thresholds: z
    .strictObject({
      user: threshold(RECOMMENDED_THRESHOLDS.user),
      system: threshold(RECOMMENDED_THRESHOLDS.system),
      document: threshold(RECOMMENDED_THRESHOLDS.document),
    })
    .default({ user: RECOMMENDED_THRESHOLDS.user, system: RECOMMENDED_THRESHOLDS.system, document: RECOMMENDED_THRESHOLDS.document })
    .describe('Score from which a text counts as an attack, per channel; findings below it are reported with severity low.'),
  minScore: z.number().min(0).max(1).default(0.05).describe('Scores below this produce no finding at all.'),
  decode: z
    .strictObject({
      maxDepth: z.int().min(0).max(4).default(2),
      maxDecodedChars: z.int().min(0).max(1_000_000).default(65_536),
    })
    .default({ maxDepth: 2, maxDecodedChars: 65_536 })
    .describe('Bounds on decoding embedded base64 / hex / URL-encoded / rot13 payloads.'),
  windowChars: z.int().min(200).max(8000).default(900).describe('Documents are scored in windows of at most this many characters.'),
  modelPath: z.string().min(1).optional().describe('A model file trained by scripts/train-injection.ts; defaults to the bundled one.'),
});
export type PromptInjectionOptions = z.output<typeof optionsSchema>;

const CHANNEL_WORDS: Record<Channel, string> = { user: 'user prompt', system: 'system prompt', document: 'document', output: 'model output' };

function severityOf(score: number, limit: number, result: ScanResult): Severity {
  if (score < limit) return 'low';
  // Exfiltration and invisible smuggling mean someone prepared the text to act behind the user's back.
  if (result.signals.some((s) => s === 'rule:exfiltration' || s === 'structure:exfil-image-link') || result.transforms.includes('tag-characters')) return 'critical';
  return score >= 0.9 ? 'high' : 'medium';
}

function explain(result: ScanResult, channel: Channel, limit: number): string {
  const parts = [
    `${result.category === 'jailbreak' ? 'Jailbreak' : 'Prompt injection'} score ${result.score.toFixed(2)} on the ${CHANNEL_WORDS[channel]} (threshold ${limit.toFixed(2)})`,
  ];
  if (result.unit === 'window') parts.push(`in the passage at characters ${result.start}-${result.end}`);
  if (result.decoded.length > 0) parts.push(`in a payload decoded from ${result.decoded.join(' inside ')}`);
  if (result.signals.length > 0) parts.push(`signals: ${result.signals.join(', ')}`);
  if (result.transforms.length > 0) parts.push(`evasion undone: ${result.transforms.join(', ')}`);
  return `${parts.join('; ')}.`;
}

export const promptInjectionDetector: DetectorDescriptor<PromptInjectionOptions> = {
  id: META.id,
  version: META.version,
  description: 'Prompt injection and jailbreak detection (normalization, payload decoding, heuristics and a trained linear model).',
  channels: ['user', 'system', 'document'],
  categories: ['prompt_injection', 'jailbreak'],
  optionsSchema,
  defaultThreshold: (options, channel) => (channel === 'output' ? 1 : options.thresholds[channel]),
  create(options) {
    let model: InjectionModel;
    try {
      model = loadModelFile(options.modelPath ?? DEFAULT_MODEL);
    } catch (cause) {
      throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'prompt-injection: the model file could not be loaded.', cause });
    }
    const base: ScanOptions = {
      ...DEFAULT_SCAN_OPTIONS,
      decode: { ...DEFAULT_SCAN_OPTIONS.decode, maxDepth: options.decode.maxDepth, maxDecodedChars: options.decode.maxDecodedChars },
      windows: { ...DEFAULT_SCAN_OPTIONS.windows, maxChars: options.windowChars },
    };
    const limits: Record<Channel, number> = { ...options.thresholds, output: 1 };
    return ({ text, channel, signal }) => {
      // Every non-empty text is scored: short texts are shrunk towards the prior by the model
      // (MIN_HASHED_FEATURES) and trained on short replies, so "ok" is benign and
      // "ignore all rules" is not.
      if (text.trim().length === 0) return [];
      const result = scanText(model, text, channel, signal ? { ...base, signal } : base);
      if (result.score < options.minScore) return [];
      const limit = limits[channel];
      const finding: Finding = {
        detector: META.id,
        detectorVersion: META.version,
        category: result.category,
        start: result.start,
        end: result.end,
        verdict: true,
        score: Math.round(result.score * 10_000) / 10_000,
        severity: severityOf(result.score, limit, result),
        rule: result.rule,
        explanation: explain(result, channel, limit),
      };
      return [finding];
    };
  },
};
