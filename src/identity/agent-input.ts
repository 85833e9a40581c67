/**
 * Validation of what admins send to register or update an agent, and the public view of an agent.
 * Used by the service, so the CLI and the admin API get the same checks and coded errors.
 */
import { z } from 'zod';
import type { AgentRecord } from '../store/types.ts';

// Printable text, no control characters (they could forge log lines or confuse terminals).
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]+$/u, { error: 'must not contain control characters' });

const NAME_LIST = z.array(z.string().regex(/^[A-Za-z0-9*][A-Za-z0-9._:/*-]{0,127}$/)).max(256);

export const agentBindingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('token'), issuer: z.url().max(512), subject: text(512) }),
  // With `issuer`, only that identity provider's client: client ids are not unique across IdPs.
  z.strictObject({ type: z.literal('client'), clientId: text(256), issuer: z.url().max(512).optional() }),
  z.strictObject({ type: z.literal('principal'), principalId: text(512) }),
]);

const mutable = {
  name: text(128),
  owner: text(256).nullable(),
  sponsor: text(256).nullable(),
  purpose: text(1024).nullable(),
  allowedDeployments: NAME_LIST.describe('Deployments the agent may invoke ("*": any the policy allows).'),
  allowedTools: NAME_LIST,
  datasets: NAME_LIST,
  expiresAt: z.int().positive().nullable().describe('End of the registration, ms since the epoch.'),
};

export const registerAgentSchema = z.strictObject({
  ...mutable,
  binding: agentBindingSchema,
  owner: mutable.owner.default(null),
  sponsor: mutable.sponsor.default(null),
  purpose: mutable.purpose.default(null),
  allowedDeployments: mutable.allowedDeployments.default([]),
  allowedTools: mutable.allowedTools.default([]),
  datasets: mutable.datasets.default([]),
  expiresAt: mutable.expiresAt.default(null),
});

export type RegisterAgentInput = z.input<typeof registerAgentSchema>;

export const updateAgentSchema = z.strictObject(mutable).partial();

export type UpdateAgentInput = z.input<typeof updateAgentSchema>;

export type AgentState = 'active' | 'suspended' | 'expired';

/** An agent as the admin API and the CLI show it: times as ISO strings, with its effective state. */
export interface AgentView {
  id: string;
  name: string;
  binding: AgentRecord['binding'];
  owner: string | null;
  sponsor: string | null;
  purpose: string | null;
  allowedDeployments: string[];
  allowedTools: string[];
  datasets: string[];
  status: AgentRecord['status'];
  state: AgentState;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  lastSeenAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function agentState(rec: Pick<AgentRecord, 'status' | 'expiresAt'>, now: number): AgentState {
  if (rec.status === 'suspended') return 'suspended';
  if (rec.expiresAt !== null && now >= rec.expiresAt) return 'expired';
  return 'active';
}

export function agentView(rec: AgentRecord, now: number, pendingLastSeen?: number): AgentView {
  return {
    id: rec.id,
    name: rec.name,
    binding: rec.binding,
    owner: rec.owner,
    sponsor: rec.sponsor,
    purpose: rec.purpose,
    allowedDeployments: rec.allowedDeployments,
    allowedTools: rec.allowedTools,
    datasets: rec.datasets,
    status: rec.status,
    state: agentState(rec, now),
    expiresAt: iso(rec.expiresAt),
    createdAt: new Date(rec.createdAt).toISOString(),
    createdBy: rec.createdBy,
    updatedAt: new Date(rec.updatedAt).toISOString(),
    lastSeenAt: iso(Math.max(rec.lastSeenAt ?? 0, pendingLastSeen ?? 0) || null),
  };
}
