/**
 * `rampart elevate request|approve|deny|revoke|list`: just-in-time roles through a running
 * server's admin API. Always as the principal whose credential is in RAMPART_TOKEN (never a flag:
 * flags show up in `ps`), because who asks and who approves is the point.
 */
import { Command, Option } from 'commander';
import type { ElevationView } from '../admin/elevations-routes.ts';
import { RampartError } from '../core/errors.ts';
import { adminRequest } from './admin-client.ts';

interface ServerOpts {
  server: string;
}

const serverOption = () => new Option('--server <url>', 'the Rampart server (credential in RAMPART_TOKEN)').env('RAMPART_SERVER').makeOptionMandatory();

function printElevations(list: ElevationView[]): void {
  const rows = list.map((e) => [e.id, e.status, e.role, e.principalId, e.expiresAt ?? '-', e.decidedBy ?? '-', e.justification.slice(0, 60)]);
  const header = ['ID', 'STATUS', 'ROLE', 'PRINCIPAL', 'EXPIRES', 'DECIDED BY', 'JUSTIFICATION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

const print = (e: unknown) => process.stdout.write(`${JSON.stringify(e, null, 2)}\n`);

const minutes = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `not a positive number of minutes: ${v}` });
  return n;
};

export function elevateCommand(): Command {
  const cmd = new Command('elevate').description('just-in-time roles: request, approve, deny, revoke, list');

  cmd
    .command('request')
    .description('ask for an eligible role for a while (pending until another administrator approves, unless auto-approved)')
    .addOption(serverOption())
    .requiredOption('--role <role>', 'the role to activate')
    .requiredOption('--minutes <n>', 'how long', minutes)
    .requiredOption('--justification <text>', 'why (ticket, incident): recorded in the audit log')
    .action(async (o: ServerOpts & { role: string; minutes: number; justification: string }) => {
      print(await adminRequest(o.server, 'POST', '/admin/v1/elevations', { role: o.role, durationMinutes: o.minutes, justification: o.justification }));
    });

  for (const verb of ['approve', 'deny'] as const) {
    cmd
      .command(verb)
      .description(`${verb} a pending elevation (needs elevations:approve; never your own)`)
      .addOption(serverOption())
      .argument('<id>', 'elevation id')
      .option('--note <text>', 'a note recorded with the decision')
      .action(async (id: string, o: ServerOpts & { note?: string }) => {
        print(await adminRequest(o.server, 'POST', `/admin/v1/elevations/${encodeURIComponent(id)}/${verb}`, o.note ? { note: o.note } : {}));
      });
  }

  cmd
    .command('revoke')
    .description('end an elevation now (your own, or any with elevations:approve)')
    .addOption(serverOption())
    .argument('<id>', 'elevation id')
    .action(async (id: string, o: ServerOpts) => {
      print(await adminRequest(o.server, 'POST', `/admin/v1/elevations/${encodeURIComponent(id)}/revoke`));
    });

  cmd
    .command('list')
    .description('list elevations (yours, or all with elevations:approve or audit:read)')
    .addOption(serverOption())
    .option('--status <status>', 'pending, approved, denied, revoked or expired')
    .option('--principal <id>', 'only this principal\'s')
    .option('--json', 'print JSON')
    .action(async (o: ServerOpts & { status?: string; principal?: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: '500' });
      if (o.status) q.set('status', o.status);
      if (o.principal) q.set('principalId', o.principal);
      const page = (await adminRequest(o.server, 'GET', `/admin/v1/elevations?${q}`)) as { data: ElevationView[] };
      if (o.json) print(page.data);
      else printElevations(page.data);
    });
  return cmd;
}
