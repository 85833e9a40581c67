/**
 * How Rampart authenticates its own calls to an upstream with a token from Microsoft Entra ID
 * instead of a resource key (the managed-identity analogue for a self-hosted gateway): the OAuth
 * 2.0 client credentials grant (RFC 6749 §4.4) of an app registration, proven by a federated
 * token file (workload identity federation: a Kubernetes projected service-account token or a CI
 * OIDC token, RFC 7523 client assertion), a certificate (private_key_jwt), or a client secret.
 */
import { z } from 'zod';
import { idpUrlProblem } from './idp-url.ts';

const ENTRA_PUBLIC_CLOUD = 'https://login.microsoftonline.com';
/** The audience Azure OpenAI and the other Cognitive Services accept. */
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

const authorityHost = z
  .string()
  .superRefine((v, ctx) => {
    const problem = idpUrlProblem(v);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    else if (new URL(v).pathname !== '/' || new URL(v).search !== '') ctx.addIssue({ code: 'custom', message: 'must be an origin without a path, e.g. https://login.microsoftonline.us' });
  });

export const entraCredentialSchema = z
  .strictObject({
    tenantId: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a tenant id (GUID) or a verified domain').describe('Directory (tenant) of the app registration.'),
    clientId: z.string().min(1).max(256).describe('Application (client) id of the app registration (or user-assigned identity).'),
    scope: z.string().min(1).max(1024).default(COGNITIVE_SERVICES_SCOPE).describe('Scope requested; the default suits Azure OpenAI.'),
    authorityHost: authorityHost.default(ENTRA_PUBLIC_CLOUD).describe('Entra authority for sovereign clouds, e.g. https://login.microsoftonline.us.'),
    federatedTokenFile: z
      .string()
      .min(1)
      .optional()
      .describe('Path of a federated token to present as client assertion (re-read on every refresh: it rotates), e.g. ${env:AZURE_FEDERATED_TOKEN_FILE}.'),
    clientCertificate: z
      .strictObject({
        privateKey: z.string().min(1).describe('PEM private key (RSA or EC P-256), e.g. ${file:/secrets/entra.key}.'),
        certificate: z.string().min(1).describe('PEM certificate registered on the app, e.g. ${file:/secrets/entra.crt}.'),
      })
      .optional()
      .describe('Certificate credential: Rampart signs a client assertion (private_key_jwt) with x5t#S256.'),
    clientSecret: z.string().min(1).optional().describe('Client secret (least preferred: a static secret), e.g. ${env:ENTRA_CLIENT_SECRET}.'),
    refreshBeforeExpirySeconds: z.int().min(30).max(3000).default(300).describe('Fetch a new token this long before the current one expires.'),
    timeoutMs: z.int().min(100).max(60_000).default(10_000).describe('Timeout of one token request.'),
  })
  .superRefine((o, ctx) => {
    const set = [o.federatedTokenFile, o.clientCertificate, o.clientSecret].filter((v) => v !== undefined).length;
    if (set !== 1) ctx.addIssue({ code: 'custom', path: ['federatedTokenFile'], message: 'set exactly one of federatedTokenFile, clientCertificate and clientSecret' });
  })
  .describe('Microsoft Entra ID app credentials: Rampart fetches and refreshes access tokens itself.');

export type EntraCredentialConfig = z.output<typeof entraCredentialSchema>;

/** The v2 token endpoint of a tenant. */
export function entraTokenUrl(c: Pick<EntraCredentialConfig, 'authorityHost' | 'tenantId'>): string {
  return `${new URL(c.authorityHost).origin}/${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`;
}
