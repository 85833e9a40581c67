/**
 * The `jit` section of rampart.yaml: just-in-time privileged access (issue 5, point 8). Admin
 * roles become *eligible* instead of standing: a principal asks for a role for a while, another
 * administrator approves, and the role holds until it expires. `breakGlass` lists the emergency
 * accounts whose every use is audited with an alert.
 */
import { z } from 'zod';

const PRINCIPAL_ID = z.string().regex(/^[A-Za-z0-9._:@/#{}-]{1,256}$/, 'a principal id (e.g. oidc:<issuer>#<subject>, key:<id>)');
const GROUP = z.string().min(1).max(256);
const ROLE = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

/** Roles that may never be activated without a second person: they can approve elevations themselves. */
export const NEVER_AUTO_APPROVED = ['admin', 'platform-admin'] as const;

export const eligibilitySchema = z
  .strictObject({
    principals: z.array(PRINCIPAL_ID).max(10_000).default([]).describe('Principal ids that are eligible (exact ids, never emails).'),
    groups: z.array(GROUP).max(1_000).default([]).describe('Groups whose members are eligible (the principal\'s `groups`).'),
    roles: z.array(ROLE).min(1).max(64).describe('Roles they may activate, one per request.'),
    maxDurationMinutes: z.int().min(1).max(7 * 24 * 60).default(60).describe('Longest activation that may be requested.'),
    approval: z
      .enum(['required', 'auto'])
      .default('required')
      .describe("'required': another principal with elevations:approve must approve (never the requester). 'auto': granted at once, for low-risk roles."),
  })
  .superRefine((e, ctx) => {
    if (e.principals.length === 0 && e.groups.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['principals'], message: 'name at least one principal or group' });
    }
    if (e.approval === 'auto') {
      e.roles.forEach((r, i) => {
        if ((NEVER_AUTO_APPROVED as readonly string[]).includes(r)) {
          ctx.addIssue({ code: 'custom', path: ['roles', i], message: `'${r}' may approve elevations itself: it cannot be auto-approved` });
        }
      });
    }
  })
  .describe('Who may activate which roles, for how long, with which approval.');

export const jitSchema = z
  .strictObject({
    eligible: z.array(eligibilitySchema).max(1_000).default([]).describe('Eligible (not standing) role assignments.'),
    breakGlass: z
      .array(PRINCIPAL_ID)
      .max(100)
      .default([])
      .describe('Emergency-access principal ids: every authorization decision for one is audited (breakglass.use, alert: true) and logged at warn.'),
    refreshSeconds: z
      .int()
      .min(1)
      .max(300)
      .default(5)
      .describe('How often each instance reloads active elevations from the store (approvals and revocations on another instance take effect within this time; expiry is exact).'),
  })
  .describe('Just-in-time privileged access: eligible roles, approvals, expiry, break-glass accounts.');

export type JitConfig = z.output<typeof jitSchema>;
export type EligibilityConfig = JitConfig['eligible'][number];
