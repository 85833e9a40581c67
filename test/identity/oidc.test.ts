import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import { Secret } from '../../src/core/secret.ts';
import { oidcIssuerSchema, type OidcIssuerInput } from '../../src/config/auth.ts';
import { OidcAuthenticator, type OidcAuthenticatorOptions } from '../../src/identity/oidc-authenticator.ts';
import { LocalIdp, signWith, unsecuredJwt, withPayload } from '../support/local-idp.ts';

function issuerConfig(idp: LocalIdp, overrides: Partial<OidcIssuerInput> = {}) {
  return oidcIssuerSchema.parse({ issuer: idp.issuer, audience: 'rampart', ...overrides });
}

function authenticator(idp: LocalIdp, overrides: Partial<OidcIssuerInput> = {}, opts: Partial<OidcAuthenticatorOptions> = {}) {
  return new OidcAuthenticator({ issuers: [issuerConfig(idp, overrides)], ...opts });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<RampartError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RampartError, `expected a RampartError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}; cause: ${String(e.cause)}`);
    return e;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('OIDC bearer tokens', () => {
  let idp: LocalIdp;
  before(async () => {
    idp = await LocalIdp.start();
  });
  after(() => idp.stop());

  it('verifies a token and maps it to a principal', async () => {
    const oidc = authenticator(idp);
    const token = await idp.sign({ roles: ['model-user'], groups: ['g1', 'g2'], name: 'Alice' });
    const p = await oidc.authenticate(new Secret(token));
    assert.deepEqual(p, {
      id: `oidc:${idp.issuer}#alice`,
      kind: 'user',
      roles: ['model-user'],
      groups: ['g1', 'g2'],
      authMethod: 'oidc',
      issuer: idp.issuer,
      displayName: 'Alice',
    });
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.roles));
  });

  it('finds the key set through discovery, or uses a configured jwksUri without it', async () => {
    const own = await LocalIdp.start();
    try {
      await authenticator(own).authenticate(await own.sign());
      assert.deepEqual(own.hits, { discovery: 1, jwks: 1 });
      await authenticator(own, { jwksUri: own.jwksUri }).authenticate(await own.sign({ sub: 'bob' }));
      assert.deepEqual(own.hits, { discovery: 1, jwks: 2 });
    } finally {
      await own.stop();
    }
  });

  it('serves a repeated token from the verified-token cache, but never past its exp', async () => {
    const clock = new ManualClock(Date.now());
    const oidc = authenticator(idp, { clockToleranceSec: 0 }, { clock });
    const now = Math.floor(clock.now() / 1000);
    const token = await idp.sign({ exp: now + 60 }, { now });
    const first = await oidc.authenticate(token);
    assert.equal(await oidc.authenticate(token), first, 'same principal object: no second verification');
    clock.advance(60_000);
    await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_TOKEN_EXPIRED');
  });

  it('accepts an audience list that contains ours', async () => {
    const oidc = authenticator(idp, { audience: ['other', 'rampart'] });
    await oidc.authenticate(await idp.sign({ aud: ['something-else', 'rampart'] }));
  });
});

