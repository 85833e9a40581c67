/**
 * `echo`: a local stand-in for an LLM, for trying Rampart without one. It never opens a network
 * connection. Chat and Responses answer "Echo: <last user message>" (streamed word by word when
 * asked), with token usage from a real tokenizer; embeddings are deterministic hash-derived
 * vectors. Not a model: do not route real traffic to it.
 */
import { z } from 'zod';
import type { CommonTargetOptions, Operation, ProviderDescriptor, ProviderTarget, UpstreamSuccess } from '../provider.ts';
import { commonOptions } from '../options.ts';
import { delay } from './text.ts';
import { echoChat } from './chat.ts';
import { echoEmbeddings, MAX_DIMENSIONS } from './embeddings.ts';
import { echoResponses } from './responses.ts';

export const echoOptionsSchema = z.strictObject({
  provider: z.literal('echo'),
  model: z.string().min(1).default('echo-1').describe('Model name reported in answers.'),
  delayMs: z.number().int().min(0).max(60_000).default(0).describe('Wait before answering (streams: before the first chunk), to mimic a model.'),
  dimensions: z.number().int().min(1).max(MAX_DIMENSIONS).default(256).describe('Embedding size when the request does not set dimensions.'),
});

export type EchoOptions = z.infer<typeof echoOptionsSchema> & CommonTargetOptions;

const OPERATIONS: readonly Operation[] = ['chat.completions', 'embeddings', 'responses'];

export const echoProvider: ProviderDescriptor<EchoOptions> = {
  id: 'echo',
  version: '1.0.0',
  description: 'Local echo for trying Rampart without an LLM: repeats the last user message. No network.',
  operations: OPERATIONS,
  optionsSchema: echoOptionsSchema,
  create(options, ctx): ProviderTarget {
    const settings = { model: options.model ?? 'echo-1', delayMs: options.delayMs ?? 0 };
    const dimensions = options.dimensions ?? 256;
    return {
      label: `echo:${ctx.deployment}#${ctx.index}`,
      provider: 'echo',
      options: commonOptions(options),
      supports: (op) => OPERATIONS.includes(op),
      async call(op, body, opts): Promise<UpstreamSuccess> {
        switch (op) {
          case 'chat.completions':
            if (!opts.stream) await delay(settings.delayMs, opts.signal);
            return echoChat(body, opts.stream, opts.signal, settings);
          case 'responses':
            if (!opts.stream) await delay(settings.delayMs, opts.signal);
            return echoResponses(body, opts.stream, opts.signal, settings);
          case 'embeddings':
            await delay(settings.delayMs, opts.signal);
            return echoEmbeddings(body, settings.model, dimensions);
        }
      },
      close: async () => undefined,
    };
  },
};
