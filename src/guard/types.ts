/**
 * The guard engine's plugin seam. A detector is one module exporting one `DetectorDescriptor`:
 * metadata (id, version, channels it reads, categories it reports), an options schema checked
 * when a profile is loaded, and a factory that compiles the options once and returns a detect
 * function. Detect functions are pure: same text, same findings; they never log, never see the
 * principal, and never return the matched value itself (only its span).
 */
import type { z } from 'zod';

/**
 * Where a piece of text came from:
 * - `user`: what the caller typed (user turns, and earlier assistant turns the caller replays);
 * - `system`: system and developer prompts;
 * - `document`: untrusted content handed to the model: tool results, retrieved documents, e-mails,
 *   web pages (the indirect-injection channel);
 * - `output`: what the model said.
 */
export type Channel = 'user' | 'system' | 'document' | 'output';
export const CHANNELS: readonly Channel[] = ['user', 'system', 'document', 'output'];

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface Finding {
  /** Detector id and version that produced the finding. */
  readonly detector: string;
  readonly detectorVersion: string;
  /**
   * Dotted category, e.g. `prompt_injection`, `jailbreak`, `pii.email`, `pii.payment_card`,
   * `secret.aws_access_key`, `custom.<rule>`. Profiles map categories (or their prefixes) to actions.
   */
  readonly category: string;
  /** Span in the text the detector was given, as UTF-16 offsets [start, end). Whole-text verdicts span all of it. */
  readonly start: number;
  readonly end: number;
  /**
   * True when the finding is a judgement on the text in [start, end) (a classifier, a judge model, a
   * detector failure) rather than a sensitive value: audit excerpts then show that text as context.
   * Absent: the span is a value (a pattern's match), hidden in every excerpt however long it is.
   * Span actions (mask, placeholder, ...) rewrite [start, end) either way.
   */
  readonly verdict?: boolean;
  /** Confidence in [0, 1]. */
  readonly score: number;
  readonly severity: Severity;
  /** The rule, pattern or model inside the detector that fired. */
  readonly rule: string;
  /** Why, in words a security analyst reads; never contains the matched value. */
  readonly explanation: string;
}

export interface DetectInput {
  readonly text: string;
  readonly channel: Channel;
  /** Fires when the profile's time budget is spent; long-running detectors should stop. */
  readonly signal?: AbortSignal;
}

export type DetectFn = ((input: DetectInput) => readonly Finding[] | Promise<readonly Finding[]>) & {
  /**
   * For detectors that load something asynchronously (a model): settles when they can detect.
   * Start-up awaits it, so a model that cannot be loaded stops the gateway with the reason.
   */
  readonly ready?: Promise<void>;
};

export interface DetectorContext {
  /** Directory models and data files are loaded from (never downloaded at run time). */
  readonly assetsDir: string;
  /**
   * Calls a configured deployment with an OpenAI chat-completions body and resolves with the
   * answer (for judge detectors: Llama Guard, Prompt Guard or any model behind Rampart). Absent in
   * contexts without a gateway (offline eval); such detectors must say so at create time.
   */
  readonly invoke?: (deployment: string, body: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>;
  /**
   * Where the cause of a detector's failure goes (the server's log, the CLI's stderr). Callers and
   * audit records only ever get `guard.error` and the failure kind: an error message may carry
   * internal detail such as a deployment's answer.
   */
  readonly onError?: (detector: string, err: unknown) => void;
}

export interface DetectorDescriptor<O = unknown> {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  /** Channels the detector is meant for; a profile may not enable it on others. */
  readonly channels: readonly Channel[];
  /** Categories it can report (prefixes allowed, e.g. `pii.`). */
  readonly categories: readonly string[];
  readonly optionsSchema: z.ZodType<O>;
  /**
   * The calibrated score from which a finding counts, per channel, when a profile sets no
   * threshold of its own (detectors that report sub-threshold scores for evaluation need this).
   * Absent: every finding counts.
   */
  defaultThreshold?(options: O, channel: Channel): number;
  /**
   * Compiles options once (patterns, models, tables) and returns the detect function.
   * @example
   *   const detect = emailDetector.create(emailDetector.optionsSchema.parse({}), ctx);
   *   detect({ text: 'mail bob@example.org', channel: 'user' }); // [{ category: 'pii.email', start: 5, end: 20, ... }]
   */
  create(options: O, ctx: DetectorContext): DetectFn;
}
