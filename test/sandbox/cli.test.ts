/**
 * `rampart sandbox` as an operator runs it, in a child process against a running gateway's API:
 * exec prints the program's output and exits with its exit code; approve hashes the file like
 * sha256sum and records the reviewer; approvals lists; revoke ends an approval.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProcessBackend } from './process-backend.ts';
import { startSandboxApi } from './api-server.ts';
import { defaultConfig, startTestGateway } from '../support/gateway.ts';

const realBackend = (() => {
  try {
    readFileSync(new URL('../../src/sandbox/backends/bwrap/index.ts', import.meta.url));
    return true;
  } catch {
    return false;
  }
})();
const wired = readFileSync(new URL('../../src/cli/main.ts', import.meta.url), 'utf8').includes('sandboxCommand');
const ENTRY = wired ? join(process.cwd(), 'bin', 'rampart.js') : new URL('./cli-entry.ts', import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'rampart-sandbox-cli-'));
const gw = await startTestGateway((url, d) => {
  const base = defaultConfig(url, d) as { roles: Record<string, unknown> };
  return { ...base, roles: { ...base.roles, runner: { admin: ['sandbox:execute'] }, reviewer: { admin: ['sandbox:read', 'sandbox:approve'] } } };
});
const api = await startSandboxApi(gw, realBackend ? undefined : new ProcessBackend());
const runner = await gw.key(['runner']);
const reviewer = await gw.key(['reviewer'], { principalId: 'app:reviewer' });
const status = await fetch(`${api.url}/admin/v1/sandbox/status`, { headers: { authorization: `Bearer ${reviewer}` } }).then((r) => r.json() as Promise<{ backend: { available: boolean; reason: string } }>);
const skip = status.backend.available ? false : `sandbox backend unavailable on this machine: ${status.backend.reason}`;

after(async () => {
  await api.close();
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function rampart(args: string[], token: string | null): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  delete env.RAMPART_TOKEN;
  if (token) env.RAMPART_TOKEN = token;
  return new Promise((resolve) => {
    execFile(process.execPath, [ENTRY, 'sandbox', ...args], { cwd: dir, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe(`rampart sandbox (${wired ? 'bin/rampart.js' : 'the command, before main.ts adds it'})`, { skip }, () => {
  it('exec prints the program\'s output and exits 0', async () => {
    const r = await rampart(['exec', '--lang', 'python', file('hello.py', "print('hello from the sandbox')\n"), '--server', api.url], runner);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello from the sandbox\n');
  });

  it('exec exits with the program\'s exit code, printing its stderr', async () => {
    const r = await rampart(['exec', file('fail.sh', 'echo oops >&2\nexit 3\n'), '--server', api.url, '--session', 'cli-fail'], runner);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'oops\n');
  });

  it('exec exits 124 when a limit killed the program, and says which', async () => {
    const r = await rampart(['exec', file('spin.js', 'for (;;) {}\n'), '--timeout', '300', '--server', api.url], runner);
    assert.equal(r.code, 124);
    assert.match(r.stderr, /killed \(timeout\)/);
  });

  it('exec explains a missing credential or language with the error code, exit 1', async () => {
    const noToken = await rampart(['exec', file('a.py', 'print(1)'), '--server', api.url], null);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /RAMPART_AUTH_MISSING/);
    const noLang = await rampart(['exec', file('a.rb', 'puts 1'), '--server', api.url], runner);
    assert.equal(noLang.code, 1);
    assert.match(noLang.stderr, /--lang/);
  });

  it('approve hashes the file like sha256sum and names the reviewer; approvals lists it; revoke ends it', async () => {
    const text = "print('approved job')\n";
    const sha = createHash('sha256').update(text).digest('hex');
    const path = file('job.py', text);
    const approved = await rampart(['approve', path, '--revision', 'https://github.com/acme/jobs/blob/1a2b3c4/job.py', '--note', 'PR 7', '--server', api.url], reviewer);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, new RegExp(`^${sha}  python .* by app:reviewer`));
    const listed = await rampart(['approvals', '--server', api.url, '--json'], reviewer);
    assert.ok((JSON.parse(listed.stdout) as { sha256: string }[]).some((a) => a.sha256 === sha));
    const revoked = await rampart(['revoke', sha, '--server', api.url], reviewer);
    assert.match(revoked.stdout, /REVOKED/);
    const again = await rampart(['revoke', sha, '--server', api.url], reviewer);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /RAMPART_NOT_FOUND/);
  });
});

describe('rampart sandbox exec without --server (local, bubblewrap)', { skip: realBackend ? skip : 'the bubblewrap backend is not there yet (src/sandbox/backends/bwrap)' }, () => {
  it('runs the program once through the backend and exits with its exit code', async () => {
    const r = await rampart(['exec', file('local.sh', 'echo local; exit 5\n'), '-c', join(dir, 'none.yaml')], null);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stdout, 'local\n');
  });
});
