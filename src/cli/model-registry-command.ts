/**
 * `rampart model register|list|show|approve|reject`: the model registry, on the configured store
 * directly (registration then reads the model on this machine) or through a running server's
 * admin API with `--server <url>` (credential in RAMPART_TOKEN; the path is then read by the
 * server, inside `models.roots`, as a job whose progress is shown).
 */
import { resolve } from 'node:path';
import { Command, type Option } from 'commander';
import { RampartError } from '../core/errors.ts';
import { ModelRegistry, gateVerdict, type ModelProgress, type RegisterModelInput } from '../models/registry.ts';
import type { RegisterJob } from '../models/register-jobs.ts';
import { formatBytes } from '../models/signing/progress.ts';
import { modelTools } from '../models/tools.ts';
import type { ModelRecord } from '../store/types.ts';
import { adminRequest, cliPrincipal, withDirectServices, type DirectServices } from './admin-client.ts';

interface ServerOpts {
  config: string;
  server?: string;
  json?: boolean;
}

function registryOf(s: DirectServices): ModelRegistry {
  return new ModelRegistry({ repo: s.store.models, config: s.config.models, tools: modelTools });
}

function progressLine(p: { phase: string | null; bytes: number; totalBytes: number }): void {
  if (!process.stderr.isTTY || p.phase === null) return;
  const pct = p.totalBytes > 0 ? Math.floor((100 * p.bytes) / p.totalBytes) : 0;
  process.stderr.write(`\r${p.phase} ${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} (${pct}%)\x1b[K`);
}

/** A registry change made on the store directly, recorded in the audit log like the admin API does. */
function audited(s: DirectServices, action: string, change: () => Promise<ModelRecord>): Promise<ModelRecord> {
  return s.audited(action, async (note) => {
    const rec = await change();
    note({ modelId: rec.id, model: rec.name, digest: rec.digest });
    return rec;
  });
}

function summary(rec: ModelRecord): string {
  const verdict = gateVerdict(rec, ['clean-scan', 'trusted-signature', 'approval'], []);
  return [
    `${rec.id}  ${rec.name}  ${rec.digest}`,
    `  source:    ${[rec.source.hub, rec.source.repository, rec.source.revision && `@${rec.source.revision}`].filter(Boolean).join(' ') || '-'}  publisher ${rec.source.publisher ?? '-'}`,
    `  files:     ${rec.files} (${formatBytes(rec.bytes)})`,
    `  signature: ${rec.signature.status}${rec.signature.signer ? ` by ${rec.signature.signer}` : ''}${rec.signature.error ? ` — ${rec.signature.error.code}: ${rec.signature.error.message}` : ''}`,
    `  scan:      ${rec.scan.verdict} ${JSON.stringify(rec.scan.counts)}`,
    ...rec.scan.findings.filter((f) => f.severity !== 'info').slice(0, 10).map((f) => `             ${f.severity} ${f.file}${f.offset !== undefined ? `@${f.offset}` : ''} ${f.rule}${f.callable ? ` ${f.callable}` : ''}`),
    `  approval:  ${rec.approval.status}${rec.approval.by ? ` by ${rec.approval.by}` : ''}${rec.approval.note ? ` (${rec.approval.note})` : ''}`,
    `  gate (clean-scan, trusted-signature, approval): ${verdict.allowed ? 'passes' : `lacks ${verdict.missing.join('; ')}`}`,
  ].join('\n');
}

function print(o: ServerOpts, rec: ModelRecord): void {
  process.stdout.write(o.json ? `${JSON.stringify(rec, null, 2)}\n` : `${summary(rec)}\n`);
}

async function registerViaServer(server: string, input: RegisterModelInput): Promise<ModelRecord> {
  let job = (await adminRequest(server, 'POST', '/admin/v1/models', input)) as RegisterJob;
  while (job.status === 'queued' || job.status === 'running') {
    progressLine(job);
    await new Promise((r) => setTimeout(r, 500));
    job = (await adminRequest(server, 'GET', `/admin/v1/models/jobs/${job.id}`)) as RegisterJob;
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (job.status === 'failed') throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `registration failed: ${job.error?.code}: ${job.error?.message}` });
  return (await adminRequest(server, 'GET', `/admin/v1/models/${job.modelId}`)) as ModelRecord;
}

