/**
 * `rampart policy test`: evaluates one described request against the configuration's policy
 * engine, offline (no server, no store), and prints allow or deny, the determining policies and
 * any evaluation errors. Exits 0 on allow, 2 on deny (1 on a bad config or bad arguments).
 *
 *   rampart policy test --principal-kind user --roles analyst --groups eng --deployment gpt-4o
 *   rampart policy test --roles auditor --permission audit:read
 *   rampart policy test --request request.json --json
 *
 * A request file: { "principal": { "kind": "user", "roles": [], "groups": [], ... },
 *                   "action": { "kind": "invoke", "deployment": "gpt-4o" },
 *                   "context": { "sourceIp": "10.1.2.3", "country": "DE", "time": "2026-12-06T09:00:00Z", "risk": "low" } }
 *
 * The conditional-access rules (`access.rules`) are evaluated too, with the context given (by
 * default: no known address or country, now, low risk); the request is allowed only when the
 * policy allows it and no rule blocks it or asks for a step-up.
 */
import { readFileSync } from 'node:fs';
import { Command, type Option } from 'commander';
import { z } from 'zod';
import { ADMIN_PERMISSIONS } from '../config/schema.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import { buildPolicyEngine } from '../policy/build-engine.ts';
import { CedarEngine } from '../policy/cedar-engine.ts';
import { ConditionalAccess } from '../policy/conditional-access.ts';
import { openCountryDatabase } from '../policy/geoip.ts';
import { describeAction, type Action } from '../policy/policy.ts';
import { loadConfig } from '../server/config.ts';

const NAME = z.string().min(1).max(256);

const requestSchema = z.strictObject({
  principal: z.looseObject({
    id: NAME.default('cli:policy-test'),
    kind: z.enum(['user', 'app', 'agent', 'workload']).default('user'),
    roles: z.array(NAME).default([]),
    groups: z.array(NAME).default([]),
    authMethod: z.enum(['oidc', 'workload', 'api-key']).default('oidc'),
    amr: z.array(NAME).optional(),
    acr: NAME.optional(),
    authContexts: z.array(NAME).optional(),
    authTime: z.int().positive().optional(),
  }),
  action: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('invoke'), deployment: NAME }),
    z.strictObject({ kind: z.literal('admin'), permission: z.enum(ADMIN_PERMISSIONS) }),
  ]),
  context: z
    .strictObject({
      sourceIp: z.union([z.ipv4(), z.ipv6()]).nullable().default(null),
      country: z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 code').transform((c) => c.toUpperCase()).nullable().default(null),
      time: z.iso.datetime({ offset: true }).optional(),
      risk: z.enum(['low', 'medium', 'high']).default('low'),
    })
    .default({ sourceIp: null, country: null, risk: 'low' }),
});

type Context = z.output<typeof requestSchema>['context'];

interface TestOptions {
  config: string;
  request?: string;
  principalId?: string;
  principalKind?: string;
  roles?: string;
  groups?: string;
  authMethod?: string;
  action?: string;
  deployment?: string;
  permission?: string;
  amr?: string;
  acr?: string;
  authTime?: string;
  sourceIp?: string;
  country?: string;
  at?: string;
  risk?: string;
  json?: boolean;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** The request described by a JSON file or by the flags, validated like any untrusted input. */
function describedRequest(o: TestOptions): { principal: Principal; action: Action; context: Context } {
  let raw: unknown;
  if (o.request) {
    try {
      raw = JSON.parse(readFileSync(o.request, 'utf8'));
    } catch (e) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `--request ${o.request}: ${e instanceof Error ? e.message : String(e)}` });
    }
  } else {
    const kind = o.action ?? (o.permission ? 'admin' : 'invoke');
    raw = {
      principal: {
        ...(o.principalId ? { id: o.principalId } : {}),
        ...(o.principalKind ? { kind: o.principalKind } : {}),
        ...(o.authMethod ? { authMethod: o.authMethod } : {}),
        ...(o.amr ? { amr: list(o.amr) } : {}),
        ...(o.acr ? { acr: o.acr } : {}),
        ...(o.authTime ? { authTime: Number(o.authTime) } : {}),
        roles: list(o.roles),
        groups: list(o.groups),
      },
      action: kind === 'admin' ? { kind, permission: o.permission } : { kind, deployment: o.deployment },
      context: {
        ...(o.sourceIp ? { sourceIp: o.sourceIp } : {}),
        ...(o.country ? { country: o.country } : {}),
        ...(o.at ? { time: o.at } : {}),
        ...(o.risk ? { risk: o.risk } : {}),
      },
    };
  }
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') });
  }
  return { principal: parsed.data.principal as unknown as Principal, action: parsed.data.action, context: parsed.data.context };
}

