/** `rampart audit verify|heads|tail`. */
import { readFileSync } from 'node:fs';
import { Command, type Option } from 'commander';
import { adminRequest, withDirectServices } from './admin-client.ts';
import { auditView } from '../admin/audit-routes.ts';
import { anchorsSchema, exportHeads, verifyAudit, type AuditHead } from '../monitor/audit-verify.ts';
import { parseInput } from '../config/load.ts';
import { RampartError } from '../core/errors.ts';

/** Heads exported earlier: `rampart audit heads` output (an array, or `{ data: [...] }`), or log lines' `heads`. */
function readAnchors(file: string): AuditHead[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `--anchors ${file}: not a JSON file of exported heads (${(e as Error).message})` });
  }
  const list = Array.isArray(raw) ? raw : (raw as { data?: unknown; heads?: unknown })?.data ?? (raw as { heads?: unknown })?.heads;
  return parseInput(anchorsSchema, list);
}

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
    .option('--anchors <file>', 'heads exported earlier (rampart audit heads): also finds deleted newest records and deleted chains')
    .action(async (o: { config: string; server?: string; anchors?: string }) => {
      const anchors = o.anchors ? readAnchors(o.anchors) : [];
      const report = (o.server
        ? await adminRequest(o.server, 'POST', '/admin/v1/audit/verify', { anchors })
        : await withDirectServices(o.config, ({ store }) => verifyAudit(store.audit, {
            anchors,
            onProgress: process.stderr.isTTY ? (p: { checked: number }) => process.stderr.write(`\rchecked ${p.checked} events`) : undefined,
          }))) as { ok: boolean; limitation?: string };
      if (process.stderr.isTTY) process.stderr.write('\n');
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (report.limitation) process.stderr.write(`note: ${report.limitation}\n`);
      if (!report.ok) process.exitCode = 1;
    });
  audit
    .command('heads')
    .description('print the head (seq and hash) of every chain: keep it outside the database and pass it to verify --anchors')
    .addOption(configOption())
    .option('--server <url>', 'ask a running server (credential in RAMPART_TOKEN)')
    .action(async (o: { config: string; server?: string }) => {
      const heads = o.server
        ? ((await adminRequest(o.server, 'GET', '/admin/v1/audit/heads')) as { data: AuditHead[] }).data
        : await withDirectServices(o.config, ({ store }) => exportHeads(store.audit));
      process.stdout.write(`${JSON.stringify(heads, null, 2)}\n`);
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
