/**
 * `openai`: OpenAI itself, or any server that speaks its API (vLLM, Ollama, LM Studio, llama.cpp).
 * Requests and answers pass through unchanged but for the model name; chat streams always carry
 * a final usage chunk so that token limits can be reconciled.
 */
import { z } from 'zod';
import type { CommonTargetOptions, Operation, ProviderDescriptor, ProviderTarget } from '../provider.ts';
import type { Secret } from '../../../core/secret.ts';
import { UpstreamHttp } from '../../upstream-http.ts';
import { baseUrlSchema, commonOptions, httpTimeouts, isLoopbackHost, secretSchema, toSecret } from '../options.ts';
import { callOpenAiWire, type OpenAiWire } from '../openai-wire.ts';

const PATHS: Record<Operation, string> = {
  'chat.completions': '/chat/completions',
  embeddings: '/embeddings',
  responses: '/responses',
};

export const openaiOptionsSchema = z
  .strictObject({
    provider: z.literal('openai'),
    baseUrl: baseUrlSchema('Base URL of the OpenAI API or a compatible server (vLLM: http://127.0.0.1:8000/v1, Ollama: http://127.0.0.1:11434/v1).', true).default(
      'https://api.openai.com/v1',
    ),
    allowHttp: z.boolean().default(false).describe('Allow plain http to a non-loopback host (a compatible server on a trusted network).'),
    apiKey: secretSchema('API key, sent as a bearer token. Optional for local servers.').optional(),
    organization: z.string().min(1).optional().describe('OpenAI organization id (OpenAI-Organization header).'),
    project: z.string().min(1).optional().describe('OpenAI project id (OpenAI-Project header).'),
    model: z.string().min(1).describe("Upstream model name; replaces the client's model, which names the deployment."),
    streamUsage: z
      .boolean()
      .default(true)
      .describe('Ask chat streams for a final usage chunk (stream_options.include_usage). Turn off only for servers that reject it.'),
  })
  .superRefine((o, ctx) => {
    if (o.allowHttp) return;
    const url = URL.parse(o.baseUrl);
    if (url !== null && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'must be an https URL or a loopback http URL (set allowHttp: true for a server on a trusted network)',
      });
    }
  });

export type OpenAiOptions = z.infer<typeof openaiOptionsSchema> & CommonTargetOptions;

export const openaiProvider: ProviderDescriptor<OpenAiOptions> = {
  id: 'openai',
  version: '1.0.0',
  description: 'OpenAI or any OpenAI-compatible server (vLLM, Ollama, LM Studio).',
  operations: ['chat.completions', 'embeddings', 'responses'],
  optionsSchema: openaiOptionsSchema,
  create(options, ctx): ProviderTarget {
    const key: Secret | undefined = options.apiKey === undefined ? undefined : toSecret(options.apiKey);
    const { organization, project } = options;
    const http = new UpstreamHttp({ baseUrl: options.baseUrl, ...httpTimeouts(options) });
    const wire: OpenAiWire = {
      http,
      path: (op) => PATHS[op],
      headers(requestId) {
        const h: Record<string, string> = { 'x-request-id': requestId };
        if (key !== undefined) h['authorization'] = `Bearer ${key.reveal()}`;
        if (organization !== undefined) h['openai-organization'] = organization;
        if (project !== undefined) h['openai-project'] = project;
        return h;
      },
      model: options.model,
      // Options come parsed by the schema; `!== false` keeps the default if a caller skipped it.
      streamUsage: options.streamUsage !== false,
    };
    return {
      label: `openai:${ctx.deployment}#${ctx.index}`,
      provider: 'openai',
      options: commonOptions(options),
      supports: (op) => op in PATHS,
      call: (op, body, opts) => callOpenAiWire(wire, op, body, opts),
      close: () => http.close(),
    };
  },
};
