/**
 * The DPoP proof verifier (RFC 9449 §4.3) from the attacker's side: a client with a bound token and
 * its key gets through; every forged, stolen, replayed or misdirected proof is refused with
 * RAMPART_AUTH_INVALID_DPOP_PROOF, a detail naming the failed check, and a DPoP challenge.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import { Secret } from '../../src/core/secret.ts';
import { createDpopVerifier, jwkThumbprint, type DpopCheck, type DpopOptions } from '../../src/identity/dpop.ts';

const URL_ = 'https://gateway.example.com/v1/chat/completions';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImNuZiI6e319.c2lnbmF0dXJl';
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

interface Client {
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

async function client(alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256' = 'ES256'): Promise<Client> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await jwkThumbprint(jwk) };
}

interface ProofOptions {
  claims?: Record<string, unknown>;
  omitClaims?: readonly string[];
  header?: Record<string, unknown>;
  omitHeader?: readonly string[];
  /** Sign with this key instead of the client's. */
  key?: CryptoKey | Uint8Array;
}

/** A DPoP proof as a client (or an attacker) would build it; defaults make a valid one. */
async function proof(c: Client, clock: ManualClock, o: ProofOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = { jti: randomUUID(), htm: 'POST', htu: URL_, iat: Math.floor(clock.now() / 1000), ath: ath(TOKEN), ...o.claims };
  for (const k of o.omitClaims ?? []) delete claims[k];
  const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: c.alg, jwk: c.jwk, ...o.header };
  for (const k of o.omitHeader ?? []) delete header[k];
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header as { alg: string })
    .sign(o.key ?? c.privateKey);
}

function setup(options: DpopOptions = {}) {
  const clock = new ManualClock();
  const verify = createDpopVerifier({ clock, ...options });
  const check = (c: Client, p: DpopCheck['proof'], over: Partial<DpopCheck> = {}) =>
    verify({ proof: p, method: 'POST', url: URL_, accessToken: TOKEN, expectedJkt: c.jkt, ...over });
  return { clock, verify, check };
}

interface RefusalShape {
  code?: unknown;
  status?: unknown;
  detail?: unknown;
  message?: unknown;
  headers?: Record<string, string>;
}

/** Expects a refusal with the DPoP code, its detail and its challenge. */
async function refused(p: Promise<unknown>, detail: RegExp, challengeError = 'invalid_dpop_proof', algs = 'ES256 ES384 EdDSA RS256 PS256'): Promise<RefusalShape> {
  try {
    await p;
  } catch (e) {
    const err = e as RefusalShape;
    assert.equal(err.code, 'RAMPART_AUTH_INVALID_DPOP_PROOF', `expected a DPoP refusal, got ${String(e)}; cause: ${String((e as Error).cause)}`);
    assert.equal(err.status, 401);
    assert.match(String(err.detail), detail);
    assert.match(err.headers?.['WWW-Authenticate'] ?? '', new RegExp(`^DPoP error="${challengeError}", error_description="[^"]+", algs="${algs}"$`));
    assert.ok(!String(err.message).includes(TOKEN));
    return err;
  }
  assert.fail(`expected a refusal matching ${detail}, but the proof was accepted`);
}

