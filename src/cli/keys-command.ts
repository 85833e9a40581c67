/**
 * `rampart keys create|list|revoke|rotate|review`. Two ways to reach the keys:
 * - directly on the configured store (the way to make the first keys; on the embedded store only
 *   while the server is stopped, because one process owns the data directory);
 * - through a running server's admin API with `--server <url>` and an admin credential in the
 *   RAMPART_TOKEN environment variable (never a flag: flags show up in `ps`).
 */
import { Command, type Option } from 'commander';
import { createKey, createKeyBody, keyNote, keyView, type KeyView } from '../admin/keys-routes.ts';
import { parseInput } from '../config/load.ts';
import { RampartError } from '../core/errors.ts';
import { adminRequest, withDirectServices } from './admin-client.ts';

interface ServerOpts {
  config: string;
  server?: string;
}

function printKeys(keys: KeyView[]): void {
  const rows = keys.map((k) => [k.id, k.name, k.status, k.roles.join(','), k.principalId, k.expiresAt ?? '-', k.lastUsedAt ?? '-']);
  const header = ['ID', 'NAME', 'STATUS', 'ROLES', 'PRINCIPAL', 'EXPIRES', 'LAST USED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

function printIssued(issued: KeyView & { key: string }): void {
  process.stdout.write(`${JSON.stringify(issued, null, 2)}\n`);
  process.stderr.write('rampart: this is the only time the key is shown; store it in a secret manager now.\n');
}

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `not a positive number: ${v}` });
  return n;
};

