/**
 * Which URLs Rampart may fetch identity-provider metadata and keys from: https anywhere, plain
 * http only on the loopback interface (local IdPs in development and tests). Keys fetched over
 * plain http from another host could be swapped by anyone on the path, and with them every token
 * (RFC 8725 §3.10, OpenID Connect Discovery 1.0 §4).
 */
import { isLoopbackHost } from './loopback.ts';

export { isLoopbackHost };

/** Why `raw` is not an acceptable IdP URL, or null when it is. */
export function idpUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.hash !== '') return 'must not contain a fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  return 'must be an https URL or a loopback http URL';
}

/** Parses an IdP URL, or null when `idpUrlProblem` objects to it. */
export function parseIdpUrl(raw: string): URL | null {
  return idpUrlProblem(raw) === null ? new URL(raw) : null;
}
