/**
 * The data plane's authenticate stage: request headers -> Principal.
 *
 * Where credentials are read:
 * - `Authorization: Bearer <credential>` (RFC 6750 §2.1) — the openai SDK, curl, most clients;
 * - `api-key: <key>` (Azure OpenAI clients) and `x-api-key: <key>` (Anthropic-style clients), for
 *   Rampart API keys only.
 * A credential starting with `rk_` is a Rampart API key; a JWS-shaped one (three dot-separated
 * parts) is an OIDC bearer token. Two different credentials in one request are refused rather than
 * guessed between. Credentials are never echoed in errors.
 *
 * Every 401 carries `WWW-Authenticate: Bearer` (RFC 6750 §3): without an error code when no
 * credential was sent (§3.1), with `error="invalid_token"` when one was sent and refused.
 *
 * DPoP (RFC 9449): `Authorization: DPoP <token>` with a `DPoP` proof header is verified against
 * the token's `cnf.jkt`; a DPoP-bound token sent as Bearer is refused (§7.2), so a stolen token
 * is useless without the client's key. With DPoP on, 401s also carry a `DPoP algs=...` challenge.
 */
import { RampartError, isRampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import { Secret } from '../core/secret.ts';
import { looksLikeApiKey } from './api-key-format.ts';
import type { ApiKeyService } from './api-keys.ts';
import type { OidcAuthenticator } from './oidc-authenticator.ts';
import { dpopChallenge, type DpopVerifier } from './dpop.ts';

/** Node's `IncomingHttpHeaders` (lower-case names) or a fetch `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Where the request comes from, for credentials bound to networks and DPoP proofs. */
export interface AuthContext {
  /** The client address after trusted proxies (server/client-ip.ts); null when unknown. */
  readonly sourceIp?: string | null;
  /** The request method and absolute URL as the client used them (DPoP `htm`, `htu`). */
  readonly method?: string;
  readonly url?: string;
}

export interface DpopSettings {
  readonly mode: 'optional' | 'required' | 'disabled';
  readonly algorithms: readonly string[];
  readonly verify: DpopVerifier;
}

export type Authenticate = (headers: HeaderSource, ctx?: AuthContext) => Promise<Principal>;

export interface AuthenticatorDeps {
  /** Verifies bearer JWTs; null when no issuer is configured. */
  oidc: Pick<OidcAuthenticator, 'authenticate'> | null;
  /** Verifies Rampart API keys; null when keys are disabled. */
  apiKeys: Pick<ApiKeyService, 'verify'> | null;
  /** `auth.apiKeys: disabled`: refuse keys with RAMPART_AUTH_KEYS_DISABLED. */
  keysDisabled?: boolean;
  /** RFC 6750 §3 `realm`. Default "rampart". */
  realm?: string;
  /** DPoP proof checking; absent: DPoP disabled. */
  dpop?: DpopSettings;
}

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const JWS_SHAPED = /^[^.]+\.[^.]+\.[^.]*$/;
/** Generous bound; the OIDC authenticator applies the configured per-issuer size afterwards. */
const MAX_CREDENTIAL_CHARS = 65_536;
const KEY_HEADERS = ['api-key', 'x-api-key'] as const;

type Source = 'authorization' | (typeof KEY_HEADERS)[number];
type Scheme = 'bearer' | 'dpop' | null;

function malformed(detail: string): RampartError {
  return new RampartError('RAMPART_AUTH_MALFORMED', { detail });
}

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const v = headers[name];
  if (v === undefined || typeof v === 'string') return v;
  // A credential header sent twice is ambiguous: refuse instead of picking one.
  throw malformed(`Send the ${name} header once.`);
}

function readCredential(headers: HeaderSource): { value: string; source: Source; scheme: Scheme } | null {
  const found: { value: string; source: Source; scheme: Scheme }[] = [];
  const auth = readHeader(headers, 'authorization');
  if (auth !== undefined) {
    const space = auth.indexOf(' ');
    // RFC 7235 §2.1: the scheme is case-insensitive.
    const scheme = space < 0 ? '' : auth.slice(0, space).toLowerCase();
    if (scheme !== 'bearer' && scheme !== 'dpop') throw malformed('Use the Bearer scheme (RFC 6750) or DPoP (RFC 9449).');
    const value = auth.slice(space + 1).trim();
    if (value.length > MAX_CREDENTIAL_CHARS) throw new RampartError('RAMPART_AUTH_TOKEN_TOO_LARGE');
    if (!B64TOKEN.test(value)) throw malformed('The credential has characters RFC 6750 does not allow.');
    found.push({ value, source: 'authorization', scheme });
  }
  for (const name of KEY_HEADERS) {
    const raw = readHeader(headers, name);
    if (raw === undefined) continue;
    const value = raw.trim();
    if (value.length > MAX_CREDENTIAL_CHARS) throw malformed(`The ${name} header is too long.`);
    found.push({ value, source: name, scheme: null });
  }
  if (found.length === 0) return null;
  const first = found[0]!;
  if (found.some((c) => c.value !== first.value)) {
    throw malformed('Send one credential: Authorization, api-key or x-api-key, not several different ones.');
  }
  return first;
}