describe('JWT attack suite', () => {
  let idp: LocalIdp;
  let oidc: OidcAuthenticator;
  before(async () => {
    idp = await LocalIdp.start();
    oidc = authenticator(idp, { jwksUri: undefined, algorithms: ['RS256'] });
    await oidc.authenticate(await idp.sign()); // keys fetched
  });
  after(() => idp.stop());

  it('rejects a token signed with alg none', async () => {
    await rejectsWith(oidc.authenticate(unsecuredJwt(idp.defaults({}))), 'RAMPART_AUTH_ALG_NOT_ALLOWED');
    await rejectsWith(oidc.authenticate(unsecuredJwt(idp.defaults({}), { alg: 'None' })), 'RAMPART_AUTH_ALG_NOT_ALLOWED');
  });

  it('rejects an HS256 token whose HMAC key is the IdP public key (key confusion)', async () => {
    const key = idp.keys.get('key-1')!;
    for (const material of [await exportSPKI(key.publicKey), JSON.stringify(key.publicJwk)]) {
      const token = await signWith(new TextEncoder().encode(material), { alg: 'HS256', kid: 'key-1' }, idp.defaults({ roles: ['admin'] }));
      await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_ALG_NOT_ALLOWED');
    }
  });

  it('rejects an algorithm outside the issuer allow-list even when the key would verify it', async () => {
    const ec = await idp.addKey('ES256', 'ec-1');
    try {
      await rejectsWith(oidc.authenticate(await idp.sign({}, { kid: ec.kid })), 'RAMPART_AUTH_ALG_NOT_ALLOWED');
    } finally {
      idp.removeKey('ec-1');
    }
  });

  it('rejects a token with an unknown kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signWith(privateKey, { alg: 'RS256', kid: 'no-such-kid' }, idp.defaults({}));
    await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('refreshes the key set at most once per cooldown however many forged kids arrive', async () => {
    const before = idp.hits.jwks;
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signWith(privateKey, { alg: 'RS256', kid: `forged-${i}` }, idp.defaults({}))),
    );
    await Promise.all(forged.map((t) => rejectsWith(oidc.authenticate(t), 'RAMPART_AUTH_INVALID_TOKEN')));
    assert.ok(idp.hits.jwks - before <= 1, `JWKS fetched ${idp.hits.jwks - before} times`);
  });

  it("rejects a token signed by another key under the IdP's kid", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signWith(privateKey, { alg: 'RS256', kid: 'key-1' }, idp.defaults({}));
    await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('rejects a tampered payload', async () => {
    const token = await idp.sign({ roles: ['model-user'] });
    await rejectsWith(oidc.authenticate(withPayload(token, idp.defaults({ roles: ['admin'] }))), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('never fetches keys from a jku or x5u in the token, nor trusts an embedded jwk', async () => {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256' };
    let attackerHits = 0;
    const evil = createServer((_req, res) => {
      attackerHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/jwks`;
    try {
      for (const header of [{ jku: evilUrl }, { x5u: evilUrl }, { jwk }]) {
        const token = await signWith(attacker.privateKey, { alg: 'RS256', kid: 'evil', header }, idp.defaults({}));
        await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_INVALID_TOKEN');
      }
      assert.equal(attackerHits, 0);
    } finally {
      evil.closeAllConnections();
      await new Promise<void>((r) => evil.close(() => r()));
    }
  });

  it('rejects an expired token, but accepts one within the clock tolerance', async () => {
    await rejectsWith(oidc.authenticate(await idp.sign({ exp: nowSec() - 31, iat: nowSec() - 600 })), 'RAMPART_AUTH_TOKEN_EXPIRED');
    await oidc.authenticate(await idp.sign({ exp: nowSec() - 10, iat: nowSec() - 600 }));
  });

  it('rejects a token whose nbf is in the future, but accepts one within the clock tolerance', async () => {
    await rejectsWith(oidc.authenticate(await idp.sign({ nbf: nowSec() + 60 })), 'RAMPART_AUTH_TOKEN_NOT_YET_VALID');
    await oidc.authenticate(await idp.sign({ nbf: nowSec() + 10 }));
  });

  it('rejects a token issued in the future (iat)', async () => {
    await rejectsWith(oidc.authenticate(await idp.sign({ iat: nowSec() + 3_600 })), 'RAMPART_AUTH_TOKEN_NOT_YET_VALID');
  });

  it('rejects a token without exp', async () => {
    await rejectsWith(oidc.authenticate(await idp.sign({}, { omit: ['exp'] })), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('rejects a token for another audience, or for none', async () => {
    await rejectsWith(oidc.authenticate(await idp.sign({ aud: 'some-other-api' })), 'RAMPART_AUTH_WRONG_AUDIENCE');
    await rejectsWith(oidc.authenticate(await idp.sign({}, { omit: ['aud'] })), 'RAMPART_AUTH_WRONG_AUDIENCE');
  });

  it('rejects a token from an issuer that is not configured, or with no issuer', async () => {
    await rejectsWith(oidc.authenticate(await idp.sign({ iss: 'https://evil.example.com' })), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await rejectsWith(oidc.authenticate(await idp.sign({ iss: `${idp.issuer}/` })), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await rejectsWith(oidc.authenticate(await idp.sign({}, { omit: ['iss'] })), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
  });

  it("rejects a token naming one trusted issuer but signed with another trusted issuer's key", async () => {
    const other = await LocalIdp.start();
    try {
      const both = new OidcAuthenticator({ issuers: [issuerConfig(idp), issuerConfig(other)] });
      await both.authenticate(await other.sign());
      await both.authenticate(await idp.sign());
      // Signed by `idp` (kid key-1 exists at both IdPs), claiming to come from `other`.
      const token = await idp.sign({ iss: other.issuer });
      await rejectsWith(both.authenticate(token), 'RAMPART_AUTH_INVALID_TOKEN');
    } finally {
      await other.stop();
    }
  });

  it('refuses an oversized token before parsing it or asking the IdP', async () => {
    const fresh = await LocalIdp.start();
    try {
      const small = authenticator(fresh, { maxTokenBytes: 2_048 });
      const token = await fresh.sign({ padding: 'x'.repeat(4_000) });
      await rejectsWith(small.authenticate(token), 'RAMPART_AUTH_TOKEN_TOO_LARGE');
      await rejectsWith(small.authenticate(`${'a'.repeat(100_000)}.b.c`), 'RAMPART_AUTH_TOKEN_TOO_LARGE');
      assert.deepEqual(fresh.hits, { discovery: 0, jwks: 0 });
    } finally {
      await fresh.stop();
    }
  });

  it('rejects tokens that are not signed JWTs in compact form', async () => {
    for (const bad of ['not-a-jwt', 'a.b', 'a.b.c.d.e', 'e30.e30.', '!!.e30.sig', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.sig']) {
      const err = await rejectsWith(oidc.authenticate(bad), bad === 'e30.e30.' ? 'RAMPART_AUTH_INVALID_TOKEN' : 'RAMPART_AUTH_MALFORMED');
      assert.ok(!err.message.includes(bad));
    }
  });

  it('rejects a header with an oversized kid or an unknown critical parameter', async () => {
    const key = idp.keys.get('key-1')!;
    const longKid = await signWith(key.privateKey, { alg: 'RS256', kid: 'k'.repeat(300) }, idp.defaults({}));
    await rejectsWith(oidc.authenticate(longKid), 'RAMPART_AUTH_INVALID_TOKEN');
    // RFC 7515 §4.1.11: a critical extension we do not understand makes the token invalid.
    const crit = await new CompactSign(new TextEncoder().encode(JSON.stringify(idp.defaults({}))))
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1', crit: ['exp-x'], 'exp-x': 1 })
      .sign(key.privateKey, { crit: { 'exp-x': true } });
    await rejectsWith(oidc.authenticate(crit), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('enforces explicit typing when the issuer asks for it (RFC 8725 §3.11)', async () => {
    const typed = authenticator(idp, { tokenTypes: ['at+jwt'] });
    await rejectsWith(typed.authenticate(await idp.sign({}, { typ: 'JWT' })), 'RAMPART_AUTH_WRONG_TOKEN_TYPE');
    await rejectsWith(typed.authenticate(await idp.sign({})), 'RAMPART_AUTH_WRONG_TOKEN_TYPE');
    await typed.authenticate(await idp.sign({}, { typ: 'at+jwt' }));
    await typed.authenticate(await idp.sign({ sub: 'bob' }, { typ: 'application/AT+JWT' }));
  });

  it('never puts the token in an error', async () => {
    const token = await idp.sign({ aud: 'nope', secret: 'hunter2' });
    const err = await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_WRONG_AUDIENCE');
    const signature = token.split('.')[2]!;
    for (const s of [err.message, JSON.stringify(err), String(err)]) {
      assert.ok(!s.includes(signature) && !s.includes('hunter2'));
    }
  });
});

describe('IdP availability and key rotation', () => {
  it('answers IDP_UNAVAILABLE when the JWKS server is down', async () => {
    const idp = await LocalIdp.start();
    const token = await idp.sign();
    await idp.stop();
    await rejectsWith(authenticator(idp, { jwksUri: idp.jwksUri }).authenticate(token), 'RAMPART_AUTH_IDP_UNAVAILABLE');
    await rejectsWith(authenticator(idp).authenticate(token), 'RAMPART_AUTH_IDP_UNAVAILABLE');
  });

  it('answers IDP_UNAVAILABLE when the IdP answers with an error', async () => {
    const idp = await LocalIdp.start();
    try {
      idp.mode = 'error';
      await rejectsWith(authenticator(idp, { jwksUri: idp.jwksUri }).authenticate(await idp.sign()), 'RAMPART_AUTH_IDP_UNAVAILABLE');
    } finally {
      await idp.stop();
    }
  });

  it('gives up on a hanging IdP after the configured timeout', async () => {
    const idp = await LocalIdp.start();
    try {
      idp.mode = 'hang';
      const started = Date.now();
      await rejectsWith(
        authenticator(idp, { jwks: { timeoutMs: 200 } }).authenticate(await idp.sign()),
        'RAMPART_AUTH_IDP_UNAVAILABLE',
      );
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await idp.stop();
    }
  });

  it('does not ask a failing IdP again during the retry backoff, and recovers after it', async () => {
    const idp = await LocalIdp.start();
    try {
      idp.mode = 'error';
      const oidc = authenticator(idp, { jwksUri: idp.jwksUri }, { retryBackoffMs: 300 });
      const token = await idp.sign();
      await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_IDP_UNAVAILABLE');
      await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_IDP_UNAVAILABLE');
      assert.equal(idp.hits.jwks, 1);
      idp.mode = 'ok';
      await new Promise((r) => setTimeout(r, 350));
      await oidc.authenticate(token);
    } finally {
      await idp.stop();
    }
  });

  it('refuses discovery metadata that names another issuer (mix-up)', async () => {
    const idp = await LocalIdp.start();
    try {
      idp.metadataIssuer = `${idp.issuer}/someone-else`;
      await rejectsWith(authenticator(idp).authenticate(await idp.sign()), 'RAMPART_AUTH_IDP_MISCONFIGURED');
      assert.equal(idp.hits.jwks, 0);
    } finally {
      await idp.stop();
    }
  });

  it('reports unreachable issuers from warm() without throwing', async () => {
    const up = await LocalIdp.start();
    const down = await LocalIdp.start();
    await down.stop();
    try {
      const oidc = new OidcAuthenticator({ issuers: [issuerConfig(up), issuerConfig(down)] });
      const failures = await oidc.warm();
      assert.deepEqual(
        failures.map((f) => [f.issuer, f.error.code]),
        [[down.issuer, 'RAMPART_AUTH_IDP_UNAVAILABLE']],
      );
      assert.equal(up.hits.jwks, 1);
    } finally {
      await up.stop();
    }
  });

  it('picks up a new signing key after rotation at the IdP', async () => {
    const idp = await LocalIdp.start();
    try {
      const oidc = authenticator(idp, { jwks: { cooldownSec: 0 } });
      await oidc.authenticate(await idp.sign());
      await idp.addKey('RS256', 'key-2');
      idp.removeKey('key-1');
      await oidc.authenticate(await idp.sign({ sub: 'after-rotation' }, { kid: 'key-2' }));
      assert.equal(idp.hits.jwks, 2);
    } finally {
      await idp.stop();
    }
  });

  it('keeps using recently fetched keys while the IdP is down, within maxStale only', async () => {
    const idp = await LocalIdp.start();
    const oidc = authenticator(idp, { jwksUri: idp.jwksUri, jwks: { cacheMaxAgeSec: 60, maxStaleSec: 600 } }, { retryBackoffMs: 0 });
    await oidc.authenticate(await idp.sign({ sub: 'warm' }));
    await idp.stop();
    // jose's key cache runs on Date.now(): move it forward instead of sleeping.
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      mock.timers.tick(120_000); // keys are stale (older than 60 s), the IdP is down
      await oidc.authenticate(await idp.sign({ sub: 'during-outage' }));
      mock.timers.tick(600_000); // now older than cacheMaxAge + maxStale
      await rejectsWith(oidc.authenticate(await idp.sign({ sub: 'too-late' })), 'RAMPART_AUTH_IDP_UNAVAILABLE');
    } finally {
      mock.timers.reset();
    }
  });
});

describe('claim mapping', () => {
  let idp: LocalIdp;
  before(async () => {
    idp = await LocalIdp.start();
  });
  after(() => idp.stop());

  async function principal(claims: JWTPayload, overrides: Partial<OidcIssuerInput> = {}) {
    return authenticator(idp, overrides).authenticate(await idp.sign(claims));
  }

  it('reads roles from a nested path (Keycloak realm_access.roles)', async () => {
    const p = await principal({ realm_access: { roles: ['a', 'b'] } }, { claims: { roles: 'realm_access.roles' } });
    assert.deepEqual(p.roles, ['a', 'b']);
  });

  it('reads a namespaced claim whose name contains dots (Auth0)', async () => {
    const p = await principal({ 'https://example.com/roles': ['r1'] }, { claims: { roles: 'https://example.com/roles' } });
    assert.deepEqual(p.roles, ['r1']);
  });

  it('maps IdP roles through roleMap and drops unmapped ones', async () => {
    const p = await principal(
      { roles: ['AI.User', 'AI.Admin', 'Unrelated'] },
      { roleMap: { 'AI.User': ['model-user'], 'AI.Admin': ['admin', 'model-user'] } },
    );
    assert.deepEqual(p.roles, ['model-user', 'admin']);
  });

  it('accepts a single role as a string and refuses a roles claim of the wrong type', async () => {
    assert.deepEqual((await principal({ roles: 'solo' })).roles, ['solo']);
    await rejectsWith(principal({ roles: { admin: true } }), 'RAMPART_AUTH_INVALID_TOKEN');
    await rejectsWith(principal({ roles: ['ok', 42] }), 'RAMPART_AUTH_INVALID_TOKEN');
    await rejectsWith(principal({ groups: [''] }), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('reads groups, and no roles or groups when the claims are absent', async () => {
    const p = await principal({ grp: ['eng', 'eng', 'sec'] }, { claims: { groups: 'grp' } });
    assert.deepEqual([p.roles, p.groups], [[], ['eng', 'sec']]);
  });

  it('uses the configured subject claim for the principal id, and refuses a token without it', async () => {
    const p = await principal({ oid: '00000000-1111' }, { claims: { subject: 'oid' } });
    assert.equal(p.id, `oidc:${idp.issuer}#00000000-1111`);
    await rejectsWith(principal({}, { claims: { subject: 'oid' } }), 'RAMPART_AUTH_INVALID_TOKEN');
    await rejectsWith(principal({ sub: '' }), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it("decides the kind automatically: idtyp, then client credentials (sub = client_id or azp), else user", async () => {
    assert.equal((await principal({ idtyp: 'app', sub: 's1' })).kind, 'app');
    assert.equal((await principal({ idtyp: 'user', sub: 'c1', azp: 'c1' })).kind, 'user');
    assert.equal((await principal({ sub: 'svc-1', client_id: 'svc-1' })).kind, 'app');
    assert.equal((await principal({ sub: 'svc-2', azp: 'svc-2' })).kind, 'app');
    assert.equal((await principal({ sub: 'alice', azp: 'web-app' })).kind, 'user');
  });

  it('uses a fixed kind or a claim rule when configured', async () => {
    assert.equal((await principal({ sub: 'w1' }, { claims: { kind: 'workload' } })).kind, 'workload');
    const rule = { kind: { claim: 'ptype', values: { bot: 'agent', svc: 'app' }, default: 'user' } } as const;
    assert.equal((await principal({ sub: 'a1', ptype: 'bot' }, { claims: rule })).kind, 'agent');
    assert.equal((await principal({ sub: 'a2', ptype: 'other' }, { claims: rule })).kind, 'user');
  });
});
