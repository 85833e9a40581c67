/**
 * `anthropic`: Claude through the Messages API. Clients keep speaking OpenAI chat completions;
 * request.ts, response.ts and stream.ts translate both ways. Embeddings and responses are not
 * offered (Anthropic has no embeddings; the Responses API has no Anthropic equivalent).
 */
import { z } from 'zod';
import type { CommonTargetOptions, ProviderDescriptor, ProviderTarget, UpstreamSuccess } from '../provider.ts';
import { UpstreamHttp } from '../../upstream-http.ts';
import { invalidRequestFailure, isObject } from '../../upstream-failures.ts';
import { baseUrlSchema, commonOptions, httpTimeouts, secretSchema, toSecret } from '../options.ts';
import { toAnthropicRequest } from './request.ts';
import { toChatCompletion } from './response.ts';
import { translateStream } from './stream.ts';

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_MAX_TOKENS = 4096;

export const anthropicOptionsSchema = z.strictObject({
  provider: z.literal('anthropic'),
  baseUrl: baseUrlSchema('Base URL of the Anthropic API, without /v1.').default('https://api.anthropic.com'),
  apiKey: secretSchema('API key, sent as the x-api-key header.'),
  anthropicVersion: z.string().min(1).default(DEFAULT_ANTHROPIC_VERSION).describe('The anthropic-version header.'),
  model: z.string().min(1).describe("Upstream model name, e.g. claude-sonnet-4-5; replaces the client's model."),
  maxTokens: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_TOKENS)
    .describe('max_tokens when the client sends neither max_tokens nor max_completion_tokens (Anthropic requires one).'),
});

export type AnthropicOptions = z.infer<typeof anthropicOptionsSchema> & CommonTargetOptions;

export const anthropicProvider: ProviderDescriptor<AnthropicOptions> = {
  id: 'anthropic',
  version: '1.0.0',
  description: 'Anthropic Claude (Messages API), translated from and to OpenAI chat completions.',
  operations: ['chat.completions'],
  optionsSchema: anthropicOptionsSchema,
  create(options, ctx): ProviderTarget {
    const key = toSecret(options.apiKey);
    const version = options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION;
    const defaults = { model: options.model, maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS };
    const http = new UpstreamHttp({ baseUrl: options.baseUrl, ...httpTimeouts(options) });
    // Tolerate a base URL given with /v1, as the OpenAI-style URLs people copy have it.
    const path = http.basePath.endsWith('/v1') ? '/messages' : '/v1/messages';

    async function call(op: string, body: Record<string, unknown>, opts: { stream: boolean; signal: AbortSignal }): Promise<UpstreamSuccess> {
      if (op !== 'chat.completions') throw invalidRequestFailure(`${op} is not supported by Anthropic deployments.`);
      const payload = toAnthropicRequest(body, defaults, opts.stream);
      const req = {
        path,
        headers: { 'x-api-key': key.reveal(), 'anthropic-version': version },
        body: JSON.stringify(payload),
        signal: opts.signal,
      };
      const created = Math.floor(Date.now() / 1000);
      if (!opts.stream) {
        const { status, json } = await http.json(req);
        const out = toChatCompletion(json, created);
        return { status, json: out.json, usage: out.usage };
      }
      const so = body['stream_options'];
      const injected = !(isObject(so) && so['include_usage'] === true);
      const { status, events } = await http.sse(req);
      const t = translateStream(events, { injected, created });
      return { status, events: t.events, streamUsage: t.usage, injectedUsage: injected };
    }

    return {
      label: `anthropic:${ctx.deployment}#${ctx.index}`,
      provider: 'anthropic',
      options: commonOptions(options),
      supports: (op) => op === 'chat.completions',
      call,
      close: () => http.close(),
    };
  },
};