describe('DPoP proofs that must pass', () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256'] as const) {
    it(`accepts a fresh ${alg} proof by the key the token is bound to`, async () => {
      const { clock, check } = setup();
      const c = await client(alg);
      const p = await proof(c, clock, { claims: { jti: 'jti-1' } });
      assert.deepEqual(await check(c, p), { jkt: c.jkt, jti: 'jti-1' });
    });
  }

  it('ignores the query string and fragment of the request URL (RFC 9449 §4.3 point 9)', async () => {
    const { clock, check } = setup();
    const c = await client();
    await check(c, await proof(c, clock), { url: `${URL_}?api-version=2024-10-21#frag` });
    await check(c, await proof(c, clock, { claims: { htu: `${URL_}?other=1` } }));
  });

  it('compares htu after normalising scheme and host case, default port and percent-encoding', async () => {
    const { clock, check } = setup();
    const c = await client();
    await check(c, await proof(c, clock, { claims: { htu: 'HTTPS://Gateway.EXAMPLE.com:443/v1/chat/completions' } }));
    await check(c, await proof(c, clock, { claims: { htu: 'https://gateway.example.com/v1/%7euser/a%2fb' } }), { url: 'https://gateway.example.com/v1/~user/a%2Fb' });
    await check(c, await proof(c, clock, { claims: { htu: 'http://localhost:80/x' } }), { url: 'http://LOCALHOST/x' });
  });

  it('accepts iat at the edges of the window (60 s old, 5 s ahead)', async () => {
    const { clock, check } = setup();
    const c = await client();
    const nowSec = Math.floor(clock.now() / 1000);
    await check(c, await proof(c, clock, { claims: { iat: nowSec - 60 } }));
    await check(c, await proof(c, clock, { claims: { iat: nowSec + 5 } }));
  });

  it('takes the access token as a Secret, a single-element header array, and typ application/dpop+jwt', async () => {
    const { clock, check } = setup();
    const c = await client();
    await check(c, [await proof(c, clock)], { accessToken: new Secret(TOKEN) });
    await check(c, await proof(c, clock, { header: { typ: 'application/dpop+jwt' } }));
  });

  it('accepts a jwk as WebCrypto exports it (key_ops, ext) and an informational kid', async () => {
    const { clock, check } = setup();
    const c = await client();
    const jwk = { ...c.jwk, key_ops: ['verify'], ext: true, alg: 'ES256', use: 'sig', kid: 'k1' };
    await check(c, await proof(c, clock, { header: { jwk, kid: 'k1' } }));
  });
});

