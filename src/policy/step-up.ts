/**
 * Step-up authentication: whether a principal's sign-in is strong and recent enough for a request,
 * and the challenge that tells the client how to get a better token.
 *
 * - RFC 9470 §3: `401` with `WWW-Authenticate: Bearer error="insufficient_user_authentication"`,
 *   `acr_values` (space-separated, most preferred first) and `max_age` (seconds since `auth_time`).
 * - Microsoft Entra authentication contexts (`acrs`) have no RFC 9470 form: Entra clients (MSAL)
 *   expect a claims challenge, `error="insufficient_claims", claims="<base64 JSON claims request>"`
 *   (learn.microsoft.com/entra/identity-platform/claims-challenge).
 * - A Rampart API key carries no user authentication at all: it can never satisfy step-up, and
 *   the error says to use a bearer token instead of challenging for one the key cannot become.
 */
import type { StepUpConfig } from '../config/access.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';

/** What is missing, in words an operator and a developer both understand. */
export function unmetStepUp(principal: Principal, req: StepUpConfig, nowMs: number): string[] {
  const missing: string[] = [];
  if (req.acr && (principal.acr === undefined || !req.acr.includes(principal.acr))) missing.push(`acr one of ${req.acr.join(', ')}`);
  if (req.amr) {
    const have = new Set(principal.amr ?? []);
    const lacking = req.amr.filter((m) => !have.has(m));
    if (lacking.length > 0) missing.push(`amr ${lacking.join(', ')}`);
  }
  if (req.authContexts) {
    const have = new Set(principal.authContexts ?? []);
    const lacking = req.authContexts.filter((c) => !have.has(c));
    if (lacking.length > 0) missing.push(`authentication context ${lacking.join(', ')}`);
  }
  if (req.maxAgeSec !== undefined) {
    // RFC 9470 §4: auth_time is what max_age is measured against; without it freshness is unknown.
    if (principal.authTime === undefined) missing.push(`a sign-in within ${req.maxAgeSec} s (no auth_time)`);
    else if (nowMs / 1000 - principal.authTime > req.maxAgeSec) missing.push(`a sign-in within ${req.maxAgeSec} s`);
  }
  return missing;
}

/** RFC 6750 §3 quoted-string: no `"`, `\` or control characters. */
function quoted(s: string): string {
  return `"${s.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ')}"`;
}

/** Entra's `authorization_uri` for an Entra issuer (v1 or v2), when the principal has one. */
function entraAuthorizeUri(principal: Principal): string | undefined {
  const m = /^https:\/\/(?:login\.microsoftonline\.com\/([0-9a-f-]{36})\/v2\.0|sts\.windows\.net\/([0-9a-f-]{36})\/)$/.exec(principal.issuer ?? '');
  const tenant = m?.[1] ?? m?.[2];
  return tenant ? `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize` : undefined;
}

/**
 * The `WWW-Authenticate` value for an unmet requirement.
 *
 * @example
 *   stepUpChallenge({ acr: ['phr'], maxAgeSec: 300 }, 'A stronger sign-in is required', principal)
 *   // Bearer realm="rampart", error="insufficient_user_authentication", error_description="...", acr_values="phr", max_age=300
 */
export function stepUpChallenge(req: StepUpConfig, description: string, principal: Principal, realm = 'rampart'): string {
  if (req.authContexts) {
    const acrs = req.authContexts.length === 1 ? { essential: true, value: req.authContexts[0] } : { essential: true, values: req.authContexts };
    const claims = Buffer.from(JSON.stringify({ access_token: { acrs } })).toString('base64');
    const uri = entraAuthorizeUri(principal);
    return [`Bearer realm=${quoted(realm)}`, ...(uri ? [`authorization_uri=${quoted(uri)}`] : []), 'error="insufficient_claims"', `error_description=${quoted(description)}`, `claims=${quoted(claims)}`].join(', ');
  }
  const parts = [`Bearer realm=${quoted(realm)}`, 'error="insufficient_user_authentication"', `error_description=${quoted(description)}`];
  if (req.acr) parts.push(`acr_values=${quoted(req.acr.join(' '))}`);
  if (req.maxAgeSec !== undefined) parts.push(`max_age=${req.maxAgeSec}`);
  return parts.join(', ');
}

/** The error for an unmet step-up rule: a 401 challenge, or for an API key a 403 that says why. */
export function stepUpError(rule: string, req: StepUpConfig, missing: readonly string[], principal: Principal): RampartError {
  if (principal.authMethod === 'api-key') {
    return new RampartError('RAMPART_STEP_UP_NOT_POSSIBLE', { detail: `Access rule '${rule}' requires ${missing.join('; ')}: call with a bearer token from the identity provider.` });
  }
  const description = `Access rule '${rule}' requires ${missing.join('; ')}`;
  return new RampartError('RAMPART_STEP_UP_REQUIRED', {
    detail: `${description}.`,
    headers: { 'WWW-Authenticate': stepUpChallenge(req, description, principal) },
  });
}
