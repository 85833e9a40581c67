/**
 * bench/auth-decision: what authenticating a request and deciding it costs together — the
 * authenticate stage (bearer JWT from an OIDC issuer, verified against its JWKS) followed by the
 * Cedar policy decision — per request, cached and uncached (issue 5; target: p99 ≤ 300 µs cached).
 *
 *   node bench/auth-decision/run.ts [--calls 100000] [--tokens 4000] [--json]
 *
 * Rows, each the same stream of requests (a mix of invoke and admin actions from many principals):
 * - baseline `jose jwtVerify` alone: the library's signature and claim check with the key in hand,
 *   what any JWT-checking gateway pays at least on a token it has not seen;
 * - Rampart uncached: every token new to Rampart (verified-token cache and decision cache off):
 *   header and issuer checks, JWKS lookup, jwtVerify, claims to Principal, Cedar evaluation;
 * - Rampart cached: the steady state, where the same callers come back with the same token (the
 *   verified-token cache hits and the Cedar decision cache hits).
 * ES256 and RS256 tokens (Entra, Okta and Keycloak sign RS256 by default).
 */
import { parseArgs } from 'node:util';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { oidcIssuerSchema } from '../../src/config/auth.ts';
import { ADMIN_PERMISSIONS, type RoleConfig } from '../../src/config/schema.ts';
import { createAuthenticator, type Authenticate } from '../../src/identity/authenticate.ts';
import { OidcAuthenticator } from '../../src/identity/oidc-authenticator.ts';
import { CedarEngine } from '../../src/policy/cedar-engine.ts';
import type { Action } from '../../src/policy/policy.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '100000' }, tokens: { type: 'string', default: '4000' }, json: { type: 'boolean', default: false } } });
const CALLS = Number(values.calls);
const TOKENS = Number(values.tokens);
const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'api://rampart';

const deployments = Array.from({ length: 20 }, (_, i) => `model-${i}`);
const roles: Record<string, RoleConfig> = {};
for (let i = 0; i < 12; i++) roles[`team-${i}`] = { deployments: deployments.filter((_, d) => d % 12 === i || d % 5 === i), admin: i % 4 === 0 ? ['deployments:read'] : [] };
const ROLE_NAMES = [...Object.keys(roles), 'security-reader', 'model-user'];
const actions: Action[] = [...deployments.map((deployment) => ({ kind: 'invoke' as const, deployment })), ...ADMIN_PERMISSIONS.map((permission) => ({ kind: 'admin' as const, permission }))];

interface Keyed {
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function keyFor(alg: 'ES256' | 'RS256'): Promise<Keyed> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid: `k-${alg}`, alg, use: 'sig' } };
}

async function mint(k: Keyed, n: number): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await new SignJWT({ roles: [ROLE_NAMES[i % ROLE_NAMES.length]!], groups: i % 5 === 0 ? ['eng', 'contractors'] : ['eng'], amr: i % 2 ? ['pwd', 'mfa'] : ['pwd'] })
        .setProtectedHeader({ alg: k.alg, kid: k.jwk.kid!, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(`user-${i}`)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(k.privateKey),
    );
  }
  return out;
}

function authenticator(keys: Keyed[], cached: boolean): Authenticate {
  const issuer = oidcIssuerSchema.parse({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/jwks`, algorithms: ['ES256', 'RS256'], roleMap: Object.fromEntries(ROLE_NAMES.map((r) => [r, [r]])) });
  // The JWKS is served in-process: the bench measures Rampart, not a socket.
  const jwks = JSON.stringify({ keys: keys.map((k) => k.jwk) });
  const fetch = async () => new Response(jwks, { status: 200, headers: { 'content-type': 'application/json' } });
  const oidc = new OidcAuthenticator({ issuers: [issuer], fetch, ...(cached ? {} : { cache: { maxEntries: 0 } }) });
  return createAuthenticator({ oidc, apiKeys: null });
}

interface Row {
  name: string;
  alg: string;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  perS: number;
  allowed: number;
}

async function measure(name: string, alg: string, n: number, one: (i: number) => Promise<boolean>): Promise<Row> {
  for (let i = 0; i < Math.min(n, 5_000); i++) await one(i); // warm-up: JIT, JWKS fetched, caches filled
  const times = new Float64Array(n);
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    if (await one(i)) allowed++;
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort();
  const q = (p: number) => times[Math.min(n - 1, Math.floor(p * n))]!;
  return { name, alg, p50Us: q(0.5), p99Us: q(0.99), meanUs: times.reduce((a, b) => a + b, 0) / n, perS: n / totalS, allowed };
}

const policy = { engine: 'cedar' as const, policyFiles: [], builtinPolicies: true };
const rows: Row[] = [];
for (const alg of ['ES256', 'RS256'] as const) {
  const k = await keyFor(alg);
  const tokens = await mint(k, TOKENS);
  // Each caller uses two actions of its own (one app, a model or two), as in the steady state the
  // decision cache is sized for; the tokens cycle, so every call of the cached row is a repeat.
  const action = (i: number) => actions[((i % TOKENS) * 7 + (Math.floor(i / TOKENS) % 2)) % actions.length]!;
  const uncachedN = Math.min(CALLS, TOKENS * 5);

  rows.push(
    await measure('baseline: jose jwtVerify only', alg, uncachedN, async (i) => {
      await jwtVerify(tokens[i % TOKENS]!, k.publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
      return true;
    }),
  );
  const coldAuth = authenticator([k], false);
  const coldEngine = new CedarEngine({ policy, roles, deployments, cacheSize: 0 });
  rows.push(
    await measure('Rampart uncached', alg, uncachedN, async (i) => {
      const p = await coldAuth({ authorization: `Bearer ${tokens[i % TOKENS]!}` });
      return coldEngine.authorize(p, action(i)).effect === 'allow';
    }),
  );
  const warmAuth = authenticator([k], true);
  const warmEngine = new CedarEngine({ policy, roles, deployments });
  rows.push(
    await measure('Rampart cached', alg, CALLS, async (i) => {
      const p = await warmAuth({ authorization: `Bearer ${tokens[i % TOKENS]!}` });
      return warmEngine.authorize(p, action(i)).effect === 'allow';
    }),
  );
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ calls: CALLS, tokens: TOKENS, node: process.version, rows }, null, 2)}\n`);
} else {
  const f = (n: number) => n.toFixed(1).padStart(9);
  const lines = [
    `authentication + policy decision: ${CALLS} cached calls, ${TOKENS} distinct tokens, Node ${process.version}`,
    `${'row'.padEnd(32)}${'alg'.padEnd(7)}${'p50 µs'.padStart(9)}${'p99 µs'.padStart(9)}${'mean µs'.padStart(9)}${'per s'.padStart(10)}${'× base'.padStart(8)}${'p99/300µs'.padStart(11)}`,
  ];
  for (const r of rows) {
    const base = rows.find((b) => b.alg === r.alg && b.name.startsWith('baseline'))!;
    lines.push(`${r.name.padEnd(32)}${r.alg.padEnd(7)}${f(r.p50Us)}${f(r.p99Us)}${f(r.meanUs)}${Math.round(r.perS).toString().padStart(10)}${(r.meanUs / base.meanUs).toFixed(2).padStart(8)}${(r.p99Us / 300).toFixed(3).padStart(11)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
