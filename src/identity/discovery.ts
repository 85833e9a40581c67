/**
 * OpenID Connect Discovery 1.0: find an issuer's `jwks_uri` from its provider metadata.
 */
import { RampartError } from '../core/errors.ts';
import { fetchIdpJson, type FetchLike } from './idp-fetch.ts';
import { idpUrlProblem } from '../config/idp-url.ts';

const MAX_METADATA_BYTES = 256 * 1024;

/** OIDC Discovery §4: the issuer without a trailing slash, then the well-known path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

function misconfigured(reason: string): RampartError {
  return new RampartError('RAMPART_AUTH_IDP_MISCONFIGURED', { cause: new Error(reason) });
}

/**
 * Fetches the metadata of `issuer` and returns its `jwks_uri`.
 * OIDC Discovery §4.3: the document's `issuer` must be identical to the configured issuer, or an
 * attacker-controlled document could point us at keys for someone else's tokens.
 */
export async function discoverJwksUri(
  issuer: string,
  opts: { timeoutMs: number },
  fetchImpl?: FetchLike,
): Promise<string> {
  const doc = await fetchIdpJson(discoveryUrl(issuer), { timeoutMs: opts.timeoutMs, maxBytes: MAX_METADATA_BYTES }, fetchImpl);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw misconfigured('metadata is not a JSON object');
  const meta = doc as Record<string, unknown>;
  if (meta.issuer !== issuer) {
    throw misconfigured(`metadata issuer ${JSON.stringify(meta.issuer)} differs from the configured issuer ${issuer}`);
  }
  const jwksUri = meta.jwks_uri;
  if (typeof jwksUri !== 'string') throw misconfigured('metadata has no jwks_uri');
  const problem = idpUrlProblem(jwksUri);
  if (problem !== null) throw misconfigured(`metadata jwks_uri ${problem}`);
  // An https issuer must not hand its keys out over plain http, even on loopback.
  if (new URL(issuer).protocol === 'https:' && new URL(jwksUri).protocol !== 'https:') {
    throw misconfigured('metadata jwks_uri is not https');
  }
  return jwksUri;
}
