/**
 * DPoP-bound tokens (RFC 9449) through the gateway, from the client's and the attacker's side:
 * a token bound to the client's key works only with a fresh proof by that key for this request;
 * stolen tokens, replayed or misdirected proofs are refused with a DPoP challenge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID, createHash } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { LocalIdp } from '../support/local-idp.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { redisSkipReason, randomName, deleteRedisKeys } from '../support/backends.ts';

interface ClientKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

let idp: LocalIdp;
let gw: TestGateway;
let strict: TestGateway;
let client: ClientKey;
let thief: ClientKey;

async function clientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** RFC 9449 §4.2: a proof for one request, signed by the client's key. */
async function proof(key: ClientKey, htu: string, token: string, opts: { htm?: string; iat?: number; jti?: string } = {}): Promise<string> {
  return new SignJWT({ htm: opts.htm ?? 'POST', htu, jti: opts.jti ?? randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .setIssuedAt(opts.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

const boundToken = (jkt: string, sub = 'alice') => idp.sign({ sub, roles: ['chat.invoke'], cnf: { jkt } });

function configFor(mode: 'optional' | 'required', extra: Record<string, unknown> = {}) {
  return (url: string, dir: string) => ({
    ...defaultConfig(url, dir),
    server: { port: 0, trustedProxies: ['127.0.0.1'] },
    auth: {
      oidc: [{ issuer: idp.issuer, audience: 'rampart', jwksUri: idp.jwksUri, roleMap: { 'chat.invoke': ['user'] } }],
      dpop: { mode, ...extra },
    },
  });
}

async function chat(target: TestGateway, authorization: string, dpop?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${target.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...(dpop ? { dpop } : {}), ...headers },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await res.json()) as { error?: { code?: string; message?: string } };
  return { status: res.status, code: body.error?.code, message: body.error?.message ?? '', challenge: res.headers.get('www-authenticate') ?? '', nonce: res.headers.get('dpop-nonce') };
}

const htuOf = (target: TestGateway) => `${target.app.url}/v1/chat/completions`;

before(async () => {
  idp = await LocalIdp.start();
  client = await clientKey();
  thief = await clientKey();
  gw = await startTestGateway(configFor('optional'));
  strict = await startTestGateway(configFor('required'));
});
after(async () => {
  await gw?.close();
  await strict?.close();
  await idp?.stop();
});

describe('DPoP-bound tokens', () => {
  it('accepts a bound token with a proof by its key for this request', async () => {
    const token = await boundToken(client.jkt);
    const r = await chat(gw, `DPoP ${token}`, await proof(client, htuOf(gw), token));
    assert.equal(r.status, 200, r.message);
    // The scheme name is case-insensitive; a query string is not part of htu.
    assert.equal((await chat(gw, `dpop ${token}`, await proof(client, `${htuOf(gw)}?x=1`, token))).status, 200);
  });

  it('refuses a bound token sent as Bearer: a stolen token is useless without the key', async () => {
    const r = await chat(gw, `Bearer ${await boundToken(client.jkt)}`);
    assert.equal(r.status, 401);
    assert.equal(r.code, 'RAMPART_AUTH_INVALID_TOKEN');
    assert.match(r.challenge, /^DPoP error="invalid_token"/);
  });

  it('refuses a replayed proof, a proof by another key, and proofs for another request', async () => {
    const token = await boundToken(client.jkt);
    const p = await proof(client, htuOf(gw), token);
    assert.equal((await chat(gw, `DPoP ${token}`, p)).status, 200);
    const replay = await chat(gw, `DPoP ${token}`, p);
    assert.equal(replay.status, 401);
    assert.equal(replay.code, 'RAMPART_AUTH_INVALID_DPOP_PROOF');
    assert.match(replay.challenge, /^DPoP error="invalid_dpop_proof"/);
    assert.match(replay.challenge, /algs="ES256/);

    const cases = [
      ['thief key', await proof(thief, htuOf(gw), token)],
      ['other path', await proof(client, `${gw.app.url}/v1/embeddings`, token)],
      ['other host', await proof(client, 'https://evil.example/v1/chat/completions', token)],
      ['other method', await proof(client, htuOf(gw), token, { htm: 'GET' })],
      ['old proof', await proof(client, htuOf(gw), token, { iat: Math.floor(Date.now() / 1000) - 600 })],
      ['proof for another token', await proof(client, htuOf(gw), await boundToken(client.jkt, 'bob'))],
    ] as const;
    for (const [name, bad] of cases) {
      const r = await chat(gw, `DPoP ${token}`, bad);
      assert.equal(r.status, 401, name);
      assert.match(r.challenge, /^DPoP /, name);
      assert.doesNotMatch(r.message + r.challenge, new RegExp(token.slice(-20)), `${name}: the token is not echoed`);
    }
    assert.equal((await chat(gw, `DPoP ${token}`)).code, 'RAMPART_AUTH_INVALID_DPOP_PROOF', 'no proof at all');
  });

  it('refuses the DPoP scheme for unbound tokens and API keys', async () => {
    const unbound = await idp.sign({ roles: ['chat.invoke'] });
    const r = await chat(gw, `DPoP ${unbound}`, await proof(client, htuOf(gw), unbound));
    assert.equal(r.status, 401);
    assert.equal(r.code, 'RAMPART_AUTH_INVALID_TOKEN');
    assert.equal((await chat(gw, `Bearer ${unbound}`)).status, 200, 'optional mode: unbound bearer tokens still work');
    const key = await gw.key(['user']);
    assert.equal((await chat(gw, `DPoP ${key}`, await proof(client, htuOf(gw), key))).code, 'RAMPART_AUTH_MALFORMED');
  });

  it('challenges with both schemes when no credential is sent', async () => {
    const r = await chat(gw, '');
    assert.equal(r.status, 401);
    assert.match(r.challenge, /^Bearer realm="rampart", DPoP algs="ES256 ES384 EdDSA RS256 PS256"$/);
  });

  it('in required mode refuses every unbound token and accepts bound ones', async () => {
    const unbound = await chat(strict, `Bearer ${await idp.sign({ roles: ['chat.invoke'] })}`);
    assert.equal(unbound.status, 401);
    assert.match(unbound.message, /only DPoP-bound/);
    const token = await boundToken(client.jkt);
    assert.equal((await chat(strict, `DPoP ${token}`, await proof(client, htuOf(strict), token))).status, 200);
  });

  it('checks htu against the scheme a trusted proxy reports', async () => {
    const token = await boundToken(client.jkt);
    const host = new URL(gw.app.url).host;
    const https = await proof(client, `https://${host}/v1/chat/completions`, token);
    assert.equal((await chat(gw, `DPoP ${token}`, https, { 'x-forwarded-proto': 'https' })).status, 200);
    const plain = await proof(client, `https://${host}/v1/chat/completions`, token);
    assert.equal((await chat(gw, `DPoP ${token}`, plain)).status, 401, 'without the proxy saying https, the URL is http');
  });
});

describe('DPoP nonces and shared replay', () => {
  it('asks for a server nonce and accepts the retry that carries it', async () => {
    const nonced = await startTestGateway(configFor('optional', { nonce: true }));
    try {
      const token = await boundToken(client.jkt);
      const first = await chat(nonced, `DPoP ${token}`, await proof(client, htuOf(nonced), token));
      assert.equal(first.status, 401);
      assert.match(first.challenge, /error="use_dpop_nonce"/);
      assert.ok(first.nonce);
      const withNonce = await new SignJWT({ htm: 'POST', htu: htuOf(nonced), jti: randomUUID(), nonce: first.nonce, ath: createHash('sha256').update(token).digest('base64url') })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: client.jwk })
        .setIssuedAt()
        .sign(client.privateKey);
      assert.equal((await chat(nonced, `DPoP ${token}`, withNonce)).status, 200);
    } finally {
      await nonced.close();
    }
  });

  it('refuses on one instance a proof already used on another (Redis)', async (t) => {
    const skip = await redisSkipReason();
    if (skip) return t.skip(skip);
    const prefix = randomName('rampart-test-dpop:');
    const shared = (url: string, dir: string) => ({
      ...configFor('optional', { publicBaseUrl: 'https://ai.example.com' })(url, dir),
      counters: { kind: 'redis', url: 'redis://127.0.0.1:6379', keyPrefix: prefix },
    });
    const a = await startTestGateway(shared);
    const b = await startTestGateway(shared);
    try {
      const token = await boundToken(client.jkt);
      const p = await proof(client, 'https://ai.example.com/v1/chat/completions', token);
      assert.equal((await chat(a, `DPoP ${token}`, p)).status, 200);
      const replay = await chat(b, `DPoP ${token}`, p);
      assert.equal(replay.status, 401);
      assert.equal(replay.code, 'RAMPART_AUTH_INVALID_DPOP_PROOF');
    } finally {
      await a.close();
      await b.close();
      await deleteRedisKeys(prefix);
    }
  });
});
