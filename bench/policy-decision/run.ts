/**
 * bench/policy-decision: what one authorize() costs, RoleEngine against CedarEngine in the same
 * run (issue 5, "Policy as code"; target: authentication + policy decision p99 ≤ 300 µs, cached).
 *
 *   node bench/policy-decision/run.ts [--calls 200000] [--principals 1000] [--json]
 *
 * Every engine gets the same config (a dozen config roles, 20 deployments, the built-in Cedar
 * roles, and a file of house policies with a forbid) and the same stream of requests: a mix of
 * invoke and admin actions from --principals distinct principals, allowed and denied. CedarEngine
 * is measured with its decision cache (the steady state: the same principals call again) and
 * without it (every call evaluated by Cedar, i.e. a cache miss).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_PERMISSIONS, type RoleConfig } from '../../src/config/schema.ts';
import type { Principal, PrincipalKind } from '../../src/core/principal.ts';
import { CedarEngine } from '../../src/policy/cedar-engine.ts';
import type { Action, PolicyEngine } from '../../src/policy/policy.ts';
import { RoleEngine } from '../../src/policy/role-engine.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '200000' }, principals: { type: 'string', default: '1000' }, json: { type: 'boolean', default: false } } });
const CALLS = Number(values.calls);
const PRINCIPALS = Number(values.principals);

const deployments = Array.from({ length: 20 }, (_, i) => `model-${i}`);
const roles: Record<string, RoleConfig> = {};
for (let i = 0; i < 12; i++) roles[`team-${i}`] = { deployments: deployments.filter((_, d) => d % 12 === i || d % 5 === i), admin: i % 4 === 0 ? ['deployments:read'] : [] };
roles['model-user'] = { deployments: deployments.slice(0, 5), admin: [] };

const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-policy-'));
const house = join(dir, 'house.cedar');
writeFileSync(
  house,
  [
    '@id("contractors-no-model-0")',
    'forbid (principal in Rampart::Group::"contractors", action == Rampart::Action::"invoke", resource == Rampart::Deployment::"model-0");',
    '@id("keys-write-needs-mfa")',
    'forbid (principal, action == Rampart::Action::"admin", resource == Rampart::Permission::"keys:write") unless { principal has amr && principal.amr.contains("mfa") };',
    '@id("eng-may-call-model-19")',
    'permit (principal in Rampart::Group::"eng", action == Rampart::Action::"invoke", resource == Rampart::Deployment::"model-19");',
  ].join('\n'),
);

const KINDS: PrincipalKind[] = ['user', 'app', 'agent', 'workload'];
const ROLE_NAMES = [...Object.keys(roles), 'admin', 'auditor', 'security-reader'];
const principals: Principal[] = Array.from({ length: PRINCIPALS }, (_, i) => ({
  id: `oidc:https://idp.example.com#user-${i}`,
  kind: KINDS[i % KINDS.length]!,
  roles: [ROLE_NAMES[i % ROLE_NAMES.length]!, ...(i % 3 === 0 ? [ROLE_NAMES[(i * 7) % ROLE_NAMES.length]!] : [])],
  groups: i % 5 === 0 ? ['eng', 'contractors'] : ['eng'],
  authMethod: i % 2 ? 'oidc' : 'api-key',
  ...(i % 2 ? { issuer: 'https://idp.example.com' } : { apiKeyId: `key-${i}` }),
}));
const actions: Action[] = [...deployments.map((deployment) => ({ kind: 'invoke' as const, deployment })), ...ADMIN_PERMISSIONS.map((permission) => ({ kind: 'admin' as const, permission }))];
// Each principal calls a few actions of its own, as a real caller does (one app, a few models).
const requests = Array.from({ length: PRINCIPALS * 4 }, (_, i) => ({ principal: principals[i % PRINCIPALS]!, action: actions[(i * 31 + Math.floor(i / PRINCIPALS)) % actions.length]! }));

interface Row {
  engine: string;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  callsPerS: number;
  allowed: number;
}

function measure(name: string, engine: PolicyEngine): Row {
  for (let i = 0; i < Math.min(CALLS, 20_000); i++) engine.authorize(requests[i % requests.length]!.principal, requests[i % requests.length]!.action);
  const times = new Float64Array(CALLS);
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const r = requests[i % requests.length]!;
    const t0 = process.hrtime.bigint();
    if (engine.authorize(r.principal, r.action).effect === 'allow') allowed++;
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort();
  const q = (p: number) => times[Math.min(CALLS - 1, Math.floor(p * CALLS))]!;
  return { engine: name, p50Us: q(0.5), p99Us: q(0.99), meanUs: times.reduce((a, b) => a + b, 0) / CALLS, callsPerS: CALLS / totalS, allowed };
}

const policy = { engine: 'cedar' as const, policyFiles: [house], builtinPolicies: true };
const names = deployments;
const rows = [
  measure('RoleEngine', new RoleEngine(roles)),
  measure('CedarEngine (cached)', new CedarEngine({ policy, roles, deployments: names })),
  measure('CedarEngine (no cache)', new CedarEngine({ policy, roles, deployments: names, cacheSize: 0 })),
];
rmSync(dir, { recursive: true, force: true });

if (values.json) {
  process.stdout.write(`${JSON.stringify({ calls: CALLS, principals: PRINCIPALS, node: process.version, rows }, null, 2)}\n`);
} else {
  const base = rows[0]!;
  const f = (n: number) => n.toFixed(2).padStart(9);
  const lines = [
    `policy decision: ${CALLS} calls, ${PRINCIPALS} principals, ${requests.length} distinct requests, Node ${process.version}`,
    `${'engine'.padEnd(24)}${'p50 µs'.padStart(9)}${'p99 µs'.padStart(9)}${'mean µs'.padStart(9)}${'calls/s'.padStart(12)}${'p99 ×'.padStart(9)}  allowed`,
    ...rows.map((r) => `${r.engine.padEnd(24)}${f(r.p50Us)}${f(r.p99Us)}${f(r.meanUs)}${Math.round(r.callsPerS).toString().padStart(12)}${(r.p99Us / base.p99Us).toFixed(1).padStart(9)}  ${((100 * r.allowed) / CALLS).toFixed(1)} %`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
