/**
 * Rampart's own calls to Azure OpenAI with Microsoft Entra ID tokens instead of a resource key:
 * a real OpenID provider (oidc-provider, on Entra's token path) issues the tokens through the
 * client credentials grant, proven by a federated token file, a certificate or a client secret.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SignJWT, createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { azureOpenAiProvider } from '../../../src/gateway/providers/azure-openai/index.ts';
import { ClientCredentialsTokenSource, entraProof } from '../../../src/identity/client-credentials.ts';
import { entraCredentialSchema } from '../../../src/config/upstream-credential.ts';
import { startMockUpstream, type MockUpstream } from '../../support/mock-upstream.ts';
import { RealIdp } from '../../support/oidc-provider-idp.ts';
import { callOpts, failure, makeTarget } from './target-helper.ts';

const SCOPE = 'https://cognitiveservices.azure.com/.default';
const AUDIENCE = 'https://cognitiveservices.azure.com';
const TENANT = 'tenant-a';
const dir = mkdtempSync(join(tmpdir(), 'rampart-entra-'));

let idp: RealIdp;
let up: MockUpstream;
let federatedKey: CryptoKey;
let hasOpenssl = true;

const tokenUrl = () => `${idp.issuer}/${TENANT}/oauth2/v2.0/token`;

/** What a Kubernetes projected token looks like to Entra here: an assertion of the federated client. */
async function writeFederatedToken(path: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('fed-app').setSubject('fed-app').setAudience(tokenUrl()).setJti(randomUUID()).setIssuedAt(now).setExpirationTime(now + 600).sign(federatedKey);
  writeFileSync(path, `${jwt}\n`);
}

