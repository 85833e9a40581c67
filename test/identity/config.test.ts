import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { apiKeySettings, authConfigSchema, oidcIssuerSchema } from '../../src/config/auth.ts';

function issues(input: unknown): string[] {
  const r = authConfigSchema.safeParse(input);
  assert.equal(r.success, false, 'expected the config to be refused');
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const issuer = { issuer: 'https://idp.example.com/realms/acme', audience: 'rampart' };

describe('auth config', () => {
  it('defaults to no issuer and API keys on', () => {
    const cfg = authConfigSchema.parse({});
    assert.deepEqual(cfg.oidc, []);
    assert.deepEqual(apiKeySettings(cfg.apiKeys), { enabled: true, rotationOverlapHours: 24, lastUsedFlushMs: 10_000, cacheTtlMs: 2_000 });
  });

  it('fills issuer defaults securely', () => {
    const cfg = oidcIssuerSchema.parse(issuer);
    assert.deepEqual(cfg.algorithms, ['RS256', 'PS256', 'ES256', 'EdDSA']);
    assert.equal(cfg.clockToleranceSec, 30);
    assert.equal(cfg.maxTokenBytes, 16_384);
    assert.equal(cfg.preset, 'generic');
    assert.deepEqual(cfg.claims, { kind: 'auto' }, 'claim paths come from the preset unless set');
    assert.equal(cfg.tokenTypes, undefined);
    assert.deepEqual(cfg.jwks, { cacheMaxAgeSec: 600, cooldownSec: 30, timeoutMs: 5_000, maxStaleSec: 3_600 });
  });

  it('refuses HMAC and none algorithms, citing the JWT BCP', () => {
    for (const alg of ['HS256', 'HS512', 'none']) {
      const [msg] = issues({ oidc: [{ ...issuer, algorithms: ['RS256', alg] }] });
      assert.match(msg!, /^oidc\.0\.algorithms\.1: .*RFC 8725/);
    }
  });

  it('accepts https issuers and loopback http only', () => {
    for (const ok of ['https://idp.example.com', 'http://127.0.0.1:8080/realms/x', 'http://localhost:9000', 'http://[::1]:1']) {
      authConfigSchema.parse({ oidc: [{ ...issuer, issuer: ok }] });
    }
    for (const bad of ['http://idp.example.com', 'ftp://idp.example.com', 'idp.example.com', 'https://u:p@idp.example.com', 'https://idp.example.com?x=1', 'http://127.0.0.1.evil.com']) {
      const [msg] = issues({ oidc: [{ ...issuer, issuer: bad }] });
      assert.match(msg!, /^oidc\.0\.issuer: /);
    }
    const [msg] = issues({ oidc: [{ ...issuer, jwksUri: 'http://keys.example.com/jwks' }] });
    assert.equal(msg, 'oidc.0.jwksUri: jwksUri must be an https URL or a loopback http URL');
  });

  it('bounds the clock tolerance and the token size', () => {
    assert.match(issues({ oidc: [{ ...issuer, clockToleranceSec: 301 }] })[0]!, /clockToleranceSec/);
    assert.match(issues({ oidc: [{ ...issuer, maxTokenBytes: 1_000_000 }] })[0]!, /maxTokenBytes/);
  });

  it('refuses an issuer listed twice and unknown fields', () => {
    assert.match(issues({ oidc: [issuer, issuer] })[0]!, /^oidc\.1\.issuer: issuer is listed twice/);
    assert.match(issues({ oidc: [{ ...issuer, audiance: 'x' }] })[0]!, /audiance/);
  });

  it('refuses claim paths that could walk into a prototype', () => {
    for (const roles of ['__proto__', 'a.constructor', 'a..b', 'has space']) {
      assert.match(issues({ oidc: [{ ...issuer, claims: { roles } }] })[0]!, /^oidc\.0\.claims\.roles: /);
    }
  });

  it("disables API keys with 'disabled' or enabled: false", () => {
    assert.equal(apiKeySettings(authConfigSchema.parse({ apiKeys: 'disabled' }).apiKeys), null);
    assert.equal(apiKeySettings(authConfigSchema.parse({ apiKeys: { enabled: false } }).apiKeys), null);
    assert.equal(apiKeySettings(authConfigSchema.parse({ apiKeys: { maxLifetimeDays: 90 } }).apiKeys)?.maxLifetimeDays, 90);
  });

  it('produces a JSON Schema with descriptions for editors', () => {
    const schema = z.toJSONSchema(authConfigSchema, { io: 'input' }) as { properties: Record<string, { description?: string }> };
    assert.ok(schema.properties.oidc?.description);
    assert.ok(schema.properties.apiKeys?.description);
  });
});
