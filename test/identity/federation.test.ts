/**
 * Several identity providers at once, token-shape presets, multi-tenant issuer templates, and
 * workload identity federation — against a real OpenID provider (oidc-provider, client
 * credentials with private_key_jwt) and vendor-shaped tokens signed by local JWKS servers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RampartError } from '../../src/core/errors.ts';
import { authConfigSchema, type AuthConfigInput } from '../../src/config/auth.ts';
import { OidcAuthenticator } from '../../src/identity/oidc-authenticator.ts';
import { LocalIdp } from '../support/local-idp.ts';
import { RealIdp } from '../support/oidc-provider-idp.ts';
import {
  AGENT_APP_ID,
  APP_ID,
  TENANT_A,
  TENANT_B,
  USER_OID,
  entraAgentAutonomous,
  entraAgentForUser,
  entraV1App,
  entraV2User,
  githubActions,
  kubernetesServiceAccount,
} from '../support/token-shapes.ts';

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

function build(input: AuthConfigInput): OidcAuthenticator {
  const cfg = authConfigSchema.parse(input);
  return new OidcAuthenticator({ issuers: cfg.oidc, workloads: cfg.workloads });
}

function configIssues(input: unknown): string[] {
  const r = authConfigSchema.safeParse(input);
  assert.equal(r.success, false, 'expected the config to be refused');
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const K8S_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

describe('several identity providers at once', () => {
  let keycloak: LocalIdp;
  let entra: LocalIdp;
  let real: RealIdp;
  let oidc: OidcAuthenticator;
  let entraV2: (tenant: string) => string;
  let entraV1: (tenant: string) => string;

  before(async () => {
    keycloak = await LocalIdp.start();
    entra = await LocalIdp.start();
    real = await RealIdp.start({ audience: 'https://rampart.test', clientIds: ['batch-svc', 'other-svc'] });
    entraV2 = (t) => `${entra.issuer}/${t}/v2.0`;
    entraV1 = (t) => `${entra.issuer}/sts/${t}/`;
    oidc = build({
      oidc: [
        { issuer: `${keycloak.issuer}/realms/acme`, audience: 'rampart', preset: 'keycloak', jwksUri: keycloak.jwksUri },
        {
          issuer: `${entra.issuer}/{tenantid}/v2.0`,
          preset: 'entra-v2',
          audience: 'api://rampart',
          tenants: [TENANT_A],
          jwksUri: entra.jwksUri,
          agentClientIds: ['generic-agent-client'],
        },
        { issuer: `${entra.issuer}/sts/{tenantid}/`, preset: 'entra-v1', audience: 'api://rampart', tenants: [TENANT_A], jwksUri: entra.jwksUri },
        { issuer: real.issuer, audience: 'https://rampart.test', tokenTypes: ['at+jwt'] },
      ],
    });
  });
  after(async () => {
    await keycloak.stop();
    await entra.stop();
    await real.stop();
  });

  it('accepts a client-credentials token that a real IdP issued to a private_key_jwt client, as an app', async () => {
    const token = await real.clientCredentialsToken(real.clients[0]!);
    const p = await oidc.authenticate(token);
    assert.deepEqual(
      { id: p.id, kind: p.kind, clientId: p.clientId, scopes: p.scopes, roles: p.roles, issuer: p.issuer },
      { id: `oidc:${real.issuer}#batch-svc`, kind: 'app', clientId: 'batch-svc', scopes: ['chat'], roles: [], issuer: real.issuer },
    );
    const other = await oidc.authenticate(await real.clientCredentialsToken(real.clients[1]!));
    assert.equal(other.id, `oidc:${real.issuer}#other-svc`);
  });

  it('maps a Keycloak token: realm roles, scope string, azp', async () => {
    const token = await keycloak.sign({
      iss: `${keycloak.issuer}/realms/acme`,
      sub: 'f3b1c2d4-kc-user',
      azp: 'chat-ui',
      scope: 'openid profile chat',
      realm_access: { roles: ['model-user', 'offline_access'] },
      email: 'bob@example.com',
    });
    const p = await oidc.authenticate(token);
    assert.equal(p.id, `oidc:${keycloak.issuer}/realms/acme#f3b1c2d4-kc-user`);
    assert.equal(p.kind, 'user');
    assert.deepEqual(p.roles, ['model-user', 'offline_access']);
    assert.deepEqual(p.scopes, ['openid', 'profile', 'chat']);
    assert.equal(p.clientId, 'chat-ui');
    assert.ok(!p.id.includes('bob@'), 'never identified by email');
  });

  it('maps an Entra ID v2 user token to one stable tenant-scoped id with client, scopes and auth context', async () => {
    const p = await oidc.authenticate(await entra.sign(entraV2User(entraV2(TENANT_A), 'api://rampart')));
    assert.deepEqual(
      { ...p },
      {
        id: `entra:${TENANT_A}:${USER_OID}`,
        kind: 'user',
        roles: ['AI.User'],
        groups: [],
        authMethod: 'oidc',
        issuer: entraV2(TENANT_A),
        displayName: 'Alice Example',
        scopes: ['chat.invoke', 'models.read'],
        tenant: TENANT_A,
        clientId: APP_ID,
        clientAuth: 'none',
        acr: '1',
        amr: ['pwd', 'mfa'],
        authContexts: ['c1'],
      },
    );
  });

  it('gives the same user the same id from v1 and v2 tokens', async () => {
    const v2 = await oidc.authenticate(await entra.sign(entraV2User(entraV2(TENANT_A), 'api://rampart')));
    const v1 = await oidc.authenticate(
      await entra.sign({ ...entraV2User(entraV1(TENANT_A), 'api://rampart'), ver: '1.0', appid: APP_ID, azp: undefined }),
    );
    assert.equal(v1.id, v2.id);
  });

  it('maps an Entra ID v1 app-only token (certificate credential) to an app', async () => {
    const p = await oidc.authenticate(await entra.sign(entraV1App(entraV1(TENANT_A), 'api://rampart')));
    assert.deepEqual(
      { id: p.id, kind: p.kind, clientId: p.clientId, clientAuth: p.clientAuth, roles: p.roles, scopes: p.scopes, onBehalfOf: p.onBehalfOf },
      { id: `entra:${TENANT_A}:app:${APP_ID}`, kind: 'app', clientId: APP_ID, clientAuth: 'private-key', roles: ['AI.Batch'], scopes: undefined, onBehalfOf: undefined },
    );
    const noIdtyp = await oidc.authenticate(await entra.sign({ ...entraV1App(entraV1(TENANT_A), 'api://rampart'), idtyp: undefined }));
    assert.equal(noIdtyp.kind, 'app', 'an Entra token without scp is app-only');
  });

  it('recognises an Entra Agent ID token acting autonomously as an agent', async () => {
    const p = await oidc.authenticate(await entra.sign(entraAgentAutonomous(entraV1(TENANT_A), 'api://rampart')));
    assert.equal(p.kind, 'agent');
    assert.equal(p.id, `entra:${TENANT_A}:app:${AGENT_APP_ID}`);
    assert.equal(p.onBehalfOf, undefined);
  });

  it('recognises an Entra Agent ID token acting for a user: the agent calls, the user is onBehalfOf', async () => {
    const p = await oidc.authenticate(await entra.sign(entraAgentForUser(entraV2(TENANT_A), 'api://rampart')));
    assert.equal(p.kind, 'agent');
    assert.equal(p.id, `entra:${TENANT_A}:app:${AGENT_APP_ID}`);
    assert.deepEqual(p.onBehalfOf, { id: `entra:${TENANT_A}:${USER_OID}`, kind: 'user' });
    assert.equal(p.displayName, undefined, "the user's name is not the agent's");
  });

  it('treats a configured agent client id as an agent', async () => {
    const p = await oidc.authenticate(
      await entra.sign(entraV2User(entraV2(TENANT_A), 'api://rampart', { azp: 'generic-agent-client' })),
    );
    assert.equal(p.kind, 'agent');
    assert.deepEqual(p.onBehalfOf, { id: `entra:${TENANT_A}:${USER_OID}`, kind: 'user' });
  });

  it('refuses a tenant outside the allow-list, and a tid that differs from the issuer tenant', async () => {
    await rejectsWith(oidc.authenticate(await entra.sign(entraV2User(entraV2(TENANT_B), 'api://rampart', { tid: TENANT_B }))), 'RAMPART_AUTH_UNTRUSTED_ISSUER');
    await rejectsWith(oidc.authenticate(await entra.sign(entraV2User(entraV2(TENANT_A), 'api://rampart', { tid: TENANT_B }))), 'RAMPART_AUTH_UNTRUSTED_TENANT');
    await rejectsWith(oidc.authenticate(await entra.sign(entraV2User(entraV2(TENANT_A), 'api://rampart', { tid: undefined }))), 'RAMPART_AUTH_UNTRUSTED_TENANT');
  });

  it("refuses a token naming one IdP but signed by another trusted IdP's key", async () => {
    const token = await keycloak.sign(entraV2User(entraV2(TENANT_A), 'api://rampart'));
    await rejectsWith(oidc.authenticate(token), 'RAMPART_AUTH_INVALID_TOKEN');
  });
});

describe('token-shape presets', () => {
  let idp: LocalIdp;
  before(async () => {
    idp = await LocalIdp.start();
  });
  after(() => idp.stop());

  const one = (extra: Record<string, unknown>) => build({ oidc: [{ issuer: idp.issuer, audience: 'rampart', jwksUri: idp.jwksUri, ...extra }] });

  it('okta: the user id (uid) is the subject, never the login; cid is the client; scp is an array', async () => {
    const okta = one({ preset: 'okta' });
    const p = await okta.authenticate(await idp.sign({ sub: 'alice@example.com', uid: '00u1abcd', cid: '0oa9chat', scp: ['chat', 'openid'], groups: ['Everyone'] }));
    assert.deepEqual([p.id, p.kind, p.clientId, p.scopes, p.groups], [`oidc:${idp.issuer}#00u1abcd`, 'user', '0oa9chat', ['chat', 'openid'], ['Everyone']]);
    const app = await okta.authenticate(await idp.sign({ sub: '0oa9batch', cid: '0oa9batch', scp: ['chat'] }));
    assert.deepEqual([app.id, app.kind], [`oidc:${idp.issuer}#0oa9batch`, 'app']);
  });

  it('auth0: namespaced roles, and client-credentials tokens (gty) are apps', async () => {
    const auth0 = one({ preset: 'auth0', claims: { roles: 'https://rampart.example.com/roles' } });
    const p = await auth0.authenticate(await idp.sign({ sub: 'auth0|abc', azp: 'spa', 'https://rampart.example.com/roles': ['model-user'], scope: 'openid chat' }));
    assert.deepEqual([p.kind, p.roles, p.scopes], ['user', ['model-user'], ['openid', 'chat']]);
    const app = await auth0.authenticate(await idp.sign({ sub: 'm2m-client@clients', azp: 'm2m-client', gty: 'client-credentials' }));
    assert.deepEqual([app.kind, app.id, app.clientId], ['app', `oidc:${idp.issuer}#m2m-client`, 'm2m-client']);
  });

  it('generic: an RFC 8693 token-exchange token with an actor is the actor, an agent, acting for the subject', async () => {
    const p = await one({}).authenticate(await idp.sign({ sub: 'alice', act: { sub: 'research-agent' }, azp: 'agent-host' }));
    assert.deepEqual([p.kind, p.id, p.onBehalfOf], ['agent', `oidc:${idp.issuer}#research-agent`, { id: `oidc:${idp.issuer}#alice`, kind: 'user' }]);
    await rejectsWith(one({}).authenticate(await idp.sign({ sub: 'alice', act: 'not-an-object' })), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('generic: configurable claim paths for roles, groups and scopes, with fallbacks in order', async () => {
    const p = await one({ claims: { roles: ['app_roles', 'roles'], groups: 'org.teams', scopes: 'permissions' } }).authenticate(
      await idp.sign({ roles: ['fallback'], org: { teams: ['t1'] }, permissions: ['read:models'] }),
    );
    assert.deepEqual([p.roles, p.groups, p.scopes], [['fallback'], ['t1'], ['read:models']]);
  });

  it('refuses an auth0 issuer without a roles claim path, and a template without a tenant allow-list', () => {
    assert.match(configIssues({ oidc: [{ issuer: 'https://acme.auth0.com/', audience: 'x', preset: 'auth0' }] })[0]!, /^oidc\.0\.claims\.roles: the auth0 preset needs/);
    assert.match(
      configIssues({ oidc: [{ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', audience: 'x', preset: 'entra-v2' }] })[0]!,
      /^oidc\.0\.tenants: .*explicit tenants allow-list/,
    );
    assert.match(configIssues({ oidc: [{ issuer: 'https://{tenantid}.example.com/', audience: 'x', tenants: ['a'] }] })[0]!, /only in the issuer path/);
    assert.match(configIssues({ oidc: [{ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', audience: 'x', tenants: ['*'] }] })[0]!, /wildcards are not allowed/);
  });

  it('still accepts the single-issuer shape `oidc: { issuer, audience }` as a list of one', () => {
    const cfg = authConfigSchema.parse({ oidc: { issuer: 'https://idp.example.com', audience: 'rampart' } });
    assert.equal(cfg.oidc.length, 1);
    assert.equal(cfg.oidc[0]!.issuer, 'https://idp.example.com');
  });
});

describe('workload identity federation', () => {
  let cluster: LocalIdp;
  let github: LocalIdp;
  let oidc: OidcAuthenticator;
  before(async () => {
    cluster = await LocalIdp.start();
    github = await LocalIdp.start();
    oidc = build({
      workloads: [
        {
          name: 'team-a-pods',
          issuer: K8S_ISSUER,
          jwksUri: cluster.jwksUri,
          audience: 'rampart',
          subject: 'system:serviceaccount:team-a:*',
          claims: { 'kubernetes.io.namespace': 'team-a' },
          principal: { kind: 'workload', id: 'k8s:{sub}', roles: ['model-user'] },
        },
        {
          issuer: K8S_ISSUER,
          jwksUri: cluster.jwksUri,
          audience: 'rampart',
          subject: 'system:serviceaccount:agents:planner',
          principal: { kind: 'agent', id: 'k8s-agent:{kubernetes.io.serviceaccount.name}', roles: ['agent'] },
        },
        {
          name: 'deploys',
          issuer: GITHUB_ISSUER,
          jwksUri: github.jwksUri,
          audience: 'https://rampart.example.com',
          subject: 'repo:acme/app:ref:refs/heads/main',
          claims: { repository_owner: 'acme' },
          principal: { id: 'github:{repository}', roles: ['ci'] },
        },
      ],
    });
  });
  after(async () => {
    await cluster.stop();
    await github.stop();
  });

  it('accepts a Kubernetes service-account token of a trusted namespace as a workload', async () => {
    const p = await oidc.authenticate(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-a', 'summarizer')));
    assert.deepEqual(
      { ...p },
      {
        id: 'k8s:system:serviceaccount:team-a:summarizer',
        kind: 'workload',
        roles: ['model-user'],
        groups: [],
        authMethod: 'workload',
        issuer: K8S_ISSUER,
        trustRule: 'team-a-pods',
      },
    );
  });

  it('uses the first matching rule, with its kind and id template', async () => {
    const p = await oidc.authenticate(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'agents', 'planner')));
    assert.deepEqual([p.id, p.kind, p.roles, p.trustRule], ['k8s-agent:planner', 'agent', ['agent'], 'workloads[1]']);
  });

  it('refuses a service account of another namespace, or a subject that tries to cross a segment', async () => {
    await rejectsWith(oidc.authenticate(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-b', 'x'))), 'RAMPART_AUTH_WORKLOAD_NOT_TRUSTED');
    const crossing = kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-a', 'x', { sub: 'system:serviceaccount:team-a:x:y' });
    await rejectsWith(oidc.authenticate(await cluster.sign(crossing)), 'RAMPART_AUTH_WORKLOAD_NOT_TRUSTED');
    const lying = kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-b', 'x', { sub: 'system:serviceaccount:team-a:x' });
    await rejectsWith(oidc.authenticate(await cluster.sign(lying)), 'RAMPART_AUTH_WORKLOAD_NOT_TRUSTED');
  });

  it('accepts a GitHub Actions token of the trusted repository and branch only', async () => {
    const p = await oidc.authenticate(await github.sign(githubActions(GITHUB_ISSUER, 'https://rampart.example.com', 'acme/app')));
    assert.deepEqual([p.id, p.kind, p.roles, p.trustRule], ['github:acme/app', 'workload', ['ci'], 'deploys']);
    for (const claims of [
      githubActions(GITHUB_ISSUER, 'https://rampart.example.com', 'acme/app', 'refs/heads/feature'),
      githubActions(GITHUB_ISSUER, 'https://rampart.example.com', 'evil/app'),
      githubActions(GITHUB_ISSUER, 'https://rampart.example.com', 'acme/app', 'refs/heads/main', { repository_owner: 'evil' }),
    ]) {
      await rejectsWith(oidc.authenticate(await github.sign(claims)), 'RAMPART_AUTH_WORKLOAD_NOT_TRUSTED');
    }
  });

  it("checks each rule's own audience", async () => {
    // `rampart` is a valid audience for the cluster rules, not for the GitHub rule.
    await rejectsWith(oidc.authenticate(await github.sign(githubActions(GITHUB_ISSUER, 'rampart', 'acme/app'))), 'RAMPART_AUTH_WRONG_AUDIENCE');
    await rejectsWith(
      oidc.authenticate(await cluster.sign(kubernetesServiceAccount(K8S_ISSUER, 'https://rampart.example.com', 'team-a', 's'))),
      'RAMPART_AUTH_WRONG_AUDIENCE',
    );
  });

  it('refuses a workload token signed by another issuer\u2019s key', async () => {
    await rejectsWith(oidc.authenticate(await github.sign(kubernetesServiceAccount(K8S_ISSUER, 'rampart', 'team-a', 's'))), 'RAMPART_AUTH_INVALID_TOKEN');
  });

  it('refuses unsafe or ambiguous workload rules at start-up', () => {
    const rule = { issuer: K8S_ISSUER, audience: 'rampart', subject: 'system:serviceaccount:a:b' };
    assert.match(configIssues({ workloads: [{ ...rule, subject: '**' }] })[0]!, /^workloads\.0\.subject: must not be only a wildcard/);
    assert.match(configIssues({ workloads: [{ ...rule, subject: 'a***' }] })[0]!, /^workloads\.0\.subject: /);
    assert.match(configIssues({ workloads: [rule, { ...rule, jwksUri: 'https://other.example/jwks' }] })[0]!, /^workloads\.1\.jwksUri: rules for one issuer must share/);
    assert.match(configIssues({ oidc: [{ issuer: K8S_ISSUER, audience: 'x' }], workloads: [rule] })[0]!, /^workloads\.0\.issuer: issuer is already trusted/);
    assert.match(configIssues({ workloads: [{ ...rule, principal: { id: 'k8s:{sub' } }] })[0]!, /^workloads\.0\.principal\.id: /);
    assert.match(configIssues({ workloads: [{ ...rule, principal: { roles: ['bad role'] } }] })[0]!, /^workloads\.0\.principal\.roles\.0: /);
  });
});
