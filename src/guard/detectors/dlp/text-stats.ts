/**
 * Counts every DLP detector can use to skip a text outright: a card needs 12 digits, an SSN 9, a
 * phone 7. Most prompts are prose with a handful of digits, so most numeric recognizers never
 * run a pattern at all. The counts come from the one census pass over the text
 * (normalize/char-census.ts), which the payload finder shares and which is remembered for the
 * text last seen.
 */
import { charCensus, type CharCensus } from '../../normalize/char-census.ts';

/** The whole census: its counts, and what the gates (`letterGate`, `ContextWords.mayOccur`) read. */
export type TextStats = CharCensus;

export function textStats(text: string): TextStats {
  return charCensus(text);
}