describe('DPoP attack suite', () => {
  it('refuses a request with no proof, an empty one or a garbled one', async () => {
    const { clock, check } = setup();
    const c = await client();
    await refused(check(c, undefined), /no DPoP proof/);
    await refused(check(c, ''), /no DPoP proof/);
    await refused(check(c, []), /no DPoP proof/);
    for (const bad of ['not-a-jwt', 'a.b', 'a.b.c.d', '!!.e30.sig', 'e30 .e30.sig']) {
      await refused(check(c, bad), /not a JWT in JWS compact serialization/);
    }
    await refused(check(c, `${b64('not json')}.${b64({})}.c2ln`), /header is not a base64url-encoded JSON object/);
    await refused(check(c, `${b64([1])}.${b64({})}.c2ln`), /header is not a base64url-encoded JSON object/);
    const valid = await proof(c, clock);
    const [h, , sig] = valid.split('.');
    await refused(check(c, `${h}.${b64('[]')}.${sig}`), /payload is not a base64url-encoded JSON object/);
    await refused(check(c, `${h}.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${sig}`), /payload is not/);
  });

  it('refuses two proofs, whether as two headers or joined into one', async () => {
    const { clock, check } = setup();
    const c = await client();
    const [a, b] = [await proof(c, clock), await proof(c, clock)];
    await refused(check(c, [a, b]), /exactly one DPoP header/);
    await refused(check(c, `${a}, ${b}`), /exactly one DPoP proof/);
    await refused(check(c, `${a},${b}`), /exactly one DPoP proof/);
  });

  it('refuses an oversized proof before decoding it', async () => {
    const { clock, check } = setup();
    const c = await client();
    await refused(check(c, await proof(c, clock, { claims: { pad: 'x'.repeat(8_000) } })), /longer than 8192 characters/);
    await refused(check(c, `${'a'.repeat(100_000)}.b.c`), /longer than 8192 characters/);
  });

  it('refuses an unsigned proof (alg none), with or without a signature part', async () => {
    const { clock, check } = setup();
    const c = await client();
    const claims = { jti: randomUUID(), htm: 'POST', htu: URL_, iat: Math.floor(clock.now() / 1000), ath: ath(TOKEN) };
    for (const alg of ['none', 'None', 'NONE']) {
      const header = { typ: 'dpop+jwt', alg, jwk: c.jwk };
      await refused(check(c, `${b64(header)}.${b64(claims)}.`), /not signed \(alg none\)/);
      await refused(check(c, `${b64(header)}.${b64(claims)}.c2lnbmF0dXJl`), /not signed \(alg none\)/);
    }
  });

  it('refuses an HS256 proof whose HMAC key is the public jwk (key confusion)', async () => {
    const { clock, check } = setup();
    const c = await client();
    for (const material of [JSON.stringify(c.jwk), String(c.jwk.x)]) {
      const p = await proof(c, clock, { header: { alg: 'HS256' }, key: new TextEncoder().encode(material) });
      await refused(check(c, p), /alg is not one this gateway accepts/);
    }
    const oct = { kty: 'oct', k: b64('shared-secret-shared-secret-1234') };
    await refused(check(c, await proof(c, clock, { header: { alg: 'HS256', jwk: oct }, key: new TextEncoder().encode('shared-secret-shared-secret-1234') })), /alg is not one/);
    await refused(check(c, await proof(c, clock, { header: { jwk: oct } })), /symmetric key/);
  });

  it('refuses an alg outside the configured allow-list even when the key would verify it', async () => {
    const { clock, check } = setup({ algorithms: ['EdDSA'] });
    const c = await client('ES256');
    // The challenge advertises what is accepted instead.
    await refused(check(c, await proof(c, clock)), /alg is not one this gateway accepts/, 'invalid_dpop_proof', 'EdDSA');
  });

  it('refuses a proof whose typ is not dpop+jwt', async () => {
    const { clock, check } = setup();
    const c = await client();
    for (const typ of ['JWT', 'at+jwt', 'dpop', 'application/jwt']) {
      await refused(check(c, await proof(c, clock, { header: { typ } })), /typ is not dpop\+jwt/);
    }
    await refused(check(c, await proof(c, clock, { omitHeader: ['typ'] })), /typ is not dpop\+jwt/);
  });

  it('refuses a jwk that carries private key members', async () => {
    const { clock, check } = setup();
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
      const c = await client(alg);
      const priv = await exportJWK(c.privateKey); // d (and p, q, dp, dq, qi for RSA)
      await refused(check(c, await proof(c, clock, { header: { jwk: priv } })), /contains private key material/);
    }
    const c = await client();
    await refused(check(c, await proof(c, clock, { header: { jwk: { ...c.jwk, d: 'AAAA' } } })), /private key material/);
  });

  it('refuses a proof without a jwk, or naming its key by kid, jku, x5u or x5c instead', async () => {
    const { clock, check } = setup();
    const c = await client();
    await refused(check(c, await proof(c, clock, { omitHeader: ['jwk'] })), /has no jwk/);
    await refused(check(c, await proof(c, clock, { omitHeader: ['jwk'], header: { kid: 'victim-key' } })), /has no jwk/);
    for (const ref of [{ jku: 'https://evil.example/jwks' }, { x5u: 'https://evil.example/cert' }, { x5c: ['MIIB'] }]) {
      await refused(check(c, await proof(c, clock, { header: ref })), /not by reference/);
    }
    await refused(check(c, await proof(c, clock, { header: { jwk: 'not an object' } })), /jwk is not a JSON object/);
  });

  it('refuses a jwk that does not fit the alg or has unexpected members', async () => {
    const { clock, check } = setup();
    const c = await client();
    const ed = await client('EdDSA');
    await refused(check(c, await proof(c, clock, { header: { jwk: ed.jwk } })), /key type does not match its alg/);
    await refused(check(c, await proof(c, clock, { header: { jwk: { ...c.jwk, crv: 'P-384' } } })), /curve does not match/);
    await refused(check(c, await proof(c, clock, { header: { jwk: { ...c.jwk, x: 'AAAA' } } })), /x coordinate/);
    await refused(check(c, await proof(c, clock, { header: { jwk: { ...c.jwk, x5u: 'https://evil.example/cert' } } })), /member a public key does not need/);
    await refused(check(c, await proof(c, clock, { header: { jwk: { ...c.jwk, alg: 'ES384' } } })), /jwk alg differs/);
    await refused(check(c, await proof(c, clock, { header: { jwk: { ...c.jwk, use: 'enc' } } })), /not a signing key/);
    await refused(check(c, await proof(c, clock, { header: { cty: 'x' } })), /parameter other than typ, alg, jwk and kid/);
    await refused(check(c, await proof(c, clock, { header: { kid: 'k'.repeat(300) } })), /kid is not a short string/);
  });

  it('refuses a jwk point that is not on its curve', async () => {
    const { clock, check } = setup();
    const c = await client();
    const jwk = { ...c.jwk, y: Buffer.alloc(32, 1).toString('base64url') };
    const bound = { ...c, jkt: await jwkThumbprint(jwk) };
    await refused(check(bound, await proof(c, clock, { header: { jwk } })), /not a valid public key|signature does not verify/);
  });

  it("refuses a proof signed by another key than the jwk it carries (the victim's public key)", async () => {
    const { clock, check } = setup();
    const victim = await client();
    const attacker = await client();
    const forged = await proof(victim, clock, { key: attacker.privateKey });
    await refused(check(victim, forged), /signature does not verify with its jwk/);
  });

  it('refuses a valid proof by another key than the one the token is bound to (stolen token)', async () => {
    const { clock, check } = setup();
    const victim = await client();
    const attacker = await client();
    const p = await proof(attacker, clock);
    await refused(check(victim, p), /not the key the access token is bound to/, 'invalid_token');
    await refused(check(victim, p, { expectedJkt: '' }), /not the key the access token is bound to/, 'invalid_token');
  });

  it('refuses a proof for another method', async () => {
    const { clock, check } = setup();
    const c = await client();
    await refused(check(c, await proof(c, clock, { claims: { htm: 'GET' } })), /htm does not match/);
    await refused(check(c, await proof(c, clock, { claims: { htm: 'post' } })), /htm does not match/);
    await refused(check(c, await proof(c, clock, { omitClaims: ['htm'] })), /no htm claim/);
  });

  it('refuses a proof for another URL: host, path, port, scheme or user info', async () => {
    const { clock, check } = setup();
    const c = await client();
    for (const htu of [
      'https://evil.example.com/v1/chat/completions',
      'https://gateway.example.com/v1/embeddings',
      'https://gateway.example.com/v1/chat/completions/',
      'https://gateway.example.com:8443/v1/chat/completions',
      'http://gateway.example.com/v1/chat/completions',
      'https://user@gateway.example.com/v1/chat/completions',
    ]) {
      await refused(check(c, await proof(c, clock, { claims: { htu } })), /htu does not match the request URL/);
    }
    for (const htu of ['/v1/chat/completions', 'not a url', 'ftp://gateway.example.com/v1/chat/completions', 'javascript:alert(1)']) {
      await refused(check(c, await proof(c, clock, { claims: { htu } })), /htu is not an absolute http\(s\) URL/);
    }
    await refused(check(c, await proof(c, clock, { omitClaims: ['htu'] })), /no htu claim/);
  });

  it('refuses a proof that is too old or issued in the future', async () => {
    const { clock, check } = setup();
    const c = await client();
    const nowSec = Math.floor(clock.now() / 1000);
    await refused(check(c, await proof(c, clock, { claims: { iat: nowSec - 61 } })), /too old/);
    await refused(check(c, await proof(c, clock, { claims: { iat: nowSec + 6 } })), /issued in the future/);
    await refused(check(c, await proof(c, clock, { claims: { iat: String(nowSec) } })), /no numeric iat/);
    await refused(check(c, await proof(c, clock, { omitClaims: ['iat'] })), /no numeric iat/);
    // A proof captured now and replayed after the window.
    const captured = await proof(c, clock);
    clock.advance(61_000);
    await refused(check(c, captured), /too old/);
  });

  it('honours a configured window', async () => {
    const { clock, check } = setup({ maxAgeSeconds: 10, clockSkewSeconds: 0 });
    const c = await client();
    const nowSec = Math.floor(clock.now() / 1000);
    await refused(check(c, await proof(c, clock, { claims: { iat: nowSec - 11 } })), /too old/);
    await refused(check(c, await proof(c, clock, { claims: { iat: nowSec + 1 } })), /issued in the future/);
  });

  it('refuses a proof without ath, or with the hash of another token', async () => {
    const { clock, check } = setup();
    const c = await client();
    await refused(check(c, await proof(c, clock, { omitClaims: ['ath'] })), /no ath claim/);
    await refused(check(c, await proof(c, clock, { claims: { ath: ath(`${TOKEN}x`) } })), /ath does not match the access token/);
    await refused(check(c, await proof(c, clock), { accessToken: 'another.access.token' }), /ath does not match/);
    await refused(check(c, await proof(c, clock, { claims: { ath: ath('') } }), { accessToken: '' }), /No access token/);
  });

  it('refuses a proof without a usable jti', async () => {
    const { clock, check } = setup();
    const c = await client();
    await refused(check(c, await proof(c, clock, { omitClaims: ['jti'] })), /jti is missing/);
    await refused(check(c, await proof(c, clock, { claims: { jti: '' } })), /jti is missing/);
    await refused(check(c, await proof(c, clock, { claims: { jti: 42 } })), /jti is missing/);
    await refused(check(c, await proof(c, clock, { claims: { jti: 'j'.repeat(257) } })), /jti is missing/);
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`c${i}`, i]));
    await refused(check(c, await proof(c, clock, { claims: many })), /more than 32 claims/);
  });

  it('refuses a replayed proof, and a new proof that reuses a jti', async () => {
    const { clock, check } = setup();
    const c = await client();
    const p = await proof(c, clock);
    await check(c, p);
    await refused(check(c, p), /already used \(jti replay\)/);
    clock.advance(30_000);
    await refused(check(c, p), /already used/);
    await refused(check(c, await proof(c, clock, { claims: { jti: JSON.parse(Buffer.from(p.split('.')[1]!, 'base64url').toString()).jti } })), /already used/);
  });

  it('keys replay on jti and key: another client may pick the same jti', async () => {
    const { clock, check } = setup();
    const [a, b] = [await client(), await client('EdDSA')];
    await check(a, await proof(a, clock, { claims: { jti: 'same' } }));
    await check(b, await proof(b, clock, { claims: { jti: 'same' } }));
  });

  it('does not let a forged proof use up a legitimate jti', async () => {
    const { clock, check } = setup();
    const victim = await client();
    const attacker = await client();
    await refused(check(victim, await proof(victim, clock, { claims: { jti: 'victim-next' }, key: attacker.privateKey })), /signature does not verify/);
    await check(victim, await proof(victim, clock, { claims: { jti: 'victim-next' } }));
  });

  it('fails closed when the replay store fails or answers nonsense', async () => {
    const c = await client();
    const down = setup({ replay: { claim: () => Promise.reject(new Error('ECONNREFUSED')) } });
    await assert.rejects(down.check(c, await proof(c, down.clock)), (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_STORE_UNAVAILABLE');
    const odd = setup({ replay: { claim: () => 'yes' as unknown as boolean } });
    await refused(odd.check(c, await proof(c, odd.clock)), /already used/);
  });

  it('never echoes the proof or the token in the error', async () => {
    const { clock, check } = setup();
    const victim = await client();
    const attacker = await client();
    const p = await proof(attacker, clock, { claims: { htu: 'https://evil.example.com/<script>' } });
    const err = await refused(check(victim, p), /htu does not match/);
    const everything = JSON.stringify(err) + String(err.message) + JSON.stringify(err.headers);
    for (const part of p.split('.')) assert.ok(!everything.includes(part));
    assert.ok(!everything.includes('evil.example.com') && !everything.includes(TOKEN));
  });
});

