/**
 * The one schema of rampart.yaml: types, validation, the JSON Schema editors use
 * (`rampart config schema`) and docs/config-reference.md all come from here.
 *
 * Provider options are declared by each provider's descriptor (STYLE.md habit 2), so the deployment
 * target schema is assembled from the provider registry that the caller passes in; the config
 * layer itself imports nothing above `core`.
 */
import { z } from 'zod';
import { agentsConfigSchema } from './agents.ts';
import { deploymentModelSchema, modelsConfigSchema } from './models.ts';
import { sandboxConfigSchema } from './sandbox.ts';
import { accessSchema, SENSITIVITIES } from './access.ts';
import { authConfigSchema } from './auth.ts';
import { guardSchema } from './guard.ts';
import { toolPoliciesSchema } from './tools.ts';
import { policySchema } from './policy.ts';
import { jitSchema } from './jit.ts';
import { storageSchema, countersSchema } from './storage.ts';
import { cidrSchema } from './cidr.ts';

const MiB = 1024 * 1024;

export const limitValuesSchema = z
  .strictObject({
    requestsPerMinute: z.int().positive().optional().describe('Requests allowed in any sliding minute.'),
    tokensPerMinute: z.int().positive().optional().describe('Tokens (prompt + completion) allowed in any sliding minute.'),
    tokensPerMonth: z.int().positive().optional().describe('Token budget per calendar month (UTC).'),
  })
  .describe('Request and token limits. A missing value means no limit of that kind.');

export const ADMIN_PERMISSIONS = ['keys:read', 'keys:write', 'deployments:read', 'audit:read', 'detections:read', 'guard:analyze', 'tools:write', 'elevations:approve', 'agents:read', 'agents:write', 'models:read', 'models:write', 'models:approve', 'sandbox:execute', 'sandbox:read', 'sandbox:approve'] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

export const roleSchema = z
  .strictObject({
    description: z.string().optional(),
    deployments: z
      .array(z.string().min(1))
      .default([])
      .describe('Deployments this role may invoke, by name; "*" means every deployment.'),
    admin: z
      .array(z.union([z.enum(ADMIN_PERMISSIONS), z.literal('*')]))
      .default([])
      .describe('Admin API permissions; "*" means all of them.'),
  })
  .describe('A role grants permissions. Principals get roles from their token claims or their API key.');

/** Built-in roles (policy/role-engine.ts defines what they grant). */
export const RESERVED_ROLES = ['admin', 'auditor'] as const;

const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export const commonTargetFields = {
  priority: z.int().min(0).max(1000).default(0).describe('Lower is tried first; targets of equal priority share traffic by weight.'),
  weight: z.int().min(1).max(1000).default(1).describe('Share of traffic among targets of the same priority.'),
  timeoutMs: z
    .int()
    .min(100)
    .max(600_000)
    .default(60_000)
    .describe('Time allowed for the upstream to answer (response headers; the whole body when not streamed).'),
  streamIdleTimeoutMs: z
    .int()
    .min(1000)
    .max(3_600_000)
    .optional()
    .describe('Streams: longest silence allowed between two chunks from the upstream (default 120000; reasoning models pause).'),
};

export const retrySchema = z
  .strictObject({
    attempts: z.int().min(0).max(10).default(2).describe('Extra attempts after the first, across targets, on 429, 5xx, timeouts and connect errors.'),
    backoffMs: z.int().min(0).max(60_000).default(200).describe('First backoff; doubles each attempt, with jitter.'),
    maxBackoffMs: z.int().min(0).max(120_000).default(2_000).describe('Upper bound of one backoff.'),
  })
  .describe('Retries and failover. Never after the first streamed byte reached the client.');

/** What every target has once validated; provider-specific fields ride along. */
export interface TargetShape {
  provider: string;
  priority: number;
  weight: number;
  timeoutMs: number;
  streamIdleTimeoutMs?: number;
  [field: string]: unknown;
}

/** Anything with a zod options schema, i.e. a provider descriptor. */
export interface TargetSchemaSource {
  readonly id: string;
  readonly optionsSchema: z.ZodObject;
}

