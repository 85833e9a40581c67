/** `rampart audit verify|tail`. */
import { Command, type Option } from 'commander';
import { adminRequest, withDirectServices } from './admin-client.ts';
import { auditView } from '../admin/audit-routes.ts';
import { verifyAudit } from '../monitor/audit-verify.ts';

function line(e: Record<string, unknown>): string {
  return [e.time, e.plane, e.action, e.decision, e.status, e.principalId ?? '-', e.deployment ?? '-', e.code ?? '', `${e.latencyMs}ms`, e.requestId].join('  ');
}

export function auditCommand(configOption: () => Option): Command {
  const audit = new Command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('walk every hash chain; exits 1 when a record was edited, deleted or reordered')
    .addOption(configOption())
    .option('--server <url>', 'ask a running server (credential in RAMPART_TOKEN)')
    .action(async (o: { config: string; server?: string }) => {
      const report = (o.server
        ? await adminRequest(o.server, 'POST', '/admin/v1/audit/verify')
        : await withDirectServices(o.config, ({ store }) => verifyAudit(store.audit, {
            onProgress: process.stderr.isTTY ? (p: { checked: number }) => process.stderr.write(`\rchecked ${p.checked} events`) : undefined,
          }))) as { ok: boolean };
      if (process.stderr.isTTY) process.stderr.write('\n');
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
  audit
    .command('tail')
    .description('print the newest audit events')
    .addOption(configOption())
    .option('--server <url>', 'ask a running server (credential in RAMPART_TOKEN)')
    .option('-n, --lines <n>', 'how many events', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'one JSON object per line')
    .action(async (o: { config: string; server?: string; lines: number; json?: boolean }) => {
      const limit = Math.min(Math.max(1, o.lines), 1000);
      const events = (o.server
        ? ((await adminRequest(o.server, 'GET', `/admin/v1/audit?limit=${limit}`)) as { data: Record<string, unknown>[] }).data
        : await withDirectServices(o.config, async ({ store }) => (await store.audit.list({ limit })).items.map(auditView))) as Record<string, unknown>[];
      for (const e of events.reverse()) process.stdout.write(`${o.json ? JSON.stringify(e) : line(e)}\n`);
    });
  return audit;
}
