/**
 * The JWT attack suite, through the real HTTP surface of the gateway with several trusted issuers
 * (a plain IdP, an explicitly typed IdP, an Entra-style multi-tenant template, and a workload
 * rule). Every forged or misused token must be refused with 401, the right coded error, a Bearer
 * challenge, and without any part of the token echoed back.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CompactSign, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { LocalIdp, signWith, unsecuredJwt, withPayload } from '../support/local-idp.ts';
import { defaultConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { TENANT_A, TENANT_B, entraV2User, kubernetesServiceAccount } from '../support/token-shapes.ts';

const K8S_ISSUER = 'https://kubernetes.default.svc.cluster.local';

let idp: LocalIdp; // plain issuer, RS256 only
let typed: LocalIdp; // issues RFC 9068 at+jwt access tokens, so demands typ at+jwt
let entra: LocalIdp; // keys of an Entra-style multi-tenant issuer
let cluster: LocalIdp; // keys of a Kubernetes service-account issuer
let gw: TestGateway;
let attackerHits = 0;
let attackerUrl = '';
let closeAttacker: () => Promise<void>;
const entraIss = (tenant: string) => `${entra.issuer}/${tenant}/v2.0`;
const nowSec = () => Math.floor(Date.now() / 1000);

before(async () => {
  [idp, typed, entra, cluster] = await Promise.all([LocalIdp.start(), LocalIdp.start(), LocalIdp.start(), LocalIdp.start()]);
  const attacker = createServer((_req, res) => {
    attackerHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks`;
  closeAttacker = async () => {
    attacker.closeAllConnections();
    await new Promise<void>((r) => attacker.close(() => r()));
  };
  gw = await startTestGateway((url, dir) => ({
    ...defaultConfig(url, dir),
    auth: {
      oidc: [
        { issuer: idp.issuer, audience: 'rampart', algorithms: ['RS256'], maxTokenBytes: 4_096, roleMap: { 'chat.invoke': ['user'] } },
        { issuer: typed.issuer, audience: 'rampart', jwksUri: typed.jwksUri, tokenTypes: ['at+jwt'], roleMap: { 'chat.invoke': ['user'] } },
        {
          issuer: `${entra.issuer}/{tenantid}/v2.0`,
          preset: 'entra-v2',
          tenants: [TENANT_A],
          audience: 'api://rampart',
          jwksUri: entra.jwksUri,
          roleMap: { 'AI.User': ['user'] },
        },
      ],
      workloads: [
        {
          issuer: K8S_ISSUER,
          jwksUri: cluster.jwksUri,
          audience: 'rampart',
          subject: 'system:serviceaccount:team-a:*',
          principal: { id: 'k8s:{sub}', roles: ['user'] },
        },
      ],
    },
  }));
});
after(async () => {
  await gw?.close();
  await Promise.all([idp, typed, entra, cluster].map((i) => i?.stop()));
  await closeAttacker?.();
});

async function chat(token: string) {
  const res = await fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, code: (JSON.parse(text) as { error?: { code?: string } }).error?.code };
}

/** 401, the code, a Bearer invalid_token challenge, and no piece of the token in the answer. */
async function refused(token: string, code: string): Promise<void> {
  const r = await chat(token);
  assert.equal(r.status, 401, r.text);
  assert.equal(r.code, code, r.text);
  assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]*", error="invalid_token"/);
  const answer = r.text + (r.headers.get('www-authenticate') ?? '');
  for (const part of token.split('.')) if (part.length >= 8) assert.ok(!answer.includes(part.slice(0, 32)), 'the token is echoed');
}

