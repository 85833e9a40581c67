/**
 * A real OpenID provider (panva/oidc-provider) on 127.0.0.1 for tests: client credentials grant,
 * RFC 8707 resource indicators issuing RFC 9068 JWT access tokens, and clients that authenticate
 * with private_key_jwt (RFC 7523) — no client secret anywhere.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import Provider from 'oidc-provider';

export interface KeyClient {
  clientId: string;
  privateKey: CryptoKey;
}

export class RealIdp {
  readonly #server: Server;
  readonly issuer: string;
  readonly audience: string;
  readonly clients: KeyClient[];
  /** Requests the token endpoint received (any path ending in /token). */
  tokenRequests = 0;

  private constructor(server: Server, issuer: string, audience: string, clients: KeyClient[]) {
    this.#server = server;
    this.issuer = issuer;
    this.audience = audience;
    this.clients = clients;
  }

  /** Starts the provider with `clientIds` registered as private_key_jwt clients. */
  static async start(opts: {
    audience: string;
    clientIds: string[];
    scopes?: string[];
    /** More clients, as oidc-provider client metadata (client_secret_post, other keys). */
    extraClients?: Record<string, unknown>[];
    /** Route overrides, e.g. { token: '/tenant/oauth2/v2.0/token' } (Entra's shape). */
    routes?: Record<string, string>;
    accessTokenTTL?: number;
  }): Promise<RealIdp> {
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
    let idp: RealIdp | null = null;
    // The issuer URL must be known before the provider exists: listen first, then attach it.
    const server = createServer((req, res) => {
      if (idp && req.method === 'POST' && req.url?.split('?')[0]!.endsWith('/token')) idp.tokenRequests++;
      handler!(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const signing = await generateKeyPair('RS256', { extractable: true });
    const clients: KeyClient[] = [];
    const registered = [];
    for (const clientId of opts.clientIds) {
      const kp = await generateKeyPair('ES256', { extractable: true });
      clients.push({ clientId, privateKey: kp.privateKey });
      registered.push({
        client_id: clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...(await exportJWK(kp.publicKey)), alg: 'ES256', use: 'sig' }] },
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: (opts.scopes ?? ['chat']).join(' '),
      });
    }
    const scopes = opts.scopes ?? ['chat'];
    const ttl = opts.accessTokenTTL ?? 300;
    const provider = new Provider(issuer, {
      clients: [...registered, ...(opts.extraClients ?? [])],
      ...(opts.routes ? { routes: opts.routes } : {}),
      jwks: { keys: [{ ...(await exportJWK(signing.privateKey)), kid: 'op-key-1', alg: 'RS256', use: 'sig' }] },
      scopes,
      ttl: { ClientCredentials: ttl },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => opts.audience,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: scopes.join(' '),
            audience: opts.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttl,
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
    });
    handler = provider.callback();
    idp = new RealIdp(server, issuer, opts.audience, clients);
    return idp;
  }

  /** Runs the client credentials grant for `client`, authenticating with a private_key_jwt assertion. */
  async clientCredentialsToken(client: KeyClient, scope = 'chat'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(this.issuer)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(client.privateKey);
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope,
        resource: this.audience,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (res.status !== 200 || body.access_token === undefined) {
      throw new Error(`token endpoint answered ${res.status}: ${body.error} ${body.error_description}`);
    }
    return body.access_token;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