export function buildConfigSchema(providers: readonly TargetSchemaSource[]) {
  if (providers.length === 0) throw new Error('buildConfigSchema needs at least one provider');
  const targets = providers.map((p) => p.optionsSchema.extend(commonTargetFields).strict());
  // Each provider's own fields are typed in its descriptor; here a target is its common part.
  const targetSchema = z
    .discriminatedUnion('provider', targets as unknown as [z.ZodObject, ...z.ZodObject[]])
    .describe(`One upstream target. provider: ${providers.map((p) => p.id).join(', ')}.`) as unknown as z.ZodType<TargetShape, Record<string, unknown>>;

  const deploymentSchema = z
    .strictObject({
      name: z
        .string()
        .regex(DEPLOYMENT_NAME, 'must be 1-128 characters of letters, digits and . _ : / - (clients send it as `model`)')
        .describe('The logical model name clients send as `model`.'),
      description: z.string().optional(),
      targets: z.array(targetSchema).min(1, 'a deployment needs at least one target'),
      retry: retrySchema.prefault({}),
      limits: limitValuesSchema.optional().describe('Limits for the deployment as a whole, across all callers.'),
      guard: z.string().optional().describe("Guard profile for this deployment (default: guard.defaultProfile; 'off' disables scanning)."),
      sensitivity: z.enum(SENSITIVITIES).optional().describe('How sensitive the deployment is (default low); access rules can condition on it.'),
      model: deploymentModelSchema.optional(),
    })
    .describe('A deployment: what clients call, mapped to upstream targets.');

  return z
    .strictObject({
      server: z
        .strictObject({
          host: z.string().default('127.0.0.1').describe('Interface to listen on. Loopback by default: expose it deliberately.'),
          port: z.int().min(0).max(65535).default(8080).describe('Port to listen on (0 picks a free one).'),
          bodyLimitBytes: z.int().min(1024).max(256 * MiB).default(8 * MiB).describe('Largest request body accepted.'),
          requestTimeoutMs: z.int().min(1000).max(3_600_000).default(600_000).describe('Longest a data-plane request may take end to end.'),
          trustedProxies: z
            .array(cidrSchema)
            .max(64)
            .default([])
            .describe('Proxy addresses (IPs or CIDRs) whose X-Forwarded-For is believed. Empty: the socket address is the client.'),
          shutdownGraceMs: z.int().min(0).max(120_000).default(10_000).describe('How long in-flight requests may finish on shutdown.'),
          exposeOverheadHeader: z.boolean().default(true).describe('Send x-rampart-overhead-ms (the gateway\'s own time) on every response.'),
          threads: z
            .union([z.int().min(1).max(64), z.literal('auto')])
            .default(1)
            .describe(
              'Threads serving the data plane (/v1) on the one port; "auto": one per CPU. Each extra thread has its own caches and audit chain and shares ' +
                'the store and the counters (memory counters move to shared memory), so limits hold across threads. Everything else is served by the main thread. ' +
                'A thread holding more than its share of the client connections that served requests asks a client to reconnect, so the shares even out. More threads help where the ' +
                'cores are otherwise idle; on a small machine that also runs the clients or the models they cost more CPU per request (docs/benchmarks.md).',
            ),
        })
        .prefault({})
        .describe('The HTTP listener: data plane (/v1), admin API (/admin/v1), health and metrics.'),
      log: z
        .strictObject({
          level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe level written.'),
          requests: z.boolean().default(true).describe('One info line per data-plane request (request id, principal, deployment, status, latency).'),
        })
        .prefault({})
        .describe('JSON logs on stdout, with request ids; credentials are redacted.'),
      metrics: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Serve Prometheus metrics.'),
          path: z.string().startsWith('/').default('/metrics').describe('Path of the Prometheus endpoint.'),
          token: z
            .string()
            .min(16)
            .max(512)
            .optional()
            .describe(
              'Bearer token Prometheus must send (`authorization: Bearer ...`; use a ${env:...} or ${file:...} reference). Absent: the endpoint is open to ' +
                'whoever reaches the listener (loopback by default); metrics name deployments and targets.',
            ),
        })
        .prefault({})
        .describe('Prometheus metrics: requests, latency, time to first token, tokens, rejections, upstream errors.'),
      storage: storageSchema.prefault({ kind: 'embedded' }),
      counters: countersSchema.prefault({ kind: 'memory' }),
      auth: authConfigSchema.prefault({}),
      agents: agentsConfigSchema.prefault({}),
      roles: z
        .record(z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/), roleSchema)
        .default({})
        .describe('Roles by name. Built in: admin (every admin permission) and auditor (read-only); they cannot be redefined.'),
      policy: policySchema.prefault({}),
      access: accessSchema.prefault({}),
      jit: jitSchema.prefault({}),
      limits: z
        .strictObject({
          principal: limitValuesSchema.optional().describe('Applied to every principal (user, app, agent).'),
          apiKey: limitValuesSchema.optional().describe('Default for every API key; a key may carry its own.'),
        })
        .prefault({})
        .describe('Default limits. Deployments carry their own under deployments[].limits.'),
      audit: z
        .strictObject({
          capturePayloads: z.boolean().default(false).describe('Store prompts and answers in audit events. Off by default: they may hold personal data.'),
          batchSize: z.int().min(1).max(10_000).default(200),
          flushIntervalMs: z.int().min(10).max(60_000).default(250),
          maxQueue: z.int().min(100).max(10_000_000).default(100_000).describe('Events kept in memory while the store is unreachable.'),
          chainId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional().describe('Hash-chain id of this instance; default: the host name.'),
          headsLogMinutes: z
            .int()
            .min(0)
            .max(1440)
            .default(60)
            .describe(
              'Every this many minutes, log the head (seq and hash) of every audit chain, so the log pipeline keeps anchors the database cannot change: ' +
                '`rampart audit verify --anchors` then also detects deleted newest records and deleted chains. 0: off.',
            ),
        })
        .prefault({})
        .describe('The hash-chained audit log: one event per request and admin action, written in batches.'),
      guard: guardSchema.prefault({}),
      toolPolicies: toolPoliciesSchema,
      models: modelsConfigSchema.prefault({}),
      sandbox: sandboxConfigSchema.prefault({}),
      deployments: z.array(deploymentSchema).default([]).describe('What clients can call, by name (their `model`).'),
    })
    .superRefine((cfg, ctx) => {
      cfg.deployments.forEach((d, i) => {
        const required = typeof d.model === 'object' ? (d.model.require ?? cfg.models.require) : d.model !== undefined ? cfg.models.require : [];
        if (required.includes('trusted-publisher') && cfg.models.publishers.length === 0) {
          ctx.addIssue({ code: 'custom', path: ['deployments', i, 'model'], message: 'requires trusted-publisher, but models.publishers is empty' });
        }
        if (required.includes('trusted-signature') && cfg.models.signers.length === 0) {
          ctx.addIssue({ code: 'custom', path: ['deployments', i, 'model'], message: 'requires trusted-signature, but models.signers is empty' });
        }
      });
      const seen = new Map<string, number>();
      cfg.deployments.forEach((d, i) => {
        const prev = seen.get(d.name);
        if (prev !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['deployments', i, 'name'], message: `duplicate deployment name (also deployments[${prev}])` });
        }
        seen.set(d.name, i);
      });
      for (const [name, profile] of Object.entries(cfg.guard.profiles)) {
        if (profile.toolPolicy !== undefined && !(profile.toolPolicy in cfg.toolPolicies)) {
          const known = Object.keys(cfg.toolPolicies);
          ctx.addIssue({ code: 'custom', path: ['guard', 'profiles', name, 'toolPolicy'], message: `unknown tool policy '${profile.toolPolicy}' (known: ${known.length ? known.join(', ') : 'none; define it under toolPolicies'})` });
        }
      }
      // An auto-approved role that can approve elevations would let its holder grant itself the
      // roles that need a second person: judged by what the role grants, not only by its name.
      cfg.jit.eligible.forEach((e, i) => {
        if (e.approval !== 'auto') return;
        e.roles.forEach((r, j) => {
          const admin = cfg.roles[r]?.admin ?? [];
          if (admin.includes('*') || admin.includes('elevations:approve')) {
            ctx.addIssue({ code: 'custom', path: ['jit', 'eligible', i, 'roles', j], message: `'${r}' grants elevations:approve: it cannot be auto-approved` });
          }
        });
      });
      for (const [name, role] of Object.entries(cfg.roles)) {
        if ((RESERVED_ROLES as readonly string[]).includes(name)) {
          ctx.addIssue({ code: 'custom', path: ['roles', name], message: `'${name}' is a built-in role and cannot be redefined` });
        }
        role.deployments.forEach((dep, i) => {
          if (dep !== '*' && !seen.has(dep)) {
            ctx.addIssue({ code: 'custom', path: ['roles', name, 'deployments', i], message: `unknown deployment '${dep}'` });
          }
        });
      }
    });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
export type RampartConfig = z.output<ConfigSchema>;
export type RampartConfigInput = z.input<ConfigSchema>;
export type DeploymentConfig = RampartConfig['deployments'][number];
export type TargetConfig = DeploymentConfig['targets'][number];
export type RoleConfig = z.output<typeof roleSchema>;
export type LimitValuesConfig = z.output<typeof limitValuesSchema>;
