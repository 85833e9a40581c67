/**
 * The per-deployment `spotlight` block: how untrusted content (tool results, retrieved documents)
 * is marked before it reaches the model, after Hines et al., "Defending Against Indirect Prompt
 * Injection Attacks With Spotlighting" (Microsoft, 2024, arXiv:2403.14720). Off by default: every
 * mode changes what the model reads, and `encode` needs a model that reads base64 well.
 */
import { z } from 'zod';

export const SPOTLIGHT_MODES = ['off', 'delimit', 'datamark', 'encode'] as const;
export type SpotlightMode = (typeof SPOTLIGHT_MODES)[number];

/** Channels whose text may be spotlighted; system prompts and answers never are. */
export const SPOTLIGHT_CHANNELS = ['document', 'user'] as const;
export type SpotlightChannel = (typeof SPOTLIGHT_CHANNELS)[number];

export const spotlightSchema = z
  .strictObject({
    mode: z
      .enum(SPOTLIGHT_MODES)
      .default('off')
      .describe(
        'off; delimit: wrap each untrusted text in random per-request tags the system prompt names; datamark: join its words with a marker ' +
          'character; encode: base64 (for models that read it well). The system prompt gets a sentence saying the marked text is data.',
      ),
    channels: z
      .array(z.enum(SPOTLIGHT_CHANNELS))
      .min(1)
      .default(['document'])
      .describe(
        'Which texts are marked: document (tool results, function outputs, documents) and, for applications that put documents in ' +
          'user turns, user (then the model treats everything the user typed as data too).',
      ),
    marker: z
      .string()
      .regex(/^(\S|random)$/u, 'must be one non-space character, or random')
      .default('\u02c6')
      .describe(
        'datamark: the character that replaces whitespace. Default ˆ (U+02C6, as in the paper); random picks a character of the Unicode ' +
          'private use area per request, which the model has less practice reading.',
      ),
  })
  .describe('Spotlighting of untrusted content against indirect prompt injection.');

export type SpotlightConfig = z.output<typeof spotlightSchema>;