before(async () => {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'app.key'), '-out', join(dir, 'app.crt'), '-subj', '/CN=rampart-upstream', '-days', '1'], { stdio: 'ignore' });
  } catch {
    hasOpenssl = false;
  }
  const fed = await generateKeyPair('ES256', { extractable: true });
  federatedKey = fed.privateKey;
  const base = { grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: SCOPE };
  const extraClients: Record<string, unknown>[] = [
    { ...base, client_id: 'fed-app', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [{ ...(await exportJWK(fed.publicKey)), alg: 'ES256', use: 'sig' }] } },
    { ...base, client_id: 'secret-app', client_secret: 'entra-client-SECRET-0123456789abcdef', token_endpoint_auth_method: 'client_secret_post' },
  ];
  if (hasOpenssl) {
    const pub = createPublicKey(readFileSync(join(dir, 'app.crt'), 'utf8'));
    extraClients.push({ ...base, client_id: 'cert-app', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'RS256', jwks: { keys: [{ ...(await exportJWK(pub)), alg: 'RS256', use: 'sig' }] } });
  }
  idp = await RealIdp.start({ audience: AUDIENCE, clientIds: [], scopes: [SCOPE], extraClients, routes: { token: `/${TENANT}/oauth2/v2.0/token` } });
  up = await startMockUpstream();
});
after(async () => {
  await up?.close();
  await idp?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => up.reset());

function entraTarget(entra: Record<string, unknown>, endpoint = up.url) {
  return makeTarget(azureOpenAiProvider, { endpoint, deployment: 'gpt4o', entra: { tenantId: TENANT, authorityHost: idp.issuer, ...entra } });
}

async function verifyAtUpstream(authorization: string | undefined) {
  assert.match(authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  const { payload } = await jwtVerify(authorization!.slice(7), jwks, { issuer: idp.issuer, audience: AUDIENCE });
  return payload;
}

describe('azure-openai with Entra ID tokens', () => {
  it('gets a token with a federated token file, sends it as bearer, and reuses it until it nears expiry', async () => {
    const file = join(dir, 'azure-identity-token');
    await writeFederatedToken(file);
    const target = entraTarget({ clientId: 'fed-app', federatedTokenFile: file });
    try {
      const before = idp.tokenRequests;
      await target.call('chat.completions', { messages: [{ role: 'user', content: 'hi' }] }, callOpts());
      await target.call('chat.completions', { messages: [{ role: 'user', content: 'again' }] }, callOpts());
      assert.equal(idp.tokenRequests - before, 1, 'one token for both calls');
      const payload = await verifyAtUpstream(up.requests[0]!.headers['authorization'] as string);
      assert.equal(payload.client_id, 'fed-app');
      assert.equal(up.requests[0]!.headers['api-key'], undefined);
      assert.equal(up.requests[1]!.headers['authorization'], up.requests[0]!.headers['authorization']);
    } finally {
      await target.close();
    }
  });

  it('signs its own client assertion with a certificate key (private_key_jwt, x5t#S256)', async (t) => {
    if (!hasOpenssl) return t.skip('openssl is not installed: no certificate to test with');
    const target = entraTarget({ clientId: 'cert-app', clientCertificate: { privateKey: readFileSync(join(dir, 'app.key'), 'utf8'), certificate: readFileSync(join(dir, 'app.crt'), 'utf8') } });
    try {
      await target.call('chat.completions', { messages: [] }, callOpts());
      assert.equal((await verifyAtUpstream(up.requests[0]!.headers['authorization'] as string)).client_id, 'cert-app');
    } finally {
      await target.close();
    }
  });

  it('works with a client secret, and never shows the secret or the token in a failure', async () => {
    const good = entraTarget({ clientId: 'secret-app', clientSecret: 'entra-client-SECRET-0123456789abcdef' });
    const bad = entraTarget({ clientId: 'secret-app', clientSecret: 'entra-WRONG-secret-fedcba9876543210' });
    try {
      await good.call('chat.completions', { messages: [] }, callOpts());
      assert.equal((await verifyAtUpstream(up.requests[0]!.headers['authorization'] as string)).client_id, 'secret-app');
      const f = await failure(bad.call('chat.completions', { messages: [] }, callOpts()));
      assert.equal(f.status, 502);
      assert.equal(f.retryable, true, 'the next target may have a working credential');
      assert.equal(f.body?.error.code, 'RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE');
      assert.doesNotMatch(JSON.stringify(f.body) + inspect(f, { depth: 10 }), /WRONG|fedcba|SECRET/);
      assert.equal(up.requests.length, 1, 'no upstream call without a token');
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('fails closed when the federated token file is missing or holds no JWT', async () => {
    const missing = entraTarget({ clientId: 'fed-app', federatedTokenFile: join(dir, 'nope') });
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'not a token');
    const junk = entraTarget({ clientId: 'fed-app', federatedTokenFile: garbage });
    try {
      for (const target of [missing, junk]) {
        const f = await failure(target.call('chat.completions', { messages: [] }, callOpts()));
        assert.equal(f.body?.error.code, 'RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE');
      }
      assert.equal(up.requests.length, 0);
    } finally {
      await missing.close();
      await junk.close();
    }
  });

  it('drops the token when the upstream answers 401, and fetches a new one for the next call', async () => {
    const strict = await startMockUpstream({ apiKey: 'only-this-key' });
    const file = join(dir, 'token-401');
    await writeFederatedToken(file);
    const target = entraTarget({ clientId: 'fed-app', federatedTokenFile: file }, strict.url);
    try {
      const before = idp.tokenRequests;
      const first = await failure(target.call('chat.completions', { messages: [] }, callOpts()));
      assert.equal(first.upstreamStatus, 401);
      await writeFederatedToken(file);
      await failure(target.call('chat.completions', { messages: [] }, callOpts()));
      assert.equal(idp.tokenRequests - before, 2);
      assert.notEqual(strict.requests[1]!.headers['authorization'], strict.requests[0]!.headers['authorization']);
    } finally {
      await target.close();
      await strict.close();
    }
  });
});

describe('Entra token source', () => {
  it('refreshes before expiry in the background and keeps the valid token when a refresh fails', async () => {
    const file = join(dir, 'token-refresh');
    await writeFederatedToken(file);
    let now = Date.now();
    const cfg = entraCredentialSchema.parse({ tenantId: TENANT, clientId: 'fed-app', authorityHost: idp.issuer, federatedTokenFile: file, refreshBeforeExpirySeconds: 60 });
    const source = new ClientCredentialsTokenSource({ tokenUrl: tokenUrl(), clientId: 'fed-app', scope: SCOPE, proof: entraProof(cfg), refreshBeforeMs: 60_000, timeoutMs: 5_000, clock: { now: () => now } });
    const first = (await source.token()).reveal();
    assert.equal(decodeJwt(first).client_id, 'fed-app');
    now += 200_000; // 100 s before expiry (ttl 300 s): still cached
    assert.equal((await source.token()).reveal(), first);
    now += 50_000; // inside the refresh window: the old token now, a new one fetched behind it
    await writeFederatedToken(file); // the kubelet rotated it (this IdP, unlike Entra, refuses a reused assertion)
    const count = idp.tokenRequests;
    assert.equal((await source.token()).reveal(), first);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(idp.tokenRequests, count + 1);
    const second = (await source.token()).reveal();
    assert.notEqual(second, first);
    // The token file rotates away; the current token is still good until it expires.
    rmSync(file);
    now += 250_000;
    assert.equal((await source.token()).reveal(), second);
    now += 100_000;
    await assert.rejects(source.token(), { code: 'RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE' });
  });

  it('rejects bad configuration at start-up', () => {
    const parse = (o: Record<string, unknown>) => entraCredentialSchema.safeParse({ tenantId: TENANT, clientId: 'x', ...o });
    assert.equal(parse({}).success, false, 'no credential');
    assert.equal(parse({ clientSecret: 's', federatedTokenFile: '/f' }).success, false, 'two credentials');
    assert.equal(parse({ clientSecret: 's', authorityHost: 'http://login.example.com' }).success, false, 'plain http to a remote host');
    assert.equal(parse({ clientSecret: 's', authorityHost: 'https://login.example.com/tenant' }).success, false, 'a path');
    assert.equal(parse({ clientSecret: 's', tenantId: '../evil' }).success, false);
    const cfg = parse({ clientCertificate: { privateKey: 'not a key', certificate: 'not a cert' } });
    assert.equal(cfg.success, true);
    assert.throws(() => entraProof(cfg.data!), { code: 'RAMPART_CONFIG_INVALID' });
  });
});
