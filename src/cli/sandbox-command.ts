/**
 * `rampart sandbox`: code execution from the command line.
 *
 *   rampart sandbox exec --lang python file.py [--session id] [--server url]   (RAMPART_TOKEN)
 *   rampart sandbox approve file.py --revision <https url> [--lang python] [--note text] [--server url]
 *   rampart sandbox approvals [--all] [--server url]
 *   rampart sandbox revoke <sha256> [--server url]
 *
 * `exec` through a server runs like any API call (the caller's policy, approvals, audit) in the
 * session `--session` (default `cli`), prints the program's stdout and stderr and exits with its
 * exit code (124 when a limit killed it). Without `--server` it runs once, locally, through the
 * configured backend with `sandbox.limits` and no network: a quick try, with no approvals and no
 * audit. Approvals go to the store directly, or through the server's admin API with `--server`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Command, type Option } from 'commander';
import { RampartError } from '../core/errors.ts';
import { SANDBOX_LANGUAGES, sandboxConfigSchema, type SandboxConfig } from '../config/sandbox.ts';
import { silentLogger } from '../monitor/logger.ts';
import { ApprovalRegistry, codeSha256 } from '../sandbox/approvals.ts';
import type { ExecResult, SandboxLanguage } from '../sandbox/backend.ts';
import { loadBackend } from '../sandbox/load-backend.ts';
import { assertSessionIdentifier } from '../sandbox/sessions.ts';
import { loadConfig } from '../server/config.ts';
import type { SandboxApprovalRecord } from '../store/types.ts';
import { adminRequest, cliPrincipal, withDirectServices } from './admin-client.ts';

const BY_EXTENSION: Readonly<Record<string, SandboxLanguage>> = { '.py': 'python', '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.sh': 'shell' };

interface Common {
  config: string;
  server?: string;
  json?: boolean;
}

/** The program text, refused unless it is UTF-8 (its hash must be what `sha256sum` prints). */
function readProgram(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}` });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${file}: not UTF-8 text` });
  }
}

function languageOf(file: string, lang: string | undefined): SandboxLanguage {
  const l = (lang ?? BY_EXTENSION[extname(file).toLowerCase()])?.toLowerCase();
  if (l === undefined) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `--lang: say which language ${file} is (${SANDBOX_LANGUAGES.join(', ')})` });
  if (!(SANDBOX_LANGUAGES as readonly string[]).includes(l)) throw new RampartError('RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED', { detail: `--lang: one of ${SANDBOX_LANGUAGES.join(', ')}` });
  return l as SandboxLanguage;
}

/** The `sandbox` config of the file, or the defaults when there is no file (a quick try). */
function sandboxConfigOf(file: string): SandboxConfig {
  return existsSync(file) ? loadConfig(file).sandbox : sandboxConfigSchema.parse({});
}

async function execLocally(config: SandboxConfig, language: SandboxLanguage, code: string, timeoutMs: number | undefined): Promise<ExecResult> {
  if (!config.languages.includes(language)) throw new RampartError('RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED', { detail: `Enabled: ${config.languages.join(', ')}.` });
  const { backend, reason } = await loadBackend(config, silentLogger);
  if (backend === null) throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: `Reason: ${reason}.` });
  try {
    const status = await backend.status();
    if (!status.available) throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: `Reason: ${status.reason ?? 'unknown'}.` });
    const limits = { ...config.limits, ...(timeoutMs !== undefined ? { timeoutMs: Math.min(timeoutMs, config.limits.timeoutMs) } : {}) };
    const env = await backend.create({ sessionId: `cli-${process.pid}`, limits });
    try {
      return await env.exec({ language, code, limits, network: { mode: 'none' } });
    } finally {
      await env.destroy();
    }
  } finally {
    await backend.close();
  }
}

interface RemoteProperties {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  killedBy: string | null;
  truncated: boolean;
}

function finish(p: RemoteProperties, json: unknown | null): void {
  if (json !== null) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    process.stdout.write(p.stdout);
    process.stderr.write(p.stderr);
  }
  if (p.truncated) process.stderr.write('rampart: output was cut at the output limit\n');
  if (p.killedBy !== null) process.stderr.write(`rampart: the program was killed (${p.killedBy})\n`);
  // Like timeout(1): 124 when a limit stopped the program.
  process.exitCode = p.exitCode ?? 124;
}