export function keysCommand(configOption: () => Option): Command {
  const keys = new Command('keys').description('manage Rampart API keys (shown once, stored only as a hash)');
  const serverOpt = (c: Command) => c.addOption(configOption()).option('--server <url>', 'use a running server\'s admin API (credential in RAMPART_TOKEN)');

  serverOpt(keys.command('create'))
    .description('create a key; prints its plaintext once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--role <role...>', 'role(s) granted to the key', [])
    .option('--principal-id <id>', 'principal the key acts as (default: key:<id>)')
    .option('--kind <kind>', 'principal kind: user, app, agent or workload', 'app')
    .option('--expires-in-days <days>', 'expiry', num)
    .option('--rpm <n>', 'requests per minute for this key', num)
    .option('--tpm <n>', 'tokens per minute for this key', num)
    .option('--tokens-per-month <n>', 'monthly token budget for this key', num)
    .option('--network <cidr...>', 'networks (CIDRs) the key may be used from')
    .action(async (o: ServerOpts & { name: string; role: string[]; principalId?: string; kind: string; expiresInDays?: number; rpm?: number; tpm?: number; tokensPerMonth?: number; network?: string[] }) => {
      if (o.role.length === 0) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'give at least one --role' });
      const limits = { ...(o.rpm ? { requestsPerMinute: o.rpm } : {}), ...(o.tpm ? { tokensPerMinute: o.tpm } : {}), ...(o.tokensPerMonth ? { tokensPerMonth: o.tokensPerMonth } : {}) };
      const body = {
        name: o.name,
        roles: o.role,
        principalKind: o.kind,
        ...(o.principalId ? { principalId: o.principalId } : {}),
        ...(Object.keys(limits).length ? { limits } : {}),
        ...(o.expiresInDays ? { expiresInDays: o.expiresInDays } : {}),
        ...(o.network ? { allowedNetworks: o.network } : {}),
      };
      if (o.server) return printIssued((await adminRequest(o.server, 'POST', '/admin/v1/keys', body)) as KeyView & { key: string });
      await withDirectServices(o.config, ({ identity, now, audited }) =>
        audited('keys.create', async (note) => {
          const { record, plaintext } = await createKey(identity.keys, parseInput(createKeyBody, body), 'rampart:cli', now());
          note(keyNote(record));
          printIssued({ ...keyView(record, now()), key: plaintext.reveal() });
        }),
      );
    });

  serverOpt(keys.command('list'))
    .description('list keys')
    .option('--all', 'include revoked keys')
    .action(async (o: ServerOpts & { all?: boolean }) => {
      if (o.server) {
        const page = (await adminRequest(o.server, 'GET', `/admin/v1/keys?limit=500${o.all ? '&includeRevoked=true' : ''}`)) as { data: KeyView[] };
        return printKeys(page.data);
      }
      await withDirectServices(o.config, async ({ identity, now }) => {
        const out: KeyView[] = [];
        let cursor: string | null = null;
        do {
          const page = await identity.keys.list({ includeRevoked: o.all ?? false, limit: 500, cursor });
          out.push(...page.items.map((k) => keyView(k, now())));
          cursor = page.nextCursor;
        } while (cursor);
        printKeys(out);
      });
    });

  serverOpt(keys.command('revoke'))
    .description('revoke a key at once')
    .argument('<id>', 'key id')
    .action(async (id: string, o: ServerOpts) => {
      if (o.server) {
        await adminRequest(o.server, 'POST', `/admin/v1/keys/${encodeURIComponent(id)}/revoke`);
      } else {
        await withDirectServices(o.config, ({ identity, audited }) =>
          audited('keys.revoke', async (note) => {
            note({ keyId: id });
            if (!(await identity.keys.revoke(id))) throw new RampartError('RAMPART_NOT_FOUND', { detail: `No key ${id}.` });
          }),
        );
      }
      process.stdout.write(`revoked ${id}\n`);
    });

  serverOpt(keys.command('rotate'))
    .description('issue a replacement key; the old one keeps working for the overlap window')
    .argument('<id>', 'key id')
    .option('--overlap-hours <hours>', 'how long the old key stays valid', Number)
    .action(async (id: string, o: ServerOpts & { overlapHours?: number }) => {
      const body = o.overlapHours !== undefined ? { overlapHours: o.overlapHours } : {};
      if (o.server) return printIssued((await adminRequest(o.server, 'POST', `/admin/v1/keys/${encodeURIComponent(id)}/rotate`, body)) as KeyView & { key: string });
      await withDirectServices(o.config, ({ identity, now, audited }) =>
        audited('keys.rotate', async (note) => {
          const { record, plaintext } = await identity.keys.rotate(id, {
            ...(o.overlapHours !== undefined ? { overlapMs: o.overlapHours * 3_600_000 } : {}),
            createdBy: 'rampart:cli',
          });
          note({ ...keyNote(record), rotatedFrom: id });
          printIssued({ ...keyView(record, now()), key: plaintext.reveal() });
        }),
      );
    });
  serverOpt(keys.command('review'))
    .description('hygiene report: keys unused for N days, expiring soon, expired, or without expiry')
    .option('--unused-days <days>', 'not used for this many days (default: auth.apiKeyPolicy.warnUnusedDays)', num)
    .option('--expiring-days <days>', 'expiring within this many days (default: auth.apiKeyPolicy.warnExpiringDays)', num)
    .action(async (o: ServerOpts & { unusedDays?: number; expiringDays?: number }) => {
      const opts = { ...(o.unusedDays ? { unusedDays: Math.round(o.unusedDays) } : {}), ...(o.expiringDays ? { expiringDays: Math.round(o.expiringDays) } : {}) };
      let items: (KeyView & { reasons: readonly string[] })[];
      if (o.server) {
        const q = new URLSearchParams(Object.entries(opts).map(([k, v]) => [k, String(v)]));
        items = ((await adminRequest(o.server, 'GET', `/admin/v1/keys/hygiene?${q}`)) as { data: (KeyView & { reasons: string[] })[] }).data;
      } else {
        items = await withDirectServices(o.config, async ({ identity, now }) => {
          const report = await identity.keys.hygiene(opts);
          return report.items.map((i) => ({ ...keyView(i.key, now()), reasons: i.reasons }));
        });
      }
      const rows = items.map((k) => [k.id, k.name, k.principalId, k.expiresAt ?? '-', k.lastUsedAt ?? '-', k.reasons.join(',')]);
      const header = ['ID', 'NAME', 'PRINCIPAL', 'EXPIRES', 'LAST USED', 'REASONS'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
      const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
      process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
    });
  return keys;
}
