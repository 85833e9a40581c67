/**
 * Workload identity federation (`auth.workloads[]`): tokens that a platform mints for a workload
 * — Kubernetes projected service-account tokens, GitHub Actions and GitLab CI OIDC tokens, cloud
 * workload identities — accepted without any secret shared with Rampart. Each rule trusts one
 * issuer for subjects matching a pattern and says which principal such a token becomes.
 */
import { z } from 'zod';
import { claimPath, roleNameSchema, urlField, verificationFields, audienceSchema } from './token-verification.ts';
import { subjectPatternProblem } from './subject-glob.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;

const patternSchema = z
  .string()
  .superRefine((p, ctx) => {
    const problem = subjectPatternProblem(p);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

const idTemplateSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
  .superRefine((t, ctx) => {
    if (/[{}]/.test(t.replace(PLACEHOLDER, ''))) ctx.addIssue({ code: 'custom', message: 'has an unbalanced { or }' });
    for (const m of t.matchAll(PLACEHOLDER)) {
      if (!claimPath.safeParse(m[1]).success) ctx.addIssue({ code: 'custom', message: `{${m[1]}} is not a claim path` });
    }
  });

export const workloadRuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .optional()
      .describe('A label for logs and the audit trail.'),
    issuer: urlField('issuer')
      .refine((v) => !v.includes('?') && !/[{}]/.test(v), { error: 'issuer must be an exact issuer: no query, no template' })
      .describe("The token issuer, e.g. 'https://token.actions.githubusercontent.com' or a cluster's service-account issuer."),
    audience: audienceSchema,
    ...verificationFields,
    subject: patternSchema.describe(
      "Accepted `sub`: exact, or a pattern where '*' matches within one ':' or '/' separated segment and '**' matches anything, " +
        "e.g. 'system:serviceaccount:team-a:*' or 'repo:acme/app:ref:refs/heads/main'.",
    ),
    claims: z
      .record(claimPath, patternSchema)
      .optional()
      .describe("Further conditions: claim path -> pattern the (string) claim must match, e.g. { repository_owner: acme, 'kubernetes.io.namespace': team-a }."),
    principal: z
      .strictObject({
        kind: z.enum(['app', 'agent', 'workload']).default('workload').describe('Kind of the principal.'),
        id: idTemplateSchema
          .default('workload:{iss}#{sub}')
          .describe("Principal id template; '{claim}' inserts a string claim, e.g. 'k8s:{sub}' or 'github:{repository}'."),
        roles: z.array(roleNameSchema).max(64).default([]).describe('Rampart roles granted to the workload.'),
        groups: z.array(z.string().min(1).max(256)).max(64).default([]).describe('Groups granted to the workload.'),
      })
      .prefault({})
      .describe('The principal a matching token becomes. Roles come from here, never from the token.'),
  })
  .describe('A workload trust rule: which federated tokens are accepted and as whom.');

export type WorkloadRuleConfig = z.output<typeof workloadRuleSchema>;
export type WorkloadRuleInput = z.input<typeof workloadRuleSchema>;