describe('valid tokens pass (so refusals below are meaningful)', () => {
  it('accepts each trusted issuer', async () => {
    assert.equal((await chat(await idp.sign({ roles: ['chat.invoke'] }))).status, 200);
    assert.equal((await chat(await typed.sign({ roles: ['chat.invoke'] }, { typ: 'at+jwt' }))).status, 200);
    assert.equal((await chat(await entra.sign(entraV2User(entraIss(TENANT_A), 'api://rampart')))).status, 200);
    assert.equal((await chat(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-a', 'bot')))).status, 200);
  });
});

describe('JWT attacks', () => {
  it('alg none, in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) await refused(unsecuredJwt(idp.defaults({ roles: ['chat.invoke'] }), { alg }), 'RAMPART_AUTH_ALG_NOT_ALLOWED');
  });

  it('HS256 signed with the RSA public key (key confusion)', async () => {
    const key = idp.keys.get('key-1')!;
    for (const material of [await exportSPKI(key.publicKey), JSON.stringify(key.publicJwk)]) {
      const token = await signWith(new TextEncoder().encode(material), { alg: 'HS256', kid: 'key-1' }, idp.defaults({ roles: ['chat.invoke'] }));
      await refused(token, 'RAMPART_AUTH_ALG_NOT_ALLOWED');
    }
  });

  it('kid injection: path traversal, SQL-like and oversized kids find no key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    for (const kid of ['../../../../../../dev/null', "key-1' OR '1'='1", 'key-1; DROP TABLE keys;--', '%00key-1', '/etc/passwd']) {
      await refused(await signWith(privateKey, { alg: 'RS256', kid }, idp.defaults({ roles: ['chat.invoke'] })), 'RAMPART_AUTH_INVALID_TOKEN');
    }
    await refused(await signWith(privateKey, { alg: 'RS256', kid: 'k'.repeat(1_000) }, idp.defaults({})), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('unknown kids do not cause unbounded JWKS refetches', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const before = idp.hits.jwks;
    const forged = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signWith(privateKey, { alg: 'RS256', kid: `rotated-${i}` }, idp.defaults({ roles: ['chat.invoke'] }))),
    );
    for (const t of forged) await refused(t, 'RAMPART_AUTH_INVALID_TOKEN');
    assert.ok(idp.hits.jwks - before <= 1, `JWKS fetched ${idp.hits.jwks - before} times for 40 forged kids`);
  });

  it('jku, x5u, jwk and x5c headers are ignored: keys come only from the configured issuer', async () => {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256' };
    for (const header of [{ jku: attackerUrl }, { x5u: attackerUrl }, { jwk }, { x5c: ['MIIBIjANBgkq'] }]) {
      await refused(await signWith(attacker.privateKey, { alg: 'RS256', kid: 'evil', header }, idp.defaults({ roles: ['chat.invoke'] })), 'RAMPART_AUTH_INVALID_TOKEN');
    }
    assert.equal(attackerHits, 0);
  });

  it('expired, nbf in the future, iat far in the future', async () => {
    await refused(await idp.sign({ roles: ['chat.invoke'], exp: nowSec() - 3_600, iat: nowSec() - 7_200 }), 'RAMPART_AUTH_TOKEN_EXPIRED');
    await refused(await idp.sign({ roles: ['chat.invoke'], nbf: nowSec() + 3_600 }), 'RAMPART_AUTH_TOKEN_NOT_YET_VALID');
    await refused(await idp.sign({ roles: ['chat.invoke'], iat: nowSec() + 86_400, exp: nowSec() + 90_000 }), 'RAMPART_AUTH_TOKEN_NOT_YET_VALID');
  });

  it('wrong audience, wrong issuer', async () => {
    await refused(await idp.sign({ roles: ['chat.invoke'], aud: 'https://graph.microsoft.com' }), 'RAMPART_AUTH_WRONG_AUDIENCE');
    await refused(await idp.sign({ roles: ['chat.invoke'], iss: 'https://evil.example' }), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await refused(await idp.sign({ roles: ['chat.invoke'], iss: `${idp.issuer}/` }), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
  });

  it('issuer template: a tenant outside the allow-list, and a tid that does not match the issuer', async () => {
    await refused(await entra.sign(entraV2User(entraIss(TENANT_B), 'api://rampart', { tid: TENANT_B })), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await refused(await entra.sign(entraV2User(entraIss('common'), 'api://rampart')), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await refused(await entra.sign(entraV2User(`${entra.issuer}/{tenantid}/v2.0`, 'api://rampart')), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await refused(await entra.sign(entraV2User(entraIss(TENANT_A), 'api://rampart', { tid: TENANT_B })), 'RAMPART_AUTH_UNTRUSTED_TENANT');
  });

  it('oversized tokens are refused before parsing', async () => {
    await refused(await idp.sign({ roles: ['chat.invoke'], padding: 'x'.repeat(5_000) }), 'RAMPART_AUTH_TOKEN_TOO_LARGE');
    // The issuer's own cap (4 KiB) applies even though other issuers accept up to 16 KiB.
    await refused(await idp.sign({ roles: ['chat.invoke'], padding: 'x'.repeat(3_500) }), 'RAMPART_AUTH_TOKEN_TOO_LARGE');
  });

  it('wrong typ: a DPoP proof, a logout token, an ID token where an at+jwt access token is expected', async () => {
    await refused(await idp.sign({ roles: ['chat.invoke'] }, { typ: 'dpop+jwt' }), 'RAMPART_AUTH_WRONG_TOKEN_TYPE');
    await refused(await idp.sign({ roles: ['chat.invoke'] }, { typ: 'logout+jwt' }), 'RAMPART_AUTH_WRONG_TOKEN_TYPE');
    const idToken = await typed.sign({ roles: ['chat.invoke'], nonce: 'n-0S6_WzA2Mj', azp: 'rampart' }, { typ: 'JWT' });
    await refused(idToken, 'RAMPART_AUTH_WRONG_TOKEN_TYPE');
    await refused(await typed.sign({ roles: ['chat.invoke'] }), 'RAMPART_AUTH_WRONG_TOKEN_TYPE');
  });

  it("a token naming issuer A signed with issuer B's key (same kid)", async () => {
    await refused(await entra.sign({ ...idp.defaults({ roles: ['chat.invoke'] }) }), 'RAMPART_AUTH_INVALID_TOKEN');
    await refused(await idp.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-a', 'bot')), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('a tampered payload, and an unknown critical header', async () => {
    await refused(withPayload(await idp.sign({ roles: [] }), idp.defaults({ roles: ['chat.invoke'] })), 'RAMPART_AUTH_INVALID_TOKEN');
    const key = idp.keys.get('key-1')!;
    const crit = await new CompactSign(new TextEncoder().encode(JSON.stringify(idp.defaults({ roles: ['chat.invoke'] }))))
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1', crit: ['b64x'], b64x: true })
      .sign(key.privateKey, { crit: { b64x: true } });
    await refused(crit, 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('a workload token whose subject no rule trusts, or for another audience', async () => {
    await refused(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'kube-system', 'admin')), 'RAMPART_AUTH_WORKLOAD_NOT_TRUSTED');
    await refused(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'https://kubernetes.default.svc', 'team-a', 'bot')), 'RAMPART_AUTH_WRONG_AUDIENCE');
  });
});
