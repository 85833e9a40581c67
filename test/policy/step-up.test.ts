/**
 * Step-up challenges: RFC 9470 §3 for acr and max_age, the Entra claims challenge for
 * authentication contexts, and a plain refusal for API keys, which can never step up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../src/core/principal.ts';
import { stepUpChallenge, stepUpError } from '../../src/policy/step-up.ts';

const user: Principal = { id: 'oidc:https://idp.example.com#alice', kind: 'user', roles: [], groups: [], authMethod: 'oidc', issuer: 'https://idp.example.com' };
const TENANT = '11111111-aaaa-4aaa-8aaa-111111111111';

describe('step-up challenges', () => {
  it('writes an RFC 9470 challenge with acr_values in preference order and max_age', () => {
    assert.equal(
      stepUpChallenge({ acr: ['urn:acme:phr', 'urn:acme:mfa'], maxAgeSec: 300 }, 'A stronger sign-in is required', user),
      'Bearer realm="rampart", error="insufficient_user_authentication", error_description="A stronger sign-in is required", acr_values="urn:acme:phr urn:acme:mfa", max_age=300',
    );
    assert.equal(stepUpChallenge({ maxAgeSec: 0 }, 'x', user), 'Bearer realm="rampart", error="insufficient_user_authentication", error_description="x", max_age=0');
    assert.equal(stepUpChallenge({ amr: ['mfa'] }, 'needs "mfa"\n', user), 'Bearer realm="rampart", error="insufficient_user_authentication", error_description="needs  mfa  "');
  });

  it('writes the Entra claims challenge for authentication contexts', () => {
    // The value of Microsoft's documented example for context c1.
    const c1 = 'eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19';
    assert.equal(stepUpChallenge({ authContexts: ['c1'] }, 'd', user), `Bearer realm="rampart", error="insufficient_claims", error_description="d", claims="${c1}"`);
    const entra: Principal = { ...user, issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` };
    const header = stepUpChallenge({ authContexts: ['c1', 'c7'] }, 'd', entra);
    assert.match(header, new RegExp(`^Bearer realm="rampart", authorization_uri="https://login\\.microsoftonline\\.com/${TENANT}/oauth2/v2\\.0/authorize", error="insufficient_claims"`));
    const claims = /claims="([^"]+)"/.exec(header)![1]!;
    assert.deepEqual(JSON.parse(Buffer.from(claims, 'base64').toString()), { access_token: { acrs: { essential: true, values: ['c1', 'c7'] } } });
  });

  it('answers a token principal with 401 and a challenge, an API key with 403 and no challenge', () => {
    const err = stepUpError('admin-mfa', { amr: ['mfa'] }, ['amr mfa'], user);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'RAMPART_STEP_UP_REQUIRED');
    assert.match(err.headers['WWW-Authenticate']!, /error="insufficient_user_authentication", error_description="Access rule 'admin-mfa' requires amr mfa"$/);
    const key = stepUpError('admin-mfa', { amr: ['mfa'] }, ['a user sign-in'], { id: 'key:k', kind: 'app', roles: [], groups: [], authMethod: 'api-key', apiKeyId: 'k' });
    assert.equal(key.status, 403);
    assert.equal(key.code, 'RAMPART_STEP_UP_NOT_POSSIBLE');
    assert.equal(key.headers['WWW-Authenticate'], undefined);
    assert.match(key.message, /bearer token from the identity provider/);
  });
});
