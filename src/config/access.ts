/**
 * The `access` section of rampart.yaml: conditional access rules, checked on every data-plane and
 * admin request after authentication and the policy engine (src/policy/conditional-access.ts), and
 * the risk signal that repeated blocked prompt attacks raise.
 *
 * Shapes are validated here; names that refer to other sections (deployments, admin permissions)
 * are checked when the rules are compiled, so a typo stops start-up with the rule's path.
 */
import { z } from 'zod';
import { cidrSchema } from './cidr.ts';

export const ACCESS_OUTCOMES = ['allow', 'block', 'step-up', 'restrict'] as const;
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const SENSITIVITIES = ['low', 'medium', 'high'] as const;
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 letters, digits and . _ : -');
const TOKEN_LIST = z.array(z.string().min(1).max(256)).min(1).max(1_000);
/** RFC 6750 §3 quoted-string values: no `"`, `\` or control characters (they go into challenges). */
const CHALLENGE_VALUE = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'printable ASCII without spaces, quotes or backslashes');

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeWindowSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).optional().describe('Days of the week (sun..sat) in `timezone`. A window that crosses midnight belongs to the day it starts on.'),
    from: z.string().regex(HHMM, 'HH:MM, 00:00 to 23:59').default('00:00').describe('Start, inclusive, local time HH:MM.'),
    to: z
      .union([z.string().regex(HHMM, 'HH:MM, 00:00 to 23:59'), z.literal('24:00')])
      .default('24:00')
      .describe('End, exclusive, local time HH:MM; earlier than `from` means the window crosses midnight.'),
    timezone: z.string().default('UTC').refine(validTimeZone, 'unknown IANA time zone').describe('IANA time zone, e.g. Europe/Paris (daylight saving is followed).'),
  })
  .describe('A weekly time window.');

export const stepUpSchema = z
  .strictObject({
    acr: z.array(CHALLENGE_VALUE).min(1).max(20).optional().describe('Acceptable `acr` values, most preferred first (any one satisfies); sent as RFC 9470 `acr_values`.'),
    amr: z.array(CHALLENGE_VALUE).min(1).max(20).optional().describe('Authentication methods (RFC 8176) the token\'s `amr` must all contain, e.g. [mfa] or [hwk].'),
    authContexts: z.array(z.string().regex(/^c[1-9]\d?$/, 'an Entra authentication context id, c1 to c99')).min(1).max(20).optional().describe('Entra conditional-access authentication contexts (`acrs`) that must all be present; answered with an Entra claims challenge.'),
    maxAgeSec: z.int().min(0).max(31_536_000).optional().describe('Longest time since the user last signed in (`auth_time`); sent as RFC 9470 `max_age`.'),
  })
  .refine((s) => s.acr || s.amr || s.authContexts || s.maxAgeSec !== undefined, 'name at least one of acr, amr, authContexts, maxAgeSec')
  .describe('Authentication strength a request needs.');

export const accessConditionsSchema = z
  .strictObject({
    networks: z.array(cidrSchema).min(1).max(10_000).optional().describe('Source address in one of these IPs or CIDR blocks (IPv4-mapped IPv6 addresses count as IPv4).'),
    countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case')).min(1).optional().describe('Source country (from access.countryDatabase or access.countryHeader); an unknown country never matches.'),
    time: timeWindowSchema.optional(),
    principalKinds: z.array(z.enum(['user', 'app', 'agent', 'workload'])).min(1).optional(),
    authMethods: z.array(z.enum(['oidc', 'workload', 'api-key'])).min(1).optional(),
    roles: TOKEN_LIST.optional().describe('The principal has any of these roles.'),
    groups: TOKEN_LIST.optional().describe('The principal is in any of these groups (e.g. an IdP group of compliant devices).'),
    tenants: TOKEN_LIST.optional(),
    clientIds: TOKEN_LIST.optional().describe('The OAuth client (app) the token was issued to.'),
    risk: z.array(z.enum(RISK_LEVELS)).min(1).optional().describe('The principal\'s current risk level (see access.risk).'),
    actions: z.array(z.enum(['invoke', 'admin'])).min(1).optional().describe('invoke: data-plane model calls; admin: the admin API and /v1/guard/analyze.'),
    permissions: TOKEN_LIST.optional().describe('Admin permissions, e.g. keys:write (admin requests only).'),
    deployments: TOKEN_LIST.optional().describe('Deployments invoked (invoke requests only).'),
    sensitivity: z.array(z.enum(SENSITIVITIES)).min(1).optional().describe('deployments[].sensitivity of the deployment invoked (invoke requests only).'),
  })
  .describe('Conditions; all given ones must hold. Lists match when any entry does.');

