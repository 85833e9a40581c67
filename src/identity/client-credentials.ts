/**
 * Access tokens for Rampart's own upstream calls, from an OAuth 2.0 token endpoint with the
 * client credentials grant (RFC 6749 §4.4), authenticated by a client assertion (RFC 7523 §2.2:
 * a federated token read from a file, or one Rampart signs with its certificate key) or a client
 * secret. Tokens are cached until shortly before they expire; one request at a time refreshes
 * them; a refresh that fails while the cached token is still valid keeps the cached one.
 */
import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import { Secret } from '../core/secret.ts';
import { entraTokenUrl, type EntraCredentialConfig } from '../config/upstream-credential.ts';
import { postIdpForm, type FetchLike } from './idp-fetch.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Federated tokens are JWTs of a few KiB; anything larger is not one. */
const MAX_ASSERTION_BYTES = 16 * 1024;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

export type ClientProof =
  | { readonly kind: 'secret'; readonly secret: Secret }
  | { readonly kind: 'assertion-file'; readonly path: string }
  | { readonly kind: 'private-key'; readonly key: KeyObject; readonly alg: 'RS256' | 'ES256'; readonly x5tS256: string };

export interface ClientCredentialsOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scope: string;
  readonly proof: ClientProof;
  readonly refreshBeforeMs: number;
  readonly timeoutMs: number;
  readonly clock?: Clock;
  readonly fetch?: FetchLike;
}

interface Cached {
  readonly token: Secret;
  readonly expiresAt: number;
}

function unavailable(detail: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE', { cause: new Error(detail, { cause }) });
}

/** The proof configured for an Entra app; checks the key and certificate once, at start-up. */
export function entraProof(c: EntraCredentialConfig): ClientProof {
  if (c.federatedTokenFile !== undefined) return { kind: 'assertion-file', path: c.federatedTokenFile };
  if (c.clientSecret !== undefined) return { kind: 'secret', secret: new Secret(c.clientSecret) };
  const { privateKey, certificate } = c.clientCertificate!;
  let key: KeyObject;
  let cert: X509Certificate;
  try {
    key = createPrivateKey(privateKey);
    cert = new X509Certificate(certificate);
  } catch (e) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: `entra.clientCertificate: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (!cert.checkPrivateKey(key)) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'entra.clientCertificate: the private key does not belong to the certificate' });
  const type = key.asymmetricKeyType;
  const alg = type === 'rsa' ? 'RS256' : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256' : null;
  if (alg === null) throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'entra.clientCertificate: use an RSA or EC P-256 key' });
  // Entra identifies the certificate by its SHA-256 thumbprint in the assertion header.
  return { kind: 'private-key', key, alg, x5tS256: createHash('sha256').update(cert.raw).digest('base64url') };
}

/** A token source for an Entra app registration (`entra` option of the azure-openai provider). */
export function entraTokenSource(c: EntraCredentialConfig, deps: { clock?: Clock; fetch?: FetchLike } = {}): ClientCredentialsTokenSource {
  return new ClientCredentialsTokenSource({
    tokenUrl: entraTokenUrl(c),
    clientId: c.clientId,
    scope: c.scope,
    proof: entraProof(c),
    refreshBeforeMs: c.refreshBeforeExpirySeconds * 1000,
    timeoutMs: c.timeoutMs,
    ...deps,
  });
}

export class ClientCredentialsTokenSource {
  readonly #o: ClientCredentialsOptions;
  readonly #clock: Clock;
  #cached: Cached | null = null;
  #inflight: Promise<Cached> | null = null;

  constructor(options: ClientCredentialsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * A current access token; throws RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE when none can be had.
   * @example
   *   headers.authorization = `Bearer ${(await source.token()).reveal()}`;
   */
  async token(): Promise<Secret> {
    const now = this.#clock.now();
    const cached = this.#cached;
    if (cached !== null && now < cached.expiresAt - this.#o.refreshBeforeMs) return cached.token;
    if (cached !== null && now < cached.expiresAt) {
      // Still valid: refresh in the background and go on with it.
      this.#refresh().catch(() => {});
      return cached.token;
    }
    return (await this.#refresh()).token;
  }

  /** Drops the cached token (the upstream refused it). */
  invalidate(): void {
    this.#cached = null;
  }

  #refresh(): Promise<Cached> {
    this.#inflight ??= this.#request().then(
      (c) => {
        this.#inflight = null;
        this.#cached = c;
        return c;
      },
      (e: unknown) => {
        this.#inflight = null;
        throw e;
      },
    );
    return this.#inflight;
  }

  async #form(): Promise<URLSearchParams> {
    const o = this.#o;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: o.clientId, scope: o.scope });
    const p = o.proof;
    if (p.kind === 'secret') {
      form.set('client_secret', p.secret.reveal());
    } else if (p.kind === 'assertion-file') {
      let text: string;
      try {
        text = (await readFile(p.path, 'utf8')).trim();
      } catch (e) {
        throw unavailable(`cannot read the federated token file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e);
      }
      if (text.length === 0 || text.length > MAX_ASSERTION_BYTES || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)) {
        throw unavailable('the federated token file does not hold a JWT');
      }
      form.set('client_assertion_type', ASSERTION_TYPE);
      form.set('client_assertion', text);
    } else {
      const now = Math.floor(this.#clock.now() / 1000);
      // RFC 7523 §3: iss = sub = client id, aud = the token endpoint, short-lived, unique jti.
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: p.alg, typ: 'JWT', 'x5t#S256': p.x5tS256 })
        .setIssuer(o.clientId)
        .setSubject(o.clientId)
        .setAudience(o.tokenUrl)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 300)
        .sign(p.key);
      form.set('client_assertion_type', ASSERTION_TYPE);
      form.set('client_assertion', assertion);
    }
    return form;
  }

  async #request(): Promise<Cached> {
    const started = this.#clock.now();
    const form = await this.#form();
    let answer: { status: number; json: unknown };
    try {
      answer = await postIdpForm(this.#o.tokenUrl, form, { timeoutMs: this.#o.timeoutMs, maxBytes: MAX_TOKEN_RESPONSE_BYTES }, this.#o.fetch);
    } catch (e) {
      throw unavailable('the token endpoint could not be reached', e);
    }
    const body = (typeof answer.json === 'object' && answer.json !== null ? answer.json : {}) as Record<string, unknown>;
    if (answer.status !== 200) {
      // RFC 6749 §5.2: only the error code is kept (the description may quote the request).
      const code = typeof body.error === 'string' ? body.error.slice(0, 64) : 'unknown';
      throw unavailable(`the token endpoint refused the request: ${code}`);
    }
    const token = body.access_token;
    const type = body.token_type;
    const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_RESPONSE_BYTES || !/^[\x21-\x7e]+$/.test(token)) {
      throw unavailable('the token response has no usable access_token');
    }
    if (typeof type !== 'string' || type.toLowerCase() !== 'bearer') throw unavailable('the token response is not a bearer token');
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw unavailable('the token response has no expires_in');
    return { token: new Secret(token), expiresAt: started + expiresIn * 1000 };
  }
}
