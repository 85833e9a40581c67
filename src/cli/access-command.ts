/**
 * `rampart access review --days N`: the access review report of a running server (needs
 * audit:read; credential in RAMPART_TOKEN).
 */
import { Command, Option } from 'commander';
import type { AccessReport } from '../posture/access-review.ts';
import { RampartError } from '../core/errors.ts';
import { adminRequest } from './admin-client.ts';

function printReport(r: AccessReport): void {
  const out: string[] = [`access review: last ${r.days} days (since ${r.from})${r.truncated ? ' — TRUNCATED: more audit events than were read' : ''}`];
  for (const p of r.principals) {
    out.push('', `${p.principalId} (${p.kind ?? 'unknown kind'}${p.breakGlass ? ', BREAK-GLASS' : ''})`);
    out.push(`  roles:    ${p.rolesKnown ? p.standingRoles.join(', ') || '-' : '(from the identity provider, not stored)'}${p.eligibleRoles.length ? `; eligible: ${p.eligibleRoles.join(', ')}` : ''}`);
    out.push(`  may:      deployments ${p.may.deployments.join(', ') || '-'}; admin ${p.may.adminPermissions.join(', ') || '-'}`);
    out.push(`  did:      ${p.did.requests} requests (${p.did.denied} refused), deployments ${Object.keys(p.did.deployments).join(', ') || '-'}, admin ${p.did.adminPermissionsUsed.join(', ') || '-'}; last seen ${p.did.lastSeenAt ?? 'never'}`);
    for (const f of p.findings) out.push(`  finding:  ${describe(f)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function describe(f: AccessReport['principals'][number]['findings'][number]): string {
  switch (f.kind) {
    case 'unused-deployment-grant':
      return `may invoke '${f.deployment}' but did not`;
    case 'unused-admin-permission':
      return `holds ${f.permission} but did not use it`;
    case 'stale-key':
      return `key ${f.keyId} unused in the window (last used ${f.lastUsedAt ?? 'never'})`;
    case 'stale-identity':
      return 'no activity and only stale keys: disable or delete';
    case 'standing-admin':
      return `standing ${f.permissions.join(', ')} through ${f.roles.join(', ') || 'its roles'}: ${f.alreadyEligible ? 'already eligible, drop the standing role' : 'make it eligible (jit.eligible) instead'}`;
  }
}

export function accessCommand(): Command {
  const cmd = new Command('access').description('access reviews');
  cmd
    .command('review')
    .description('what each principal may do against what it did in the last N days (needs audit:read)')
    .addOption(new Option('--server <url>', 'the Rampart server (credential in RAMPART_TOKEN)').env('RAMPART_SERVER').makeOptionMandatory())
    .option('--days <n>', 'the window', '30')
    .option('--json', 'print the report as JSON')
    .action(async (o: { server: string; days: string; json?: boolean }) => {
      if (!/^\d{1,4}$/.test(o.days)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `--days: not a whole number: ${o.days}` });
      const report = (await adminRequest(o.server, 'GET', `/admin/v1/access-review?days=${o.days}`)) as AccessReport;
      if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report);
    });
  return cmd;
}
