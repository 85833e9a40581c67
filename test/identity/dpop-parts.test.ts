/**
 * The parts around the DPoP verifier: the replay store, server nonces (RFC 9449 §8, §9), the
 * `WWW-Authenticate: DPoP` challenge (§7.1) and reading an access token's `cnf.jkt` (§6.1).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import { Secret } from '../../src/core/secret.ts';
import {
  createDpopNonceSource,
  createDpopVerifier,
  createMemoryReplayStore,
  dpopChallenge,
  jwkThumbprint,
  readDpopBinding,
  type DpopChallengeError,
} from '../../src/identity/dpop.ts';

const isCoded = (code: string) => (e: unknown) => e instanceof RampartError && e.code === code;

describe('in-memory DPoP replay store', () => {
  it('claims a key once within its ttl, and again after it', () => {
    const clock = new ManualClock();
    const store = createMemoryReplayStore({ clock });
    assert.equal(store.claim('a', 65), true);
    assert.equal(store.claim('a', 65), false);
    assert.equal(store.claim('b', 65), true);
    clock.advance(64_999);
    assert.equal(store.claim('a', 65), false);
    clock.advance(1);
    assert.equal(store.claim('a', 65), true);
    assert.equal(store.claim('a', 65), false);
  });

  it('refuses to record more when full rather than forget a live proof, and frees space as proofs expire', () => {
    const clock = new ManualClock();
    const store = createMemoryReplayStore({ clock, maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) assert.equal(store.claim(k, 10), true);
    assert.throws(() => store.claim('d', 10), isCoded('RAMPART_STORE_UNAVAILABLE'));
    assert.equal(store.claim('a', 10), false, 'a live key is still remembered while full');
    clock.advance(10_000);
    assert.equal(store.claim('d', 10), true);
    assert.equal(store.claim('a', 10), true);
  });

  it('keeps a key claimed again after expiry when its old entry is pruned', () => {
    const clock = new ManualClock();
    const store = createMemoryReplayStore({ clock, maxEntries: 10 });
    clock.advance(500);
    store.claim('a', 1); // expires at +1.5 s, listed in the bucket of second 2
    clock.advance(1_100);
    assert.equal(store.claim('a', 30), true, 'expired, claimed again before its bucket is pruned');
    clock.advance(1_000); // second 2: the old bucket, which still lists 'a', is pruned
    assert.equal(store.claim('a', 30), false);
  });

  it('rejects a bad size or ttl', () => {
    assert.throws(() => createMemoryReplayStore({ maxEntries: 0 }), isCoded('RAMPART_CONFIG_INVALID'));
    assert.throws(() => createMemoryReplayStore({ maxEntries: 1.5 }), isCoded('RAMPART_CONFIG_INVALID'));
    const store = createMemoryReplayStore();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => store.claim('k', ttl), TypeError);
  });
});

describe('DPoP server nonces', () => {
  const URL_ = 'https://gateway.example.com/v1/responses';
  const TOKEN = 'access-token-value';

  async function setup() {
    const clock = new ManualClock();
    const nonce = createDpopNonceSource({ clock, rotateSeconds: 300, secret: new Secret('n'.repeat(32)) });
    const verify = createDpopVerifier({ clock, nonce });
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const expectedJkt = await jwkThumbprint(jwk);
    const sign = (claims: Record<string, unknown>) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify({
        jti: randomUUID(),
        htm: 'POST',
        htu: URL_,
        iat: Math.floor(clock.now() / 1000),
        ath: createHash('sha256').update(TOKEN).digest('base64url'),
        ...claims,
      })))
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
        .sign(privateKey);
    const check = async (claims: Record<string, unknown> = {}) =>
      verify({ proof: await sign(claims), method: 'POST', url: URL_, accessToken: TOKEN, expectedJkt });
    return { clock, nonce, check };
  }

  async function nonceChallenge(p: Promise<unknown>, detail: RegExp): Promise<string> {
    const err = (await p.then(
      () => assert.fail('expected use_dpop_nonce'),
      (e: unknown) => e,
    )) as { code: string; detail: string; headers: Record<string, string> };
    assert.equal(err.code, 'RAMPART_AUTH_INVALID_DPOP_PROOF');
    assert.match(err.detail, detail);
    assert.match(err.headers['WWW-Authenticate'] ?? '', /^DPoP error="use_dpop_nonce", /);
    const fresh = err.headers['DPoP-Nonce'];
    assert.match(fresh ?? '', /^[\x21\x23-\x5b\x5d-\x7e]+$/);
    return fresh!;
  }

  it('answers a proof without a nonce with use_dpop_nonce and a fresh nonce, then accepts the retry', async () => {
    const { check } = await setup();
    const fresh = await nonceChallenge(check(), /has no nonce/);
    await check({ nonce: fresh });
  });

  it('accepts the previous nonce after a rotation, refuses an older one or a forged one', async () => {
    const { clock, nonce, check } = await setup();
    const first = await nonce.current();
    clock.advance(300_000);
    await check({ nonce: first });
    clock.advance(300_000);
    const fresh = await nonceChallenge(check({ nonce: first }), /nonce is not current/);
    assert.notEqual(fresh, first);
    const other = createDpopNonceSource({ clock, secret: new Secret('x'.repeat(32)) });
    await nonceChallenge(check({ nonce: await other.current() }), /nonce is not current/);
    for (const bad of ['', 'x'.repeat(300), 42, `${fresh}x`]) await nonceChallenge(check({ nonce: bad }), /nonce is not current/);
  });

  it('fails closed, as a server error, when the nonce source fails', async () => {
    const clock = new ManualClock();
    const verify = createDpopVerifier({ clock, nonce: { current: () => 'n', accepts: () => Promise.reject(new Error('redis down')) } });
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const claims = { jti: 'j', htm: 'GET', htu: URL_, iat: Math.floor(clock.now() / 1000), ath: createHash('sha256').update(TOKEN).digest('base64url'), nonce: 'n' };
    const proof = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(privateKey);
    await assert.rejects(
      verify({ proof, method: 'GET', url: URL_, accessToken: TOKEN, expectedJkt: await jwkThumbprint(jwk) }),
      isCoded('RAMPART_STORE_UNAVAILABLE'),
    );
  });

  it('shares nonces between instances that share the secret', async () => {
    const clock = new ManualClock();
    const a = createDpopNonceSource({ clock, secret: new Secret('s'.repeat(40)) });
    const b = createDpopNonceSource({ clock, secret: new Secret('s'.repeat(40)) });
    assert.equal(await b.accepts(await a.current()), true);
  });

  it('refuses a short secret or a silly rotation period', () => {
    assert.throws(() => createDpopNonceSource({ secret: new Secret('short') }), isCoded('RAMPART_CONFIG_INVALID'));
    for (const rotateSeconds of [0, 1, 1.5, 1e9]) assert.throws(() => createDpopNonceSource({ rotateSeconds }), isCoded('RAMPART_CONFIG_INVALID'));
  });
});

describe('DPoP challenge (RFC 9449 §7.1)', () => {
  it('advertises the accepted algorithms, with or without an error', () => {
    assert.equal(dpopChallenge(['ES256', 'EdDSA']), 'DPoP algs="ES256 EdDSA"');
    assert.equal(dpopChallenge([]), 'DPoP');
    assert.equal(
      dpopChallenge(['ES256'], 'invalid_dpop_proof', 'The proof is too old (iat).'),
      'DPoP error="invalid_dpop_proof", error_description="The proof is too old (iat).", algs="ES256"',
    );
    assert.equal(dpopChallenge(['ES256'], 'invalid_token'), 'DPoP error="invalid_token", algs="ES256"');
  });

  it('cannot be made to inject header content', () => {
    const value = dpopChallenge(['ES256'], 'invalid_dpop_proof', 'a "quoted" \\ value\r\nSet-Cookie: x=1');
    assert.doesNotMatch(value, /[\r\n\\]|"quoted"/);
    assert.throws(() => dpopChallenge(['ES256", error="x']), TypeError);
    assert.throws(() => dpopChallenge(['ES256'], 'made_up' as DpopChallengeError), TypeError);
  });
});

describe('DPoP binding of an access token (cnf.jkt)', () => {
  const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

  it('reads cnf.jkt, and nothing from an unbound token', () => {
    assert.equal(readDpopBinding({ sub: 'a', cnf: { jkt } }), jkt);
    assert.equal(readDpopBinding({ sub: 'a' }), undefined);
    assert.equal(readDpopBinding({ cnf: { 'x5t#S256': 'abc' } }), undefined);
  });

  it('refuses a cnf or cnf.jkt of the wrong shape', () => {
    for (const claims of [{ cnf: 'x' }, { cnf: [jkt] }, { cnf: { jkt: 42 } }, { cnf: { jkt: `${jkt}=` } }, { cnf: { jkt: '' } }]) {
      assert.throws(() => readDpopBinding(claims), isCoded('RAMPART_AUTH_INVALID_TOKEN'));
    }
  });

  it('matches the thumbprint of RFC 7638 §3.1', async () => {
    const rfcKey = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    assert.equal(await jwkThumbprint(rfcKey), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
