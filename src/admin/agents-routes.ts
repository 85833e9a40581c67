/**
 * /admin/v1/agents: the agent inventory. Register, list, get, update, suspend, resume, and a
 * review of agents not seen for a while, expired, or without an owner.
 */
import { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import type { AgentView, RegisterAgentInput, UpdateAgentInput } from '../identity/agent-input.ts';
import { registerAgentSchema, updateAgentSchema } from '../identity/agent-input.ts';
import type { AgentStatus, Page } from '../store/types.ts';
import { pageParams, type AdminRoute } from './admin-api.ts';

/** What the admin API needs of the agent service (identity/agents.ts). */
export interface AgentManager {
  register(input: RegisterAgentInput, createdBy: string | null): Promise<AgentView>;
  list(opts: { status?: AgentStatus; limit: number; cursor?: string | null }): Promise<Page<AgentView>>;
  get(id: string): Promise<AgentView | null>;
  update(id: string, input: UpdateAgentInput): Promise<AgentView>;
  suspend(id: string): Promise<AgentView>;
  resume(id: string): Promise<AgentView>;
  review(opts: { unseenDays: number }): Promise<{ unseenDays: number; items: readonly { agent: AgentView; reasons: readonly string[] }[] }>;
}

const AGENT_ID = /^agt_[A-Za-z0-9_-]{1,64}$/;

function idParam(params: Readonly<Record<string, string | undefined>>): string {
  const id = params.id ?? '';
  if (!AGENT_ID.test(id)) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such agent.' });
  return id;
}

const statusParam = z.enum(['active', 'suspended']).optional();

export function agentRoutes(agents: AgentManager): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/agents',
      action: 'agents.list',
      permission: 'agents:read',
      handle: async ({ query }) => {
        const status = statusParam.safeParse(query.get('status') ?? undefined);
        if (!status.success) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'status: must be active or suspended', param: 'status' });
        const page = await agents.list({ ...(status.data ? { status: status.data } : {}), ...pageParams(query) });
        return { status: 200, body: { data: page.items, nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/agents',
      action: 'agents.register',
      permission: 'agents:write',
      handle: async (call) => {
        const input = await call.body(registerAgentSchema);
        const agent = await agents.register(input, call.principal.id);
        call.note({ agentId: agent.id, binding: agent.binding.type });
        return { status: 201, body: agent };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/agents/review',
      action: 'agents.review',
      permission: 'agents:read',
      handle: async ({ query }) => {
        const raw = query.get('unseenDays');
        const unseenDays = raw === null ? 30 : Number(raw);
        if (!Number.isInteger(unseenDays) || unseenDays < 1 || unseenDays > 3650) {
          throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'unseenDays: must be an integer from 1 to 3650', param: 'unseenDays' });
        }
        const report = await agents.review({ unseenDays });
        return { status: 200, body: { unseenDays, data: report.items.map((i) => ({ ...i.agent, reasons: i.reasons })) } };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/agents/:id',
      action: 'agents.get',
      permission: 'agents:read',
      handle: async ({ params }) => {
        const agent = await agents.get(idParam(params));
        if (!agent) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such agent.' });
        return { status: 200, body: agent };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/agents/:id',
      action: 'agents.update',
      permission: 'agents:write',
      handle: async (call) => {
        const id = idParam(call.params);
        const input = await call.body(updateAgentSchema);
        call.note({ agentId: id, fields: Object.keys(input) });
        return { status: 200, body: await agents.update(id, input) };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/agents/:id/suspend',
      action: 'agents.suspend',
      permission: 'agents:write',
      handle: async (call) => {
        const id = idParam(call.params);
        call.note({ agentId: id });
        return { status: 200, body: await agents.suspend(id) };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/agents/:id/resume',
      action: 'agents.resume',
      permission: 'agents:write',
      handle: async (call) => {
        const id = idParam(call.params);
        call.note({ agentId: id });
        return { status: 200, body: await agents.resume(id) };
      },
    },
  ];
}
