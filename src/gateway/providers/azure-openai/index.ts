/**
 * `azure-openai`: an Azure OpenAI deployment. Same wire format as OpenAI; the deployment is in the
 * URL and the version in `api-version`:
 *   {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...
 *   {endpoint}/openai/deployments/{deployment}/embeddings?api-version=...
 *   {endpoint}/openai/v1/responses   (the v1 API: no api-version, `model` is the deployment name)
 * Auth is an `api-key` header, a fixed bearer token, or — preferred — Microsoft Entra ID tokens
 * that Rampart obtains and refreshes itself (`entra`: workload identity federation, a certificate
 * or a client secret of an app registration; identity/client-credentials.ts), so no resource key
 * needs to exist at all.
 */
import { z } from 'zod';
import type { CommonTargetOptions, Operation, ProviderDescriptor, ProviderTarget } from '../provider.ts';
import { UpstreamHttp } from '../../upstream-http.ts';
import { baseUrlSchema, commonOptions, httpTimeouts, secretSchema, toSecret } from '../options.ts';
import { callOpenAiWire, type OpenAiWire } from '../openai-wire.ts';
import { entraCredentialSchema } from '../../../config/upstream-credential.ts';
import { entraTokenSource } from '../../../identity/client-credentials.ts';
import { credentialFailure } from '../../upstream-failures.ts';

/** The GA data-plane version with stream_options.include_usage, tools and multimodal input. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export const azureOpenAiOptionsSchema = z
  .strictObject({
    provider: z.literal('azure-openai'),
    endpoint: baseUrlSchema('Resource endpoint, e.g. https://NAME.openai.azure.com'),
    deployment: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only').describe('Azure deployment name.'),
    apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'a date such as 2024-10-21').default(DEFAULT_AZURE_API_VERSION).describe('The api-version query parameter.'),
    apiKey: secretSchema('Resource key, sent as the api-key header.').optional(),
    bearerToken: secretSchema('Microsoft Entra access token, sent as Authorization: Bearer.').optional(),
    entra: entraCredentialSchema.optional(),
  })
  .superRefine((o, ctx) => {
    if ([o.apiKey, o.bearerToken, o.entra].filter((v) => v !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'set exactly one of apiKey, bearerToken and entra' });
    }
  });

export type AzureOpenAiOptions = z.infer<typeof azureOpenAiOptionsSchema> & CommonTargetOptions;

export const azureOpenAiProvider: ProviderDescriptor<AzureOpenAiOptions> = {
  id: 'azure-openai',
  version: '1.0.0',
  description: 'Azure OpenAI deployment (Entra ID tokens, api-key or bearer token).',
  operations: ['chat.completions', 'embeddings', 'responses'],
  optionsSchema: azureOpenAiOptionsSchema,
  create(options, ctx): ProviderTarget {
    const deployment = encodeURIComponent(options.deployment);
    const query = `?api-version=${encodeURIComponent(options.apiVersion ?? DEFAULT_AZURE_API_VERSION)}`;
    const paths: Record<Operation, string> = {
      'chat.completions': `/openai/deployments/${deployment}/chat/completions${query}`,
      embeddings: `/openai/deployments/${deployment}/embeddings${query}`,
      responses: '/openai/v1/responses',
    };
    const apiKey = options.apiKey === undefined ? undefined : toSecret(options.apiKey);
    const token = options.bearerToken === undefined ? undefined : toSecret(options.bearerToken);
    // Built here, at start-up: a bad certificate or key stops start-up, not the first request.
    const entra = options.entra === undefined ? undefined : entraTokenSource(options.entra);
    const http = new UpstreamHttp({ baseUrl: options.endpoint, ...httpTimeouts(options) });
    const wire: OpenAiWire = {
      http,
      path: (op) => paths[op],
      // No request id header: Azure wants x-ms-client-request-id to be a GUID, ours are not.
      async headers() {
        const h: Record<string, string> = {};
        if (apiKey !== undefined) h['api-key'] = apiKey.reveal();
        else if (token !== undefined) h['authorization'] = `Bearer ${token.reveal()}`;
        else if (entra !== undefined) {
          try {
            h['authorization'] = `Bearer ${(await entra.token()).reveal()}`;
          } catch (e) {
            throw credentialFailure(e); // retryable: the next target may use another credential
          }
        }
        return h;
      },
      // A 401 means the token was revoked or its role assignment removed: fetch a new one next time.
      onUnauthorized: () => entra?.invalidate(),
      // Ignored on the deployments paths; names the deployment on the v1 Responses API.
      model: options.deployment,
      streamUsage: true,
    };
    return {
      label: `azure-openai:${ctx.deployment}#${ctx.index}`,
      provider: 'azure-openai',
      options: commonOptions(options),
      supports: (op) => op in paths,
      call: (op, body, opts) => callOpenAiWire(wire, op, body, opts),
      close: () => http.close(),
    };
  },
};