function printApprovals(items: SandboxApprovalRecord[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  const line = (a: SandboxApprovalRecord) =>
    `${a.sha256}  ${a.language.padEnd(10)} ${new Date(a.approvedAt).toISOString()}  by ${a.reviewer}${a.revokedAt !== null ? `  REVOKED ${new Date(a.revokedAt).toISOString()} by ${a.revokedBy}` : ''}\n    ${a.revisionUrl}${a.note ? `  (${a.note})` : ''}`;
  process.stdout.write(items.length ? `${items.map(line).join('\n')}\n` : 'no approvals\n');
}

export function sandboxCommand(configOption: () => Option): Command {
  const cmd = new Command('sandbox').description('run code in isolated sandbox sessions; manage the code approval registry');
  const withServer = (c: Command) => c.addOption(configOption()).option('--server <url>', 'use a running server (credential in RAMPART_TOKEN)').option('--json', 'print JSON');

  withServer(cmd.command('exec'))
    .description('run a program and print its output; exits with its exit code')
    .argument('<file>', 'the program')
    .option('--lang <language>', `${SANDBOX_LANGUAGES.join(', ')} (default: from the file extension)`)
    .option('--session <identifier>', 'the session to run in, through a server, kept afterwards (default: a one-off session, ended after the run)')
    .option('--timeout <ms>', 'lower the time limit', (v) => Number.parseInt(v, 10))
    .action(async (file: string, o: Common & { lang?: string; session?: string; timeout?: number }) => {
      const language = languageOf(file, o.lang);
      const code = readProgram(file);
      if (o.timeout !== undefined && (!Number.isInteger(o.timeout) || o.timeout < 100)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: '--timeout: milliseconds, at least 100' });
      if (o.server) {
        const session = o.session ?? `cli-${randomUUID()}`;
        assertSessionIdentifier(session, '--session');
        const body = { language, code, ...(o.timeout !== undefined ? { limits: { timeoutMs: o.timeout } } : {}) };
        let res: { properties: RemoteProperties };
        try {
          res = (await adminRequest(o.server, 'POST', `/sandbox/v1/code/execute?identifier=${encodeURIComponent(session)}`, body)) as { properties: RemoteProperties };
        } finally {
          // A one-off session is ended at once rather than left to the idle timeout.
          if (o.session === undefined) await adminRequest(o.server, 'DELETE', `/sandbox/v1/sessions/${encodeURIComponent(session)}`).catch(() => undefined);
        }
        finish(res.properties, o.json ? res : null);
        return;
      }
      if (o.session !== undefined) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: '--session needs --server: a local run has no session' });
      const r = await execLocally(sandboxConfigOf(o.config), language, code, o.timeout);
      finish(r, o.json ? r : null);
    });

  withServer(cmd.command('approve'))
    .description('approve a program for callers that run approved code only (by its SHA-256)')
    .argument('<file>', 'the reviewed program, as in version control')
    .requiredOption('--revision <url>', 'https link to the reviewed revision in version control')
    .option('--lang <language>', 'the language it is approved for (default: from the file extension)')
    .option('--note <text>', 'why (kept in the registry and the audit log)')
    .action(async (file: string, o: Common & { revision: string; lang?: string; note?: string }) => {
      const input = { sha256: codeSha256(readProgram(file)), language: languageOf(file, o.lang), revisionUrl: o.revision, ...(o.note ? { note: o.note } : {}) };
      const rec = o.server
        ? ((await adminRequest(o.server, 'POST', '/admin/v1/sandbox/approvals', input)) as SandboxApprovalRecord)
        : await withDirectServices(o.config, (s) =>
            s.audited('sandbox.approvals.approve', async (note) => {
              const rec = await new ApprovalRegistry({ repo: s.store.sandboxApprovals }).approve(input, cliPrincipal());
              note({ sha256: input.sha256, language: input.language });
              return rec;
            }),
          );
      printApprovals([rec], o.json);
    });

  withServer(cmd.command('approvals'))
    .description('list approved programs, newest first')
    .option('--all', 'include revoked approvals')
    .action(async (o: Common & { all?: boolean }) => {
      const items = o.server
        ? ((await adminRequest(o.server, 'GET', `/admin/v1/sandbox/approvals?limit=500${o.all ? '&includeRevoked=true' : ''}`)) as { data: SandboxApprovalRecord[] }).data
        : await withDirectServices(o.config, async (s) => (await new ApprovalRegistry({ repo: s.store.sandboxApprovals }).list({ includeRevoked: o.all ?? false, limit: 500 })).items);
      printApprovals(items, o.json);
    });

  withServer(cmd.command('revoke'))
    .description('revoke an approval: the program no longer runs for enforcing callers')
    .argument('<sha256>', 'the approved program\'s SHA-256')
    .action(async (sha256: string, o: Common) => {
      const rec = o.server
        ? ((await adminRequest(o.server, 'POST', `/admin/v1/sandbox/approvals/${encodeURIComponent(sha256)}/revoke`, {})) as SandboxApprovalRecord)
        : await withDirectServices(o.config, (s) =>
            s.audited('sandbox.approvals.revoke', async (note) => {
              const rec = await new ApprovalRegistry({ repo: s.store.sandboxApprovals }).revoke(sha256, cliPrincipal());
              note({ sha256 });
              return rec;
            }),
          );
      printApprovals([rec], o.json);
    });

  return cmd;
}