export function policyCommand(configOption: () => Option): Command {
  const policy = new Command('policy').description('authorization policies: test a request against them offline');
  policy
    .command('test')
    .description('evaluate one request with the configured policy engine; exit 0 on allow, 2 on deny')
    .addOption(configOption())
    .option('--request <file>', 'the request as JSON: { principal: {...}, action: { kind, deployment | permission } }')
    .option('--principal-id <id>', 'principal id (default cli:policy-test)')
    .option('--principal-kind <kind>', 'user, app, agent or workload (default user)')
    .option('--roles <list>', 'comma-separated roles')
    .option('--groups <list>', 'comma-separated groups')
    .option('--auth-method <method>', 'oidc, workload or api-key (default oidc)')
    .option('--action <kind>', 'invoke or admin (default: admin with --permission, else invoke)')
    .option('--deployment <name>', 'the deployment to invoke')
    .option('--permission <permission>', `the admin permission: ${ADMIN_PERMISSIONS.join(', ')}`)
    .option('--amr <list>', 'authentication methods of the sign-in, e.g. pwd,mfa')
    .option('--acr <value>', 'authentication context class of the sign-in')
    .option('--auth-time <seconds>', 'when the user signed in, epoch seconds')
    .option('--source-ip <ip>', 'the client address, for access rules on networks')
    .option('--country <code>', 'the client country (ISO 3166-1 alpha-2), for access rules on countries')
    .option('--at <time>', 'when the request is made (ISO 8601 with offset; default now), for time windows')
    .option('--risk <level>', 'the principal risk: low (default), medium or high')
    .option('--json', 'print the result as JSON')
    .action(async (o: TestOptions) => {
      const config = loadConfig(o.config);
      const { principal, action, context } = describedRequest(o);
      const engine = buildPolicyEngine(config);
      const rules = new ConditionalAccess(config.access.rules, { deployments: config.deployments });
      // As on the gateway: without a country given, the operator's database answers for the address.
      if (context.country === null && context.sourceIp !== null && config.access.countryDatabase && rules.size > 0) {
        const db = await openCountryDatabase(config.access.countryDatabase);
        context.country = db.lookup(context.sourceIp);
        db.close();
      }
      const access =
        rules.size === 0
          ? null
          : rules.evaluate({ principal, action, sourceIp: context.sourceIp, country: context.country, now: context.time ? Date.parse(context.time) : Date.now(), risk: context.risk });
      const evaluation =
        engine instanceof CedarEngine
          ? engine.evaluate(principal, action)
          : (() => {
              const decision = engine.authorize(principal, action);
              return { effect: decision.effect, determining: decision.policy === 'default-deny' ? [] : [decision.policy], errors: [], decision };
            })();
      const effect = evaluation.effect !== 'allow' ? 'deny' : access === null || access.effect === 'allow' ? 'allow' : access.effect === 'step-up' ? 'step-up' : 'deny';
      const result = {
        decision: effect,
        engine: config.policy.engine,
        request: { principal, action: describeAction(action) },
        policies: evaluation.determining,
        errors: evaluation.errors,
        policy: evaluation.decision.policy,
        reason: evaluation.decision.reason,
        access: access === null ? null : { effect: access.effect, rule: access.rule, rules: access.matched, reason: access.reason, ...(access.stepUp ? { missing: access.stepUp.missing } : {}) },
        warnings: engine instanceof CedarEngine ? engine.sources.warnings : [],
      };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const lines = [
          `${result.decision.toUpperCase()}  ${principal.kind} ${principal.id} ${result.request.action} (engine ${result.engine})`,
          `  policies: ${result.policies.length ? result.policies.join(', ') : `none (${result.policy})`}`,
          `  reason:   ${result.reason}`,
          ...(result.access ? [`  access:   ${result.access.effect}: ${result.access.reason}`] : []),
          ...result.errors.map((e) => `  error:    ${e}`),
          ...result.warnings.map((w) => `  warning:  ${w}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (result.decision !== 'allow') process.exitCode = 2;
    });
  return policy;
}
