/**
 * A minimal OpenID provider on 127.0.0.1 for tests: discovery document, JWKS, and token minting
 * with jose. Keys can be added and removed (rotation), the server can be stopped (outage), made to
 * answer 500 or hang, and its metadata can claim another issuer (mix-up).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface IdpKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export type IdpMode = 'ok' | 'error' | 'hang';

export interface SignOptions {
  kid?: string;
  alg?: string;
  typ?: string;
  /** Extra protected-header parameters (jku, jwk, x5u ... for attack tests). */
  header?: Record<string, unknown>;
  /** Omit these standard claims. */
  omit?: readonly ('iss' | 'aud' | 'exp' | 'iat' | 'sub')[];
  /** Seconds since the epoch used for iat/exp defaults. Default: Date.now(). */
  now?: number;
}

export class LocalIdp {
  readonly #server: Server;
  readonly keys = new Map<string, IdpKey>();
  /** Requests served per path. */
  readonly hits = { discovery: 0, jwks: 0 };
  mode: IdpMode = 'ok';
  /** When set, discovery advertises this issuer instead of the real one. */
  metadataIssuer: string | undefined;
  issuer = '';
  #hanging = new Set<ServerResponse>();

  private constructor() {
    this.#server = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path.endsWith('/.well-known/openid-configuration')) this.hits.discovery++;
      else if (path.endsWith('/jwks')) this.hits.jwks++;
      if (this.mode === 'hang') {
        this.#hanging.add(res);
        return;
      }
      if (this.mode === 'error') {
        res.writeHead(500).end('boom');
        return;
      }
      if (path === '/.well-known/openid-configuration') {
        json(res, { issuer: this.metadataIssuer ?? this.issuer, jwks_uri: this.jwksUri, id_token_signing_alg_values_supported: ['RS256'] });
      } else if (path === '/jwks') {
        json(res, { keys: [...this.keys.values()].map((k) => k.publicJwk) });
      } else {
        res.writeHead(404).end();
      }
    });
  }

  static async start(): Promise<LocalIdp> {
    const idp = new LocalIdp();
    await new Promise<void>((resolve) => idp.#server.listen(0, '127.0.0.1', resolve));
    const { port } = idp.#server.address() as AddressInfo;
    idp.issuer = `http://127.0.0.1:${port}`;
    await idp.addKey('RS256', 'key-1');
    return idp;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  async addKey(alg = 'RS256', kid = `key-${this.keys.size + 1}`): Promise<IdpKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const key = { kid, alg, privateKey, publicKey, publicJwk };
    this.keys.set(kid, key);
    return key;
  }

  removeKey(kid: string): void {
    this.keys.delete(kid);
  }

  /** Mints a token signed by one of this IdP's keys (default: the first). */
  async sign(claims: JWTPayload = {}, opts: SignOptions = {}): Promise<string> {
    const key = opts.kid !== undefined ? this.keys.get(opts.kid) : this.keys.values().next().value;
    if (key === undefined) throw new Error('no such key');
    return signWith(key.privateKey, { alg: opts.alg ?? key.alg, kid: key.kid, ...opts }, this.defaults(claims, opts));
  }

  defaults(claims: JWTPayload, opts: SignOptions = {}): JWTPayload {
    const now = opts.now ?? Math.floor(Date.now() / 1000);
    const base: JWTPayload = { iss: this.issuer, aud: 'rampart', sub: 'alice', iat: now, exp: now + 300, ...claims };
    for (const c of opts.omit ?? []) delete base[c];
    return base;
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Signs `claims` with any key (also attacker keys) and arbitrary header parameters. */
export async function signWith(
  key: CryptoKey | Uint8Array,
  opts: { alg: string; kid?: string | undefined; typ?: string | undefined; header?: Record<string, unknown> | undefined },
  claims: JWTPayload,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: opts.alg,
      ...(opts.kid !== undefined ? { kid: opts.kid } : {}),
      ...(opts.typ !== undefined ? { typ: opts.typ } : {}),
      ...opts.header,
    })
    .sign(key);
}

/** An unsecured JWT (alg "none", empty signature): RFC 7519 §6. */
export function unsecuredJwt(claims: JWTPayload, header: Record<string, unknown> = {}): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT', ...header })}.${enc(claims)}.`;
}

/** Replaces the payload of a signed token, keeping its header and signature. */
export function withPayload(token: string, claims: JWTPayload): string {
  const [h, , s] = token.split('.');
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}
