/**
 * The `guard` section of rampart.yaml: guard profiles (which detectors run on which channels,
 * their thresholds, the action per category, a time budget and the failure direction), the
 * profile each deployment uses, and overrides per principal or role.
 *
 * Detector options are validated against each detector's own schema when the engine is built
 * (start-up), with the profile path in the error, so a bad option stops start-up.
 */
import { z } from 'zod';
import { spotlightSchema } from './spotlight.ts';

export const GUARD_ACTIONS = ['block', 'mask', 'placeholder', 'pseudonymize', 'neutralize', 'annotate', 'alert'] as const;
export type GuardAction = (typeof GUARD_ACTIONS)[number];

const CHANNEL = z.enum(['user', 'system', 'document', 'output']);
const PROFILE_NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, . _ -');
/** A category (`pii.email`), a prefix (`pii`, `secret`) or `*` for everything else. */
const CATEGORY_KEY = z.string().regex(/^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*)$/, 'must be a dotted category such as pii.email, a prefix such as pii, or *');

export const detectorUseSchema = z
  .strictObject({
    id: z.string().min(1).max(64).describe('Detector id (see docs/guard.md for the list).'),
    channels: z.array(CHANNEL).min(1).optional().describe('Channels to run it on; default: every channel the detector supports.'),
    threshold: z
      .union([z.number().min(0).max(1), z.partialRecord(CHANNEL, z.number().min(0).max(1))])
      .optional()
      .describe('Findings scoring below this are ignored: one number, or one per channel ({ user: 0.5, document: 0.7 }).'),
    options: z.record(z.string(), z.unknown()).default({}).describe("The detector's own options, checked against its schema at start-up."),
  })
  .describe('One detector in a profile.');

export const profileSchema = z
  .strictObject({
    description: z.string().optional(),
    detectors: z.array(detectorUseSchema).default([]),
    actions: z
      .record(CATEGORY_KEY, z.enum(GUARD_ACTIONS))
      .default({ '*': 'annotate' })
      .describe(
        'Action per finding category. The most specific key wins (pii.email over pii over *). ' +
          'block: refuse; mask: replace with ****; placeholder: replace with <TYPE_N>; pseudonymize: placeholder that is ' +
          'restored in the answer, so the model never sees the value; neutralize: replace an image, link, tag or URL with plain text ' +
          '(its alt or link text and [image removed] / [link removed], never the URL); annotate: record only; alert: record and raise an alert.',
      ),
    timeBudgetMs: z
      .int()
      .min(1)
      .max(60_000)
      .default(200)
      .describe('Time all detectors of one request may take together: CPU time for the built-in (synchronous) detectors, the clock for a model or judge.'),
    onError: z
      .enum(['block', 'allow'])
      .default('block')
      .describe('When a detector throws or runs out of time: block (fail closed, the default) or allow. The audit event says which happened.'),
    input: z.boolean().default(true).describe('Scan what is sent to the model (messages, documents, tool results).'),
    output: z.boolean().default(true).describe('Scan what the model answers: plain answers, streams, tool-call arguments, the responses API.'),
    stream: z
      .strictObject({
        holdBackChars: z
          .int()
          .min(16)
          .max(65_536)
          .default(256)
          .describe(
            'Characters of streamed text held back per output stream while it is scanned: a value (secret, card number, leaked prompt run) ' +
              'up to this long is caught before any part of it reaches the client. Larger is safer; the first token waits for this many characters.',
          ),
        contextChars: z.int().min(0).max(4096).default(64).describe('Characters already sent that are scanned again as context (context words of PII detectors).'),
      })
      .default({ holdBackChars: 256, contextChars: 64 })
      .describe('The streaming output guard.'),
    leak: z
      .strictObject({
        systemPrompt: z
          .boolean()
          .default(true)
          .describe('Compare answers with the request\'s system prompt: a verbatim run of minRunWords words (robust to case, spacing, bullets, markdown) is a leak.system_prompt finding.'),
        canary: z
          .boolean()
          .default(false)
          .describe('Plant a fresh random canary token in the system prompt of every request; an answer that reveals it (even spaced out, reversed or encoded) is a leak.canary finding.'),
        minRunWords: z.int().min(4).max(64).default(8).describe('Words a verbatim run of the system prompt needs before it counts as a leak.'),
      })
      .default({ systemPrompt: true, canary: false, minRunWords: 8 })
      .describe('System-prompt leak detection and canaries (actions: leak.system_prompt, leak.canary).'),
    spotlight: spotlightSchema.prefault({}),
    toolPolicy: z
      .string()
      .optional()
      .describe('Name of a toolPolicies entry: which tools the model may be offered and call, argument schemas, definition pins. Absent: tools are not controlled.'),
  })
  .describe('A guard profile.');

export const guardSchema = z
  .strictObject({
    defaultProfile: z
      .string()
      .default('default')
      .describe("Profile for deployments that name none. 'default' is built in (prompt shields + DLP); 'off' disables scanning."),
    profiles: z.record(PROFILE_NAME, profileSchema).default({}).describe('Profiles by name; may redefine the built-in default.'),
    overrides: z
      .array(
        z.strictObject({
          principals: z.array(z.string().min(1)).default([]).describe('Principal ids this override applies to.'),
          roles: z.array(z.string().min(1)).default([]).describe('Roles this override applies to.'),
          deployments: z.array(z.string().min(1)).default(['*']).describe('Deployments it applies to; * for all.'),
          profile: z.string().describe("Profile to use instead, or 'off'."),
        }),
      )
      .default([])
      .describe('Per principal or role: a different profile (first match wins).'),
    excerptChars: z.int().min(0).max(200).default(40).describe('Characters of context kept around a finding in its redacted excerpt.'),
  })
  .describe('The guard engine: prompt shields, DLP and custom rules on prompts, documents and answers.');

export type GuardConfig = z.output<typeof guardSchema>;
export type ProfileConfig = z.output<typeof profileSchema>;
export type DetectorUse = z.output<typeof detectorUseSchema>;