describe('DPoP verifier options', () => {
  it('refuses none, HS* and unknown algorithms when the verifier is built', () => {
    for (const algorithms of [['none'], ['HS256'], ['ES256', 'hs512'], ['ES256K'], ['toString'], [], 'ES256' as unknown as string[]]) {
      assert.throws(() => createDpopVerifier({ algorithms }), (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_CONFIG_INVALID');
    }
  });

  it('refuses a window that makes no sense', () => {
    for (const o of [{ maxAgeSeconds: 0 }, { maxAgeSeconds: Number.NaN }, { maxAgeSeconds: 86_400 }, { clockSkewSeconds: -1 }]) {
      assert.throws(() => createDpopVerifier(o), (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_CONFIG_INVALID');
    }
  });

  it("does not mutate or keep the caller's algorithm list", async () => {
    const algorithms = ['ES256'];
    const options = Object.freeze({ algorithms, clock: new ManualClock() });
    const verify = createDpopVerifier(options);
    algorithms.push('EdDSA');
    const clock = options.clock;
    const ed = await client('EdDSA');
    const p = await proof(ed, clock);
    await refused(verify({ proof: p, method: 'POST', url: URL_, accessToken: TOKEN, expectedJkt: ed.jkt }), /alg is not one this gateway accepts/, 'invalid_dpop_proof', 'ES256');
  });

  it('treats a request URL it cannot parse as a server error, not a client one', async () => {
    const { clock, check } = setup();
    const c = await client();
    await assert.rejects(check(c, await proof(c, clock), { url: '/v1/chat/completions' }), (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_INTERNAL');
  });
});
