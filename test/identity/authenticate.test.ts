import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import { ApiKeyService } from '../../src/identity/api-keys.ts';
import { createAuthenticator, type Authenticate, type HeaderSource } from '../../src/identity/authenticate.ts';
import { authConfigSchema } from '../../src/config/auth.ts';
import { createIdentity } from '../../src/identity/create-identity.ts';
import { OidcAuthenticator } from '../../src/identity/oidc-authenticator.ts';
import { LocalIdp } from '../support/local-idp.ts';
import { MemoryKeyRepo } from '../support/memory-key-repo.ts';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<RampartError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RampartError, `expected a RampartError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

describe('authenticate', () => {
  let idp: LocalIdp;
  let keys: ApiKeyService;
  let authenticate: Authenticate;
  let apiKey: string;
  let keyId: string;

  before(async () => {
    idp = await LocalIdp.start();
    const [issuer] = authConfigSchema.parse({ oidc: [{ issuer: idp.issuer, audience: 'rampart' }] }).oidc;
    const oidc = new OidcAuthenticator({ issuers: [issuer!] });
    keys = new ApiKeyService({ repo: new MemoryKeyRepo(), clock: new ManualClock(), settings: { lastUsedFlushMs: 0 } });
    const issued = await keys.create({ name: 'ci', roles: ['model-user'], createdBy: null });
    apiKey = issued.plaintext.reveal();
    keyId = issued.record.id;
    authenticate = createAuthenticator({ oidc, apiKeys: keys });
  });
  after(() => idp.stop());

  it('refuses a request without credentials with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const err = await rejectsWith(authenticate({}), 'RAMPART_AUTH_MISSING');
    assert.equal(err.status, 401);
    assert.equal(err.headers['WWW-Authenticate'], 'Bearer realm="rampart"');
  });

  it('accepts a bearer JWT', async () => {
    const p = await authenticate({ authorization: `Bearer ${await idp.sign({ sub: 'carol' })}` });
    assert.equal(p.id, `oidc:${idp.issuer}#carol`);
    assert.equal(p.authMethod, 'oidc');
  });

  it('accepts an API key as a bearer token, in api-key and in x-api-key', async () => {
    for (const headers of [{ authorization: `Bearer ${apiKey}` }, { 'api-key': apiKey }, { 'x-api-key': apiKey }, { authorization: `bearer  ${apiKey}` }]) {
      const p = await authenticate(headers);
      assert.equal(p.apiKeyId, keyId);
    }
  });

  it('reads fetch Headers as well as Node header objects', async () => {
    const p = await authenticate(new Headers({ Authorization: `Bearer ${apiKey}` }));
    assert.equal(p.apiKeyId, keyId);
    const nodeHeaders: IncomingHttpHeaders = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    assert.equal((await authenticate(nodeHeaders)).apiKeyId, keyId);
  });

  it('accepts the same credential sent in two headers, refuses two different ones', async () => {
    await authenticate({ authorization: `Bearer ${apiKey}`, 'api-key': apiKey });
    const jwt = await idp.sign();
    await rejectsWith(authenticate({ authorization: `Bearer ${jwt}`, 'x-api-key': apiKey }), 'RAMPART_AUTH_MALFORMED');
  });

  it('refuses a credential header sent twice', async () => {
    const headers: HeaderSource = { 'x-api-key': [apiKey, apiKey] };
    await rejectsWith(authenticate(headers), 'RAMPART_AUTH_MALFORMED');
  });

  it('refuses other schemes and malformed bearer values with an invalid_token challenge', async () => {
    for (const authorization of [`Basic ${Buffer.from(`u:${apiKey}`).toString('base64')}`, 'Bearer', 'Bearer a b', 'Bearer ä', 'Token abc']) {
      const err = await rejectsWith(authenticate({ authorization }), 'RAMPART_AUTH_MALFORMED');
      assert.match(err.headers['WWW-Authenticate'] ?? '', /^Bearer realm="rampart", error="invalid_token", error_description="[^"]*"$/);
    }
  });

  it('refuses something that is neither a key nor a JWT, and a JWT in an API key header', async () => {
    await rejectsWith(authenticate({ authorization: 'Bearer sk-proj-abcdef' }), 'RAMPART_AUTH_MALFORMED');
    await rejectsWith(authenticate({ 'api-key': await idp.sign() }), 'RAMPART_AUTH_MALFORMED');
  });

  it('passes verification errors through with an invalid_token challenge', async () => {
    const err = await rejectsWith(authenticate({ authorization: `Bearer ${await idp.sign({ aud: 'other' })}` }), 'RAMPART_AUTH_WRONG_AUDIENCE');
    assert.equal(
      err.headers['WWW-Authenticate'],
      'Bearer realm="rampart", error="invalid_token", error_description="The bearer token was not issued for this gateway."',
    );
    const last = apiKey.at(-1) === 'A' ? 'B' : 'A';
    await rejectsWith(authenticate({ 'x-api-key': apiKey.slice(0, -1) + last }), 'RAMPART_AUTH_INVALID_KEY');
  });

  it('does not add a challenge when the IdP is unavailable (503, not 401)', async () => {
    const down = await LocalIdp.start();
    await down.stop();
    const [issuer] = authConfigSchema.parse({ oidc: [{ issuer: down.issuer, audience: 'rampart' }] }).oidc;
    const auth = createAuthenticator({ oidc: new OidcAuthenticator({ issuers: [issuer!] }), apiKeys: null });
    const err = await rejectsWith(auth({ authorization: `Bearer ${await down.sign()}` }), 'RAMPART_AUTH_IDP_UNAVAILABLE');
    assert.equal(err.status, 503);
    assert.equal(err.headers['WWW-Authenticate'], undefined);
  });

  it('refuses API keys when they are disabled, and JWTs when no issuer is configured', async () => {
    const noKeys = createAuthenticator({ oidc: null, apiKeys: keys, keysDisabled: true });
    await rejectsWith(noKeys({ authorization: `Bearer ${apiKey}` }), 'RAMPART_AUTH_KEYS_DISABLED');
    await rejectsWith(noKeys({ 'api-key': apiKey }), 'RAMPART_AUTH_KEYS_DISABLED');
    await rejectsWith(noKeys({ authorization: `Bearer ${await idp.sign()}` }), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
  });

  it('never echoes the credential', async () => {
    const secretish = `${apiKey.slice(0, 20)}`;
    const attempts: HeaderSource[] = [
      { authorization: `Bearer ${apiKey}x` },
      { authorization: `Basic ${apiKey}` },
      { 'x-api-key': `${apiKey} extra` },
      { authorization: `Bearer ${apiKey}`, 'api-key': `${apiKey.slice(0, -1)}Z` },
    ];
    for (const headers of attempts) {
      try {
        await authenticate(headers);
        assert.fail('should not authenticate');
      } catch (e) {
        assert.ok(e instanceof RampartError);
        for (const s of [e.message, JSON.stringify(e), inspect(e, { depth: 5 }), JSON.stringify(e.headers)]) {
          assert.ok(!s.includes(secretish), `credential echoed: ${s.slice(0, 200)}`);
        }
      }
    }
  });
});

describe('createIdentity', () => {
  it('builds API keys only, with no issuer, from the default config', async () => {
    const identity = createIdentity(authConfigSchema.parse({}), { keys: new MemoryKeyRepo() });
    try {
      assert.equal(identity.oidc, null);
      assert.ok(identity.apiKeys);
      const { plaintext } = await identity.apiKeys.create({ name: 'bootstrap', roles: ['admin'], createdBy: null });
      assert.deepEqual((await identity.authenticate({ authorization: `Bearer ${plaintext.reveal()}` })).roles, ['admin']);
    } finally {
      await identity.close();
    }
  });

  it("turns keys off with apiKeys: 'disabled'", async () => {
    const identity = createIdentity(authConfigSchema.parse({ apiKeys: 'disabled' }), { keys: new MemoryKeyRepo() });
    assert.equal(identity.apiKeys, null);
    await rejectsWith(identity.authenticate({ 'api-key': 'rk_whatever' }), 'RAMPART_AUTH_KEYS_DISABLED');
    await identity.close();
  });
});