export function registryCommands(configOption: () => Option): Command[] {
  const withServer = (c: Command) => c.addOption(configOption()).option('--server <url>', 'use a running server\'s admin API (RAMPART_TOKEN)').option('--json', 'print JSON');

  const register = withServer(new Command('register'))
    .description('register a model: hash, verify its signature with models.signers, scan it; approval pending')
    .argument('<path>', 'the model directory or file')
    .requiredOption('--name <name>', 'the registry name deployments use (deployments[].model)')
    .option('--signature <file>', 'the signature (default <model>/model.sig)')
    .option('--hub <hub>', 'where it came from, e.g. huggingface')
    .option('--repository <repo>', 'e.g. meta-llama/Llama-3.1-8B-Instruct')
    .option('--revision <rev>', 'the hub revision or commit')
    .option('--publisher <publisher>', 'the publishing organisation (trusted-publisher checks it)')
    .option('--url <url>', 'a link to the source')
    .action(async (path: string, o: ServerOpts & { name: string; signature?: string; hub?: string; repository?: string; revision?: string; publisher?: string; url?: string }) => {
      const input: RegisterModelInput = {
        name: o.name,
        path: resolve(path),
        ...(o.signature ? { signature: resolve(o.signature) } : {}),
        source: { hub: o.hub ?? null, repository: o.repository ?? null, revision: o.revision ?? null, publisher: o.publisher ?? null, url: o.url ?? null },
      };
      const rec = o.server
        ? await registerViaServer(o.server, input)
        : await withDirectServices(o.config, async (s) => {
            const r = await audited(s, 'models.register', () => registryOf(s).register(input, cliPrincipal(), (p: ModelProgress) => progressLine(p)));
            if (process.stderr.isTTY) process.stderr.write('\n');
            return r;
          });
      print(o, rec);
    });

  const list = withServer(new Command('list'))
    .description('list registered models, newest first')
    .option('--name <name>', 'only this name')
    .action(async (o: ServerOpts & { name?: string }) => {
      const q = o.name ? `?name=${encodeURIComponent(o.name)}&limit=200` : '?limit=200';
      const items = o.server
        ? ((await adminRequest(o.server, 'GET', `/admin/v1/models${q}`)) as { data: ModelRecord[] }).data
        : await withDirectServices(o.config, async (s) => (await registryOf(s).list({ ...(o.name ? { name: o.name } : {}), limit: 200 })).items);
      if (o.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      else process.stdout.write(items.map((r) => `${r.id}  ${r.name.padEnd(24)} ${r.digest.slice(0, 19)}…  sig ${r.signature.status.padEnd(8)} scan ${r.scan.verdict.padEnd(10)} ${r.approval.status}`).join('\n') + (items.length ? '\n' : 'no models registered\n'));
    });

  const show = withServer(new Command('show'))
    .description('show one registration: source, signature, scan findings, approval')
    .argument('<id>', 'the model id (mdl_...)')
    .action(async (id: string, o: ServerOpts) => {
      const rec = o.server ? ((await adminRequest(o.server, 'GET', `/admin/v1/models/${encodeURIComponent(id)}`)) as ModelRecord) : await withDirectServices(o.config, (s) => registryOf(s).get(id));
      print(o, rec);
    });

  const decide = (verb: 'approve' | 'reject') =>
    withServer(new Command(verb))
      .description(verb === 'approve' ? 'approve a model for deployment (not by who registered it; never a malicious one)' : 'reject a model or withdraw its approval')
      .argument('<id>', 'the model id (mdl_...)')
      .option('--note <text>', 'why (kept in the registry and the audit log)')
      .action(async (id: string, o: ServerOpts & { note?: string }) => {
        const body = o.note ? { note: o.note } : {};
        const rec = o.server
          ? ((await adminRequest(o.server, 'POST', `/admin/v1/models/${encodeURIComponent(id)}/${verb}`, body)) as ModelRecord)
          : await withDirectServices(o.config, (s) => audited(s, `models.${verb}`, () => registryOf(s)[verb](id, cliPrincipal(), body)));
        print(o, rec);
      });

  return [register, list, show, decide('approve'), decide('reject')];
}