export const accessRuleSchema = z
  .strictObject({
    name: NAME.describe('Named in errors and audit events.'),
    description: z.string().max(1_000).optional(),
    when: accessConditionsSchema.prefault({}).describe('The rule applies when all of these hold (empty: always).'),
    unless: accessConditionsSchema.optional().describe('...and not all of these.'),
    action: z.enum(ACCESS_OUTCOMES).describe('allow: exempt from the rules after this one. block: 403. step-up: require stepUp. restrict: invoke only `deployments`.'),
    stepUp: stepUpSchema.optional().describe('For action step-up.'),
    deployments: TOKEN_LIST.optional().describe('For action restrict: the only deployments that may be invoked.'),
  })
  .superRefine((r, ctx) => {
    if ((r.action === 'step-up') !== (r.stepUp !== undefined)) ctx.addIssue({ code: 'custom', path: ['stepUp'], message: 'required with action step-up, and only with it' });
    if ((r.action === 'restrict') !== (r.deployments !== undefined)) ctx.addIssue({ code: 'custom', path: ['deployments'], message: 'required with action restrict, and only with it' });
  });

export const accessSchema = z
  .strictObject({
    countryHeader: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'a lower-case header name')
      .optional()
      .describe('Header holding the client\'s ISO country code, set by a trusted proxy (e.g. cf-ipcountry). Read only from server.trustedProxies peers; it wins over countryDatabase when present.'),
    countryDatabase: z
      .string()
      .min(1)
      .optional()
      .describe('Path of a MaxMind DB (GeoLite2/GeoIP2 Country or City .mmdb) the operator supplies; the client address is looked up in it. Reloaded when the file changes.'),
    risk: z
      .strictObject({
        windowMinutes: z.int().min(1).max(1_440).default(15).describe('Blocked detections older than this no longer count.'),
        medium: z.int().min(1).max(1_000).default(2).describe('Blocked requests in the window that make the risk medium.'),
        high: z.int().min(1).max(1_000).default(3).describe('Blocked requests in the window that make the risk high.'),
        categories: z.array(z.string().min(1)).min(1).default(['prompt_injection', 'jailbreak']).describe('Detection categories that count (a category or its dotted sub-categories).'),
      })
      .refine((r) => r.high >= r.medium, { message: 'high must be at least medium', path: ['high'] })
      .prefault({})
      .describe('Principal risk, raised by requests the guard blocked. Counted in memory, per instance.'),
    rules: z
      .array(accessRuleSchema)
      .max(500)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule name '${r.name}'` });
          seen.add(r.name);
        });
      })
      .describe('Conditional access rules, in order.'),
  })
  .describe('Conditional access: network, country, time, principal, risk and deployment conditions that allow, block, restrict or require step-up authentication.');

export type AccessConfig = z.output<typeof accessSchema>;
export type AccessRuleConfig = z.output<typeof accessRuleSchema>;
export type AccessConditionsConfig = z.output<typeof accessConditionsSchema>;
export type StepUpConfig = z.output<typeof stepUpSchema>;
export type TimeWindowConfig = z.output<typeof timeWindowSchema>;
