/**
 * The Cedar engine: the built-in roles as a table (every role × every admin permission, invoke on
 * allowed and unallowed deployments), config roles keeping their meaning, policies from files
 * (forbid wins), start-up validation with file and position, and failing closed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/config/load.ts';
import type { PolicyConfig } from '../../src/config/policy.ts';
import { ADMIN_PERMISSIONS, type AdminPermission, type RoleConfig } from '../../src/config/schema.ts';
import type { Principal, PrincipalKind } from '../../src/core/principal.ts';
import { CedarEngine } from '../../src/policy/cedar-engine.ts';
import { DEFAULT_SCHEMA_FILE } from '../../src/policy/cedar-sources.ts';
import type { Action } from '../../src/policy/policy.ts';
import { RoleEngine } from '../../src/policy/role-engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-cedar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const policy = (over: Partial<PolicyConfig> = {}): PolicyConfig => ({ engine: 'cedar', policyFiles: [], builtinPolicies: true, ...over });
const role = (deployments: string[], admin: RoleConfig['admin'] = []): RoleConfig => ({ deployments, admin });
const who = (kind: PrincipalKind, roles: string[], extra: Record<string, unknown> = {}): Principal =>
  ({ id: `${kind}:${roles.join('+')}`, kind, roles, groups: [], authMethod: 'oidc', ...extra }) as Principal;
const invoke = (deployment: string): Action => ({ kind: 'invoke', deployment });
const admin = (permission: AdminPermission): Action => ({ kind: 'admin', permission });

const DEPLOYMENTS = ['allowed', 'unallowed'];

describe('built-in Cedar roles', () => {
  const engine = new CedarEngine({
    policy: policy(),
    roles: { 'model-user': role(['allowed']), agent: role(['allowed']) },
    deployments: DEPLOYMENTS,
  });
  const READS = ['keys:read', 'deployments:read', 'audit:read', 'detections:read'];
  const TABLE: { role: string; kind: PrincipalKind; admin: readonly string[]; invoke: readonly string[] }[] = [
    { role: 'admin', kind: 'user', admin: ADMIN_PERMISSIONS, invoke: [] },
    { role: 'auditor', kind: 'user', admin: [...READS, 'agents:read', 'models:read', 'sandbox:read'], invoke: [] },
    { role: 'model-user', kind: 'user', admin: [], invoke: ['allowed'] },
    { role: 'model-user', kind: 'app', admin: [], invoke: ['allowed'] },
    { role: 'model-user', kind: 'agent', admin: [], invoke: [] },
    { role: 'agent', kind: 'agent', admin: [], invoke: ['allowed'] },
    { role: 'agent', kind: 'workload', admin: [], invoke: ['allowed'] },
    { role: 'agent', kind: 'user', admin: [], invoke: [] },
    { role: 'app-owner', kind: 'user', admin: ['deployments:read', 'keys:read'], invoke: [] },
    { role: 'security-reader', kind: 'user', admin: ['audit:read', 'detections:read', 'deployments:read', 'models:read'], invoke: [] },
    { role: 'security-admin', kind: 'user', admin: ['audit:read', 'detections:read', 'deployments:read', 'keys:read', 'guard:analyze', 'tools:write', 'models:read', 'models:approve', 'sandbox:read', 'sandbox:approve'], invoke: [] },
    { role: 'platform-admin', kind: 'user', admin: ADMIN_PERMISSIONS, invoke: DEPLOYMENTS },
    { role: 'nobody-knows-me', kind: 'user', admin: [], invoke: [] },
  ];
  for (const row of TABLE) {
    it(`${row.role} as ${row.kind}: admin ${row.admin.length ? row.admin.join(' ') : 'nothing'}; invoke ${row.invoke.length ? row.invoke.join(' ') : 'nothing'}`, () => {
      const p = who(row.kind, [row.role]);
      for (const perm of ADMIN_PERMISSIONS) {
        const d = engine.authorize(p, admin(perm));
        assert.equal(d.effect, row.admin.includes(perm) ? 'allow' : 'deny', `${row.role} ${perm}: ${d.reason}`);
      }
      for (const dep of DEPLOYMENTS) {
        const d = engine.authorize(p, invoke(dep));
        assert.equal(d.effect, row.invoke.includes(dep) ? 'allow' : 'deny', `${row.role} invoke ${dep}: ${d.reason}`);
      }
    });
  }

  it('names the determining policy in the decision', () => {
    assert.deepEqual(engine.authorize(who('user', ['auditor']), admin('audit:read')), {
      effect: 'allow',
      policy: 'builtin:auditor',
      reason: 'Cedar policy builtin:auditor permits admin audit:read',
    });
    const d = engine.authorize(who('user', ['auditor']), admin('keys:write'));
    assert.equal(d.policy, 'default-deny');
    assert.match(d.reason, /no Cedar policy permits admin keys:write/);
  });

  it('gives admin and auditor the meaning they have under the role engine', () => {
    const roles = new RoleEngine({});
    for (const r of ['admin', 'auditor']) {
      for (const action of [...ADMIN_PERMISSIONS.map(admin), ...DEPLOYMENTS.map(invoke)]) {
        assert.equal(engine.authorize(who('user', [r]), action).effect, roles.authorize(who('user', [r]), action).effect, `${r} ${JSON.stringify(action)}`);
      }
    }
  });
});

describe('config roles under Cedar', () => {
  const roles = {
    user: role(['chat', 'embed']),
    other: role(['other']),
    everything: role(['*']),
    ops: role([], ['audit:read', 'keys:write']),
    root: role([], ['*']),
  };
  const deployments = ['chat', 'embed', 'other', 'unlisted'];
  const cedarEngine = new CedarEngine({ policy: policy(), roles, deployments });
  const roleEngine = new RoleEngine(roles);

  it('decide exactly as under the role engine', () => {
    const roleSets = [[], ['user'], ['other'], ['everything'], ['ops'], ['root'], ['user', 'ops'], ['unknown'], ['admin'], ['auditor']];
    for (const rs of roleSets) {
      for (const action of [...ADMIN_PERMISSIONS.map(admin), ...deployments.map(invoke)]) {
        const p = who('app', rs);
        assert.equal(cedarEngine.authorize(p, action).effect, roleEngine.authorize(p, action).effect, `${rs.join(',')} ${JSON.stringify(action)}`);
      }
    }
  });

  it('name the role policy that granted', () => {
    assert.equal(cedarEngine.authorize(who('app', ['user']), invoke('chat')).policy, 'role:user:invoke');
    assert.equal(cedarEngine.authorize(who('app', ['ops']), admin('keys:write')).policy, 'role:ops:admin');
  });
});

describe('policies from files', () => {
  const teamDir = join(dir, 'team');
  file('team/10-permit.cedar', [
    '// engineers may call gpt, from any principal kind',
    '@id("eng-may-call-gpt")',
    'permit (principal in Rampart::Group::"eng", action == Rampart::Action::"invoke", resource == Rampart::Deployment::"gpt");',
    '',
    'permit (principal in Rampart::Group::"eng", action == Rampart::Action::"admin", resource == Rampart::Permission::"deployments:read");',
  ].join('\n'));
  file('team/20-forbid.cedar', [
    '@id("keys-write-needs-mfa")',
    'forbid (principal, action == Rampart::Action::"admin", resource == Rampart::Permission::"keys:write")',
    'unless { principal has amr && principal.amr.contains("mfa") };',
    '',
    '@id("no-gpt-for-contractors")',
    'forbid (principal in Rampart::Group::"contractors", action, resource == Rampart::Deployment::"gpt");',
  ].join('\n'));
  file('team/notes.txt', 'not a policy');
  const engine = new CedarEngine({ policy: policy({ policyFiles: [teamDir] }), roles: {}, deployments: ['gpt', 'other'] });
  const eng = (groups: string[], extra: Record<string, unknown> = {}) => who('user', [], { groups, ...extra });

  it('loads every *.cedar file of a directory, with @id or file#n ids', () => {
    assert.ok(engine.policyIds.includes('eng-may-call-gpt'));
    assert.ok(engine.policyIds.includes(`${join(teamDir, '10-permit.cedar')}#2`));
    assert.ok(engine.policyIds.includes('keys-write-needs-mfa'));
  });

  it('permits what a permit policy allows, and names it', () => {
    const d = engine.authorize(eng(['eng']), invoke('gpt'));
    assert.equal(d.effect, 'allow');
    assert.equal(d.policy, 'eng-may-call-gpt');
    assert.equal(engine.authorize(eng(['eng']), invoke('other')).effect, 'deny');
    assert.equal(engine.authorize(eng(['sales']), invoke('gpt')).effect, 'deny');
  });

  it('lets a forbid win over any permit, and names the forbid', () => {
    const d = engine.authorize(eng(['eng', 'contractors']), invoke('gpt'));
    assert.deepEqual([d.effect, d.policy], ['deny', 'no-gpt-for-contractors']);
    const admins = who('user', ['admin']);
    const noMfa = engine.authorize(admins, admin('keys:write'));
    assert.deepEqual([noMfa.effect, noMfa.policy], ['deny', 'keys-write-needs-mfa']);
    assert.match(noMfa.reason, /Cedar policy keys-write-needs-mfa forbids admin keys:write/);
    const mfa = engine.authorize(who('user', ['admin'], { amr: ['pwd', 'mfa'] }), admin('keys:write'));
    assert.deepEqual([mfa.effect, mfa.policy], ['allow', 'builtin:admin']);
  });

  it('does not reuse a cached decision for a principal whose attributes changed', () => {
    const p = who('user', ['admin']);
    assert.equal(engine.authorize(p, admin('keys:write')).effect, 'deny');
    assert.equal(engine.authorize({ ...p, amr: ['mfa'] } as Principal, admin('keys:write')).effect, 'allow');
    assert.equal(engine.authorize({ ...p, roles: [] }, admin('audit:read')).effect, 'deny');
  });

  it('can leave the built-in policies out', () => {
    const bare = new CedarEngine({ policy: policy({ builtinPolicies: false, policyFiles: [teamDir] }), roles: {}, deployments: ['gpt'] });
    assert.equal(bare.authorize(who('user', ['admin']), admin('audit:read')).effect, 'deny');
    assert.ok(!bare.policyIds.some((id) => id.startsWith('builtin:')));
  });
});

function startupError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.code, 'RAMPART_CONFIG_INVALID');
    return e;
  }
  assert.fail('start-up should have failed');
}

describe('start-up validation', () => {
  const build = (files: string[], over: Partial<PolicyConfig> = {}) => () => new CedarEngine({ policy: policy({ policyFiles: files, ...over }), roles: {}, deployments: ['gpt'] });

  it('stops on a policy that does not validate against the schema, naming file, line and column', () => {
    const f = file('bad/typo.cedar', '// header\n@id("typo")\npermit (principal, action == Rampart::Action::"invoke", resource)\nwhen { principal.department == "eng" };\n');
    const e = startupError(build([f]));
    assert.equal(e.problems[0]!.path, 'policy.policyFiles[0]');
    assert.match(e.problems[0]!.message, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:8: policy 'typo': .*department`));
  });

  it('stops on a syntax error with its position', () => {
    const f = file('bad/syntax.cedar', 'permit (principal, action, resource)\nwhen { 1 + };\n');
    const e = startupError(build([f]));
    assert.match(e.message, /syntax\.cedar:2:12: .*unexpected token/);
  });

  it('stops on an unknown entity type or action in a policy', () => {
    const f = file('bad/unknown.cedar', 'permit (principal, action == Rampart::Action::"delete", resource);\n');
    assert.match(startupError(build([f])).message, /unknown\.cedar:1:\d+: .*delete/);
  });

  it('stops on duplicate policy ids, naming both places', () => {
    const a = file('dup/a.cedar', '@id("same")\npermit (principal, action, resource) when { false };\n');
    const b = file('dup/b.cedar', '\n\n@id("same")\nforbid (principal, action, resource) when { false };\n');
    assert.match(startupError(build([a, b])).message, /b\.cedar:3:1: duplicate policy id 'same' \(also .*a\.cedar:1:1\)/);
  });

  it('stops on a policy id taken from a built-in policy', () => {
    const f = file('dup/builtin.cedar', '@id("builtin:admin")\npermit (principal, action, resource) when { false };\n');
    assert.match(startupError(build([f])).message, /duplicate policy id 'builtin:admin'/);
  });

  it('stops on a missing policy file or directory', () => {
    const e = startupError(build([join(dir, 'nope.cedar')]));
    assert.deepEqual(e.problems.map((p) => p.path), ['policy.policyFiles[0]']);
  });

  it('stops on templates, which have no place here', () => {
    const f = file('bad/template.cedar', 'permit (principal == ?principal, action, resource);\n');
    assert.match(startupError(build([f])).message, /templates .* not supported/);
  });

  it('stops on a schema that does not parse, naming file and position', () => {
    const s = file('schema/broken.cedarschema', 'namespace Rampart {\n  entity User = { kind: Strin g };\n}\n');
    const e = startupError(build([], { schemaFile: s }));
    assert.equal(e.problems[0]!.path, 'policy.schemaFile');
    assert.match(e.problems[0]!.message, /broken\.cedarschema:2:\d+: /);
  });

  it('stops on a schema that does not describe the requests Rampart makes', () => {
    const s = file('schema/narrow.cedarschema', 'namespace Rampart {\n  entity Role; entity Group;\n  entity User in [Role, Group] = { kind: String };\n  entity Deployment; entity Permission;\n  action invoke appliesTo { principal: [User], resource: [Deployment] };\n  action admin appliesTo { principal: [User], resource: [Permission] };\n}\n');
    const e = startupError(build([], { schemaFile: s, builtinPolicies: false }));
    assert.match(e.message, /does not describe Rampart's requests/);
  });

  it('accepts the shipped schema as an explicit schemaFile', () => {
    assert.doesNotThrow(build([], { schemaFile: DEFAULT_SCHEMA_FILE }));
  });
});

describe('failing closed', () => {
  // Validates (types are right), but overflows a Long at evaluation when authTime is present.
  const f = file('closed/overflow.cedar', '@id("overflowing-forbid")\nforbid (principal, action, resource)\nwhen { principal has authTime && principal.authTime * 9223372036854775807 > 0 };\n');
  const engine = new CedarEngine({ policy: policy({ policyFiles: [f] }), roles: { user: role(['gpt']) }, deployments: ['gpt'] });

  it('denies when a policy errors at evaluation (Cedar alone would skip the forbid and allow)', () => {
    const d = engine.authorize(who('user', ['user'], { authTime: 1_700_000_000 }), invoke('gpt'));
    assert.equal(d.effect, 'deny');
    assert.equal(d.policy, 'overflowing-forbid');
    assert.match(d.reason, /fail closed: policy overflowing-forbid: .*overflow/);
    assert.equal(engine.authorize(who('user', ['user']), invoke('gpt')).effect, 'allow');
  });

  it('denies a deployment or permission it does not know', () => {
    const d = engine.authorize(who('user', ['admin']), invoke('ghost'));
    assert.deepEqual([d.effect, d.policy], ['deny', 'unknown-entity']);
    const p = engine.authorize(who('user', ['admin']), admin('keys:delete' as AdminPermission));
    assert.deepEqual([p.effect, p.policy], ['deny', 'unknown-entity']);
  });

  it('denies a principal kind it does not know', () => {
    const d = engine.authorize(who('robot' as PrincipalKind, ['admin']), admin('audit:read'));
    assert.deepEqual([d.effect, d.policy], ['deny', 'unknown-entity']);
    assert.match(d.reason, /principal kind 'robot'/);
  });

  it('leaves out principal attributes of the wrong type instead of guessing', () => {
    const d = engine.authorize(who('user', ['admin'], { amr: 'mfa', acr: 42, authTime: 'yesterday' }), admin('audit:read'));
    assert.equal(d.effect, 'allow');
  });
});
