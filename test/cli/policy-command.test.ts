/**
 * `rampart policy test` as an operator runs it: a described request against the config's
 * policies, offline; allow exits 0, deny exits 2, a bad policy or bad arguments exit 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-cli-'));
const BIN = join(process.cwd(), 'bin', 'rampart.js');

function rampart(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'policy', 'test', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function config(name: string, policy: string): string {
  writeFileSync(
    join(dir, name),
    [
      'roles: { chat-user: { deployments: [gpt-4o, mini] } }',
      policy,
      'deployments:',
      '  - { name: gpt-4o, targets: [{ provider: echo }] }',
      '  - { name: mini, targets: [{ provider: echo }] }',
      '',
    ].join('\n'),
  );
  return name;
}

before(() => {
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'house.cedar'),
    [
      '@id("contractors-no-gpt-4o")',
      'forbid (principal in Rampart::Group::"contractors", action == Rampart::Action::"invoke", resource == Rampart::Deployment::"gpt-4o");',
      '',
      '@id("keys-write-needs-mfa")',
      'forbid (principal, action == Rampart::Action::"admin", resource == Rampart::Permission::"keys:write")',
      'unless { principal has amr && principal.amr.contains("mfa") };',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'broken.cedar'), 'permit (principal, action, resource)\nwhen { principal.nope };\n');
  config('cedar.yaml', 'policy: { engine: cedar, policyFiles: [policies] }');
  config('roles.yaml', '');
  config('broken.yaml', 'policy: { engine: cedar, policyFiles: [broken.cedar] }');
  config(
    'access.yaml',
    [
      'access:',
      '  rules:',
      '    - { name: corp-only, when: { principalKinds: [user] }, unless: { networks: [10.0.0.0/8] }, action: block }',
      '    - { name: office-hours, when: { groups: [contractors] }, unless: { time: { days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00", timezone: UTC } }, action: block }',
      '    - { name: risky, when: { risk: [high] }, action: block }',
      '    - { name: mfa-for-gpt-4o, when: { deployments: [gpt-4o] }, action: step-up, stepUp: { amr: [mfa] } }',
    ].join('\n'),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart policy test', () => {
  it('prints allow with the determining policy and exits 0', () => {
    const r = rampart(['-c', 'cedar.yaml', '--principal-kind', 'user', '--roles', 'chat-user', '--groups', 'eng', '--action', 'invoke', '--deployment', 'gpt-4o']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ALLOW {2}user cli:policy-test invoke deployment 'gpt-4o' \(engine cedar\)/);
    assert.match(r.stdout, /policies: role:chat-user:invoke/);
  });

  it('prints deny with the forbid that decided and exits 2', () => {
    const r = rampart(['-c', 'cedar.yaml', '--roles', 'chat-user', '--groups', 'eng,contractors', '--deployment', 'gpt-4o']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^DENY/);
    assert.match(r.stdout, /policies: contractors-no-gpt-4o/);
  });

  it('tests admin permissions against the built-in roles', () => {
    assert.equal(rampart(['-c', 'cedar.yaml', '--roles', 'security-reader', '--permission', 'audit:read']).code, 0);
    const r = rampart(['-c', 'cedar.yaml', '--roles', 'security-reader', '--permission', 'tools:write']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /none \(default-deny\)/);
  });

  it('reads the request from a JSON file, with attributes such as amr', () => {
    const file = join(dir, 'request.json');
    writeFileSync(file, JSON.stringify({ principal: { kind: 'user', roles: ['platform-admin'], amr: ['pwd', 'mfa'] }, action: { kind: 'admin', permission: 'keys:write' } }));
    const r = rampart(['-c', 'cedar.yaml', '--request', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { decision: string; policies: string[]; errors: string[] };
    assert.deepEqual([out.decision, out.policies, out.errors], ['allow', ['builtin:platform-admin'], []]);
    writeFileSync(file, JSON.stringify({ principal: { kind: 'user', roles: ['platform-admin'] }, action: { kind: 'admin', permission: 'keys:write' } }));
    const noMfa = JSON.parse(rampart(['-c', 'cedar.yaml', '--request', file, '--json']).stdout) as { decision: string; policies: string[] };
    assert.deepEqual([noMfa.decision, noMfa.policies], ['deny', ['keys-write-needs-mfa']]);
  });

  it('works with the role engine too', () => {
    assert.equal(rampart(['-c', 'roles.yaml', '--roles', 'chat-user', '--deployment', 'mini']).code, 0);
    const r = rampart(['-c', 'roles.yaml', '--roles', 'security-reader', '--permission', 'audit:read']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /engine roles/);
  });

  it('exits 1 naming file and position when a policy does not validate', () => {
    const r = rampart(['-c', 'broken.yaml', '--roles', 'admin', '--permission', 'audit:read']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /RAMPART_CONFIG_INVALID/);
    assert.match(r.stderr, /policy\.policyFiles\[0\]: broken\.cedar:2:8: .*nope/);
  });

  it('evaluates the conditional-access rules with the context described', () => {
    const base = ['-c', 'access.yaml', '--roles', 'chat-user', '--deployment', 'mini', '--at', '2026-12-07T09:00:00Z'];
    assert.equal(rampart([...base, '--source-ip', '10.2.3.4']).code, 0);
    const outside = rampart([...base, '--source-ip', '203.0.113.9']);
    assert.equal(outside.code, 2);
    assert.match(outside.stdout, /^DENY/);
    assert.match(outside.stdout, /access: {3}block: access rule 'corp-only' blocks/);
    // No address given: a network allow-list cannot be satisfied.
    assert.equal(rampart(base).code, 2);
    const sunday = rampart(['-c', 'access.yaml', '--roles', 'chat-user', '--groups', 'contractors', '--deployment', 'mini', '--source-ip', '10.0.0.1', '--at', '2026-12-06T09:00:00Z', '--json']);
    assert.equal(sunday.code, 2);
    assert.deepEqual((JSON.parse(sunday.stdout) as { access: { rule: string } }).access.rule, 'office-hours');
    assert.equal(rampart([...base, '--source-ip', '10.2.3.4', '--risk', 'high']).code, 2);
    const stepUp = JSON.parse(rampart(['-c', 'access.yaml', '--roles', 'chat-user', '--deployment', 'gpt-4o', '--source-ip', '10.2.3.4', '--json']).stdout) as { decision: string; access: { missing: string[] } };
    assert.equal(stepUp.decision, 'step-up');
    assert.ok(stepUp.access.missing.length > 0);
    assert.equal(rampart(['-c', 'access.yaml', '--roles', 'chat-user', '--deployment', 'gpt-4o', '--source-ip', '10.2.3.4', '--amr', 'pwd,mfa']).code, 0);
    assert.equal(rampart([...base, '--source-ip', 'not-an-ip']).code, 1);
  });

  it('exits 1 on a request it cannot understand', () => {
    const r = rampart(['-c', 'cedar.yaml', '--permission', 'keys:delete']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /RAMPART_INVALID_REQUEST: .*action\.permission/);
    assert.equal(rampart(['-c', 'cedar.yaml', '--principal-kind', 'robot', '--deployment', 'mini']).code, 1);
  });
});
