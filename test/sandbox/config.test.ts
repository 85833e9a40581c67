/**
 * The `sandbox` config section and caller policies: secure defaults, refusals at load with the
 * path, the egress allow-list syntax, first match wins.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxConfigSchema } from '../../src/config/sandbox.ts';
import type { RampartError } from '../../src/core/errors.ts';
import type { Principal } from '../../src/core/principal.ts';
import { compileCallerPolicies, requestLimits } from '../../src/sandbox/caller-policy.ts';
import { parseEgressAllowList } from '../../src/sandbox/egress/target.ts';

const MiB = 1024 * 1024;
const principal = (id: string, roles: string[] = []): Principal => ({ id, kind: 'app', roles, groups: [], authMethod: 'api-key' });

function problem(input: unknown): string {
  const r = sandboxConfigSchema.safeParse(input);
  assert.equal(r.success, false, 'expected a refusal');
  const i = r.error!.issues[0]!;
  return `${i.path.join('.')}: ${i.message}`;
}

describe('sandbox config', () => {
  it('defaults to every limit set, no network, unapproved code flagged, a handful of sessions', () => {
    const c = sandboxConfigSchema.parse({});
    assert.deepEqual(c.limits, { timeoutMs: 10_000, memoryBytes: 256 * MiB, cpus: 1, pids: 64, diskBytes: 64 * MiB, fileBytes: 16 * MiB, openFiles: 64, outputBytes: MiB });
    assert.deepEqual(c.sessions, { idleTimeoutSeconds: 300, maxPerTenant: 10, maxTotal: 100, pool: 2 });
    assert.deepEqual(c.languages, ['python', 'javascript', 'shell']);
    assert.equal(c.enabled, true);
    assert.equal(c.approvals.selfApproval, false);
    const p = compileCallerPolicies(c)(principal('key:anyone'), null);
    assert.deepEqual({ ...p, limits: undefined }, { name: 'default', approvedCodeOnly: 'audit', network: { mode: 'none' }, limits: undefined });
  });

  it('refuses limits out of bounds, a file limit over the disk, unknown fields and an empty match, naming the path', () => {
    assert.match(problem({ limits: { memoryBytes: 1024 ** 4 } }), /^limits\.memoryBytes: /);
    assert.match(problem({ limits: { timeoutMs: 0 } }), /^limits\.timeoutMs: /);
    assert.match(problem({ callers: [{ match: { roles: ['x'] }, limits: { diskBytes: 2 * MiB } }] }), /^callers\.0\.limits\.fileBytes: larger than diskBytes/);
    assert.match(problem({ callers: [{ match: {} }] }), /^callers\.0\.match: name at least one/);
    assert.match(problem({ sessions: { maxPerTenant: 50, maxTotal: 10 } }), /^sessions\.maxPerTenant: larger than maxTotal/);
    assert.match(problem({ languages: ['ruby'] }), /^languages\.0: /);
    assert.match(problem({ limts: {} }), /limts/);
  });

  it('takes allow-list hosts as the egress proxy does (host, *.domain, host:port), never "*"', () => {
    const ok = sandboxConfigSchema.parse({ callers: [{ match: { roles: ['r'] }, network: { allowHosts: ['api.example.com', '*.example.org', 'api.example.com:8443', '[2001:db8::1]:443'] } }] });
    assert.deepEqual(ok.callers[0]!.network, { allowHosts: ['api.example.com', '*.example.org', 'api.example.com:8443', '[2001:db8::1]:443'] });
    for (const [host, why] of [['*', /every host/], ['a.com:0', /port/], ['https://a.com', /port/], ['a.com/x', /without scheme/], ['*.*.a.com', /wildcard/]] as const) {
      assert.match(problem({ callers: [{ match: { roles: ['r'] }, network: { allowHosts: [host] } }] }), why, host);
    }
  });

  it('refuses a malformed host:port at its path, for the reason the egress proxy would refuse it', () => {
    const allow = (host: string) => ({ callers: [{ match: { roles: ['r'] }, network: { allowHosts: ['pypi.org', host] } }] });
    const proxy = (host: string) => {
      try {
        parseEgressAllowList([host]);
        return 'accepted';
      } catch (e) {
        return (e as RampartError).detail;
      }
    };
    for (const host of ['[::1', '[::1]x:443', '[::1]443', '[::1]:', 'host:', 'host:99999', 'host:0443', ':443', ' ']) {
      const why = problem(allow(host)).replace(/^callers\.0\.network\.allowHosts\.1: /, '');
      assert.equal(`egress allowHosts[0] ${why}.`, proxy(host), host);
    }
    assert.match(problem(allow('')), /^callers\.0\.network\.allowHosts\.1: /);
  });
});

describe('caller policies', () => {
  const config = sandboxConfigSchema.parse({
    callers: [
      { match: { agentIds: ['agt_reports'] }, approvedCodeOnly: 'enforce' },
      { match: { roles: ['data-science'] }, approvedCodeOnly: 'off', network: { allowHosts: ['pypi.org'] }, limits: { timeoutMs: 60_000 } },
      { match: { principalIds: ['key:ops'] }, approvedCodeOnly: 'enforce' },
    ],
  });
  const policyOf = compileCallerPolicies(config);

  it('applies the first policy that names the caller by agent id, role or principal id', () => {
    assert.equal(policyOf(principal('key:x'), 'agt_reports').name, 'callers[0]');
    // An agent that also holds the role is matched by the earlier policy.
    assert.equal(policyOf(principal('key:x', ['data-science']), 'agt_reports').approvedCodeOnly, 'enforce');
    const ds = policyOf(principal('key:y', ['data-science']), null);
    assert.deepEqual([ds.name, ds.network, ds.limits.timeoutMs, ds.limits.memoryBytes], ['callers[1]', { mode: 'allow-list', hosts: ['pypi.org'] }, 60_000, 256 * MiB]);
    assert.equal(policyOf(principal('key:ops'), null).name, 'callers[2]');
    assert.equal(policyOf(principal('key:other', ['data']), 'agt_other').name, 'default');
  });

  it('lets a request lower its caller\'s limits, never raise them', () => {
    const caller = policyOf(principal('key:y', ['data-science']), null).limits;
    assert.equal(requestLimits(caller, { timeoutMs: 30_000 }).timeoutMs, 30_000);
    assert.equal(requestLimits(caller, undefined), caller);
    assert.throws(() => requestLimits(caller, { timeoutMs: 60_001 }), /limits\.timeoutMs: at most 60000/);
    assert.throws(() => requestLimits(caller, { pids: 65 }), /limits\.pids: at most 64/);
  });
});