/** RFC 6750 §3: quoted-string values may not contain `"` or `\` or control characters. */
function quoted(s: string): string {
  return `"${s.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ')}"`;
}

function withChallenge(err: RampartError, realm: string, dpop: DpopSettings | undefined): RampartError {
  if (err.status !== 401) return err;
  // A refused DPoP proof brings its own challenge (dpop-error.ts).
  if (err.headers['WWW-Authenticate']?.startsWith('DPoP')) return err;
  const bearer =
    err.code === 'RAMPART_AUTH_MISSING'
      ? `Bearer realm=${quoted(realm)}`
      : `Bearer realm=${quoted(realm)}, error="invalid_token", error_description=${quoted(err.publicMessage)}`;
  // RFC 9449 §7.1: a resource that accepts both schemes may challenge with both.
  const challenge = dpop === undefined || dpop.mode === 'disabled' ? bearer : `${bearer}, ${dpopChallenge(dpop.algorithms)}`;
  return new RampartError(err.code, {
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    ...(err.param !== undefined ? { param: err.param } : {}),
    status: err.status,
    headers: { ...err.headers, 'WWW-Authenticate': challenge },
    cause: err.cause,
  });
}

/**
 * Builds the authenticate stage once from its dependencies.
 *
 * @example
 *   const authenticate = createAuthenticator({ oidc, apiKeys, keysDisabled: false });
 *   const principal = await authenticate(req.headers); // throws a coded RampartError
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticate {
  const { oidc, apiKeys } = deps;
  const keysDisabled = deps.keysDisabled === true || apiKeys === null;
  const realm = deps.realm ?? 'rampart';
  const dpop = deps.dpop?.mode === 'disabled' ? undefined : deps.dpop;

  async function run(headers: HeaderSource, ctx: AuthContext): Promise<Principal> {
    const cred = readCredential(headers);
    if (cred === null) throw new RampartError('RAMPART_AUTH_MISSING');
    if (cred.scheme === 'dpop' && dpop === undefined) throw malformed('DPoP is not enabled on this gateway: use the Bearer scheme.');
    if (looksLikeApiKey(cred.value)) {
      if (cred.scheme === 'dpop') throw malformed('API keys cannot be DPoP-bound: send them as Bearer or in the api-key header.');
      if (keysDisabled || apiKeys === null) throw new RampartError('RAMPART_AUTH_KEYS_DISABLED');
      return apiKeys.verify(new Secret(cred.value), ctx);
    }
    if (cred.source !== 'authorization') throw malformed(`The ${cred.source} header takes a Rampart API key; send tokens as Authorization: Bearer.`);
    if (JWS_SHAPED.test(cred.value)) {
      if (oidc === null) throw new RampartError('RAMPART_AUTH_UNTRUSTED_ISSUER', { detail: 'No identity provider is configured.' });
      const principal = await oidc.authenticate(new Secret(cred.value));
      if (dpop !== undefined) await checkBinding(dpop, principal, cred.value, cred.scheme, headers, ctx);
      return principal;
    }
    throw malformed('The credential is neither a Rampart API key nor a JWT.');
  }

  return async (headers, ctx = {}) => {
    try {
      return await run(headers, ctx);
    } catch (e) {
      if (isRampartError(e)) throw withChallenge(e, realm, dpop);
      throw e;
    }
  };
}

/** RFC 9449 §7: the token's binding against the scheme it came with and the proof sent. */
async function checkBinding(dpop: DpopSettings, principal: Principal, token: string, scheme: Scheme, headers: HeaderSource, ctx: AuthContext): Promise<void> {
  const refuse = (detail: string) => new RampartError('RAMPART_AUTH_INVALID_TOKEN', { detail, headers: { 'WWW-Authenticate': dpopChallenge(dpop.algorithms, 'invalid_token', detail) } });
  if (scheme !== 'dpop') {
    // §7.2: a bound token sent as Bearer would let whoever stole it use it without the key.
    if (principal.dpopJkt !== undefined) throw refuse('The token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof.');
    if (dpop.mode === 'required') throw refuse('This gateway accepts only DPoP-bound tokens.');
    return;
  }
  if (principal.dpopJkt === undefined) throw refuse('The token is not DPoP-bound (no cnf.jkt): send it as Bearer.');
  if (ctx.method === undefined || ctx.url === undefined) throw new RampartError('RAMPART_INTERNAL', { detail: 'DPoP needs the request method and URL.' });
  const proof = headers instanceof Headers ? (headers.get('dpop') ?? undefined) : (headers['dpop'] as string | readonly string[] | undefined);
  await dpop.verify({ proof, method: ctx.method, url: ctx.url, accessToken: token, expectedJkt: principal.dpopJkt });
}
