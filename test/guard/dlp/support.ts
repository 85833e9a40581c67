/**
 * Helpers for the DLP detector tables: build a detector with its default (or given) options and
 * read back what it found as `[category, matched text]` pairs.
 */
import type { DetectorDescriptor, Finding } from '../../../src/guard/types.ts';

export function detector<O>(d: DetectorDescriptor<O>, options: Record<string, unknown> = {}): (text: string) => Finding[] {
  const detect = d.create(d.optionsSchema.parse(options), { assetsDir: 'assets' });
  return (text) => {
    const out = detect({ text, channel: 'user' });
    if (out instanceof Promise) throw new Error('DLP detectors are synchronous');
    return [...out];
  };
}

/** The matched substrings, in order. */
export function found(findings: readonly Finding[], text: string): string[] {
  return findings.map((f) => text.slice(f.start, f.end));
}

/** Strings that are valid of their kind, embedded in a sentence, must be found exactly. */
export interface Case {
  readonly text: string;
  /** The substrings expected, in order; [] for a hard negative. */
  readonly expect: readonly string[];
  readonly why?: string;
}
