/**
 * `rampart agents register|list|suspend|resume|review`: the agent inventory, on the configured
 * store directly or through a running server's admin API (`--server <url>`, credential in
 * RAMPART_TOKEN), like `rampart keys`.
 */
import { Command, type Option } from 'commander';
import { RampartError } from '../core/errors.ts';
import type { AgentView } from '../identity/agent-input.ts';
import type { AgentBinding } from '../store/types.ts';
import { adminRequest, cliPrincipal, withDirectServices } from './admin-client.ts';

interface ServerOpts {
  config: string;
  server?: string;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

function bindingText(b: AgentBinding): string {
  return b.type === 'token' ? `token:${b.issuer}#${b.subject}` : b.type === 'client' ? `client:${b.issuer !== undefined ? `${b.issuer}#` : ''}${b.clientId}` : `principal:${b.principalId}`;
}

function printAgents(agents: (AgentView & { reasons?: readonly string[] })[], withReasons = false): void {
  const header = ['ID', 'NAME', 'STATE', 'BINDING', 'OWNER', 'DEPLOYMENTS', 'EXPIRES', 'LAST SEEN', ...(withReasons ? ['REASONS'] : [])];
  table(
    header,
    agents.map((a) => [
      a.id,
      a.name,
      a.state,
      bindingText(a.binding),
      a.owner ?? '-',
      a.allowedDeployments.join(',') || '-',
      a.expiresAt ?? '-',
      a.lastSeenAt ?? '-',
      ...(withReasons ? [(a.reasons ?? []).join(',')] : []),
    ]),
  );
}

const posInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `not a positive integer: ${v}` });
  return n;
};

function bindingOf(o: { issuer?: string; subject?: string; clientId?: string; principalId?: string }): AgentBinding {
  const given = [o.subject !== undefined, o.clientId !== undefined, o.principalId !== undefined].filter(Boolean).length;
  if (given !== 1) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'give exactly one of --subject (with --issuer), --client-id or --principal-id' });
  if (o.subject !== undefined) {
    if (o.issuer === undefined) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: '--subject needs --issuer' });
    return { type: 'token', issuer: o.issuer, subject: o.subject };
  }
  if (o.clientId !== undefined) return { type: 'client', clientId: o.clientId, ...(o.issuer !== undefined ? { issuer: o.issuer } : {}) };
  return { type: 'principal', principalId: o.principalId! };
}

export function agentsCommand(configOption: () => Option): Command {
  const agents = new Command('agents').description('the agent inventory: which AI agents may call Rampart, as whom, for what');
  const serverOpt = (c: Command) => c.addOption(configOption()).option('--server <url>', "use a running server's admin API (credential in RAMPART_TOKEN)");

  serverOpt(agents.command('register'))
    .description('register an agent and the identity it authenticates as')
    .requiredOption('--name <name>', 'what the agent is')
    .option('--issuer <url>', 'token issuer (with --subject; with --client-id, only that issuer\'s client)')
    .option('--subject <sub>', 'token subject (with --issuer)')
    .option('--client-id <id>', 'OAuth client id, e.g. an Entra Agent ID app id')
    .option('--principal-id <id>', 'principal id, e.g. of an API key (kind agent)')
    .option('--owner <owner>', 'who answers for the agent')
    .option('--sponsor <sponsor>', 'who approved it')
    .option('--purpose <text>', 'what it is for')
    .option('--deployment <name...>', 'deployments it may invoke ("*": any the policy allows)', [])
    .option('--tool <name...>', 'tools it may call', [])
    .option('--dataset <name...>', 'datasets it may use', [])
    .option('--expires-in-days <days>', 'end of the registration', posInt)
    .action(async (o: ServerOpts & { name: string; issuer?: string; subject?: string; clientId?: string; principalId?: string; owner?: string; sponsor?: string; purpose?: string; deployment: string[]; tool: string[]; dataset: string[]; expiresInDays?: number }) => {
      const body = {
        name: o.name,
        binding: bindingOf(o),
        owner: o.owner ?? null,
        sponsor: o.sponsor ?? null,
        purpose: o.purpose ?? null,
        allowedDeployments: o.deployment,
        allowedTools: o.tool,
        datasets: o.dataset,
        expiresAt: o.expiresInDays ? Date.now() + o.expiresInDays * 86_400_000 : null,
      };
      const agent = o.server
        ? ((await adminRequest(o.server, 'POST', '/admin/v1/agents', body)) as AgentView)
        : await withDirectServices(o.config, ({ identity, audited }) =>
            audited('agents.register', async (note) => {
              const agent = await identity.agents.register(body, cliPrincipal());
              note({ agentId: agent.id, binding: agent.binding.type });
              return agent;
            }),
          );
      process.stdout.write(`${JSON.stringify(agent, null, 2)}\n`);
    });

  serverOpt(agents.command('list'))
    .description('list agents')
    .option('--status <status>', 'active or suspended')
    .action(async (o: ServerOpts & { status?: string }) => {
      if (o.status !== undefined && o.status !== 'active' && o.status !== 'suspended') throw new RampartError('RAMPART_INVALID_REQUEST', { detail: '--status: active or suspended' });
      const status = o.status as 'active' | 'suspended' | undefined;
      if (o.server) {
        const page = (await adminRequest(o.server, 'GET', `/admin/v1/agents?limit=500${status ? `&status=${status}` : ''}`)) as { data: AgentView[] };
        return printAgents(page.data);
      }
      await withDirectServices(o.config, async ({ identity }) => {
        const out: AgentView[] = [];
        let cursor: string | null = null;
        do {
          const page = await identity.agents.list({ ...(status ? { status } : {}), limit: 500, cursor });
          out.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        printAgents(out);
      });
    });

  for (const verb of ['suspend', 'resume'] as const) {
    serverOpt(agents.command(verb))
      .description(verb === 'suspend' ? 'refuse the agent from now on' : 'let a suspended agent call again')
      .argument('<id>', 'agent id')
      .action(async (id: string, o: ServerOpts) => {
        if (o.server) await adminRequest(o.server, 'POST', `/admin/v1/agents/${encodeURIComponent(id)}/${verb}`);
        else {
          await withDirectServices(o.config, ({ identity, audited }) =>
            audited(`agents.${verb}`, async (note) => {
              note({ agentId: id });
              await identity.agents[verb](id);
            }),
          );
        }
        process.stdout.write(`${verb === 'suspend' ? 'suspended' : 'resumed'} ${id}\n`);
      });
  }

  serverOpt(agents.command('review'))
    .description('agents not seen for N days, expired, or without an owner')
    .option('--unseen-days <days>', 'not seen for this many days', posInt, 30)
    .action(async (o: ServerOpts & { unseenDays: number }) => {
      if (o.server) {
        const report = (await adminRequest(o.server, 'GET', `/admin/v1/agents/review?unseenDays=${o.unseenDays}`)) as { data: (AgentView & { reasons: string[] })[] };
        return printAgents(report.data, true);
      }
      await withDirectServices(o.config, async ({ identity }) => {
        const report = await identity.agents.review({ unseenDays: o.unseenDays });
        printAgents(report.items.map((i) => ({ ...i.agent, reasons: i.reasons })), true);
      });
    });
  return agents;
}
