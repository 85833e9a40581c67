/**
 * Executions through the assembled sandbox service (config, caller policies, approvals on the
 * embedded store, sessions, metrics, detections) with real programs on the child_process test
 * backend: approved-code-only refuses and raises a detection in enforce mode and flags in audit
 * mode; limits may be lowered, not raised; everything lands in the record.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.ts';
import type { DetectionRecord } from '../../src/core/detection.ts';
import { isRampartError } from '../../src/core/errors.ts';
import type { Principal } from '../../src/core/principal.ts';
import { sandboxConfigSchema } from '../../src/config/sandbox.ts';
import { Metrics } from '../../src/monitor/metrics.ts';
import { createSandboxService, type SandboxService } from '../../src/sandbox/index.ts';
import { codeSha256 } from '../../src/sandbox/approvals.ts';
import { openPgliteTestStore, type TestStore } from '../support/backends.ts';
import { ProcessBackend } from './process-backend.ts';

const REVISION = 'https://github.com/acme/jobs/blob/3f2c1d0/job.py';
const principal = (id: string, roles: string[] = []): Principal => ({ id, kind: 'app', roles, groups: [], authMethod: 'api-key' });
const alice = principal('key:alice');
const strict = principal('key:ci-agent', ['strict']);
const netty = principal('key:fetcher');

let ts: TestStore;
let sandbox: SandboxService;
let metrics: Metrics;
const backend = new ProcessBackend({
  // Stands in for the egress proxy: a program that names a host "tried" to reach it.
  egress: (req) => [...req.code.matchAll(/connect\('([a-z.]+)'\)/g)].map((m) => ({ host: m[1]!, port: 443, allowed: req.network.mode === 'allow-list' && req.network.hosts.includes(m[1]!) })),
  // Past its record caps, a proxy only counts attempts.
  egressDropped: (req) => (req.code.includes('# floods') ? { allowed: 7, refused: 1000 } : { allowed: 0, refused: 0 }),
  failAfterRun: (req) => req.code.includes('# uncontained'),
});
const detections: DetectionRecord[] = [];
const clock = new ManualClock();

before(async () => {
  ts = await openPgliteTestStore();
  metrics = new Metrics({ defaultMetrics: false });
  const config = sandboxConfigSchema.parse({
    languages: ['python', 'shell'],
    sessions: { pool: 1 },
    abuse: { kills: 2, windowSeconds: 60 },
    callers: [
      { match: { roles: ['strict'] }, approvedCodeOnly: 'enforce', limits: { timeoutMs: 3_000 } },
      { match: { principalIds: ['key:fetcher'] }, approvedCodeOnly: 'off', network: { allowHosts: ['api.example.com'] } },
    ],
  });
  sandbox = await createSandboxService(config, { store: ts.store, clock, logger: pino({ level: 'silent' }), metrics, recordDetection: (d) => detections.push(d), backend, sweepIntervalMs: 0 });
});
after(async () => {
  await sandbox?.close();
  await backend.close();
  await ts?.cleanup();
});

function exec(p: Principal, code: string, o: { language?: string; session?: string; limits?: Record<string, number> } = {}) {
  const notes: Record<string, unknown> = {};
  const run = sandbox.executions.execute(p, o.session ?? 's1', { language: o.language ?? 'python', code, limits: o.limits }, { requestId: `req_${Math.random()}`, note: (d) => Object.assign(notes, d) });
  return { run, notes };
}

async function refused(p: Promise<unknown>, code: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRampartError(e), String(e));
    assert.equal(e.code, code);
    return e.message;
  }
  assert.fail(`expected ${code}`);
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(name)!.get()).values;
  return m.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

describe('sandbox executions', () => {
  it('runs code and records principal, session, hash, language, limits, duration, exit, output bytes and files touched', async () => {
    const code = "open('out.txt','w').write('x'*10); print('hi')";
    const { run, notes } = exec(alice, code);
    const { result, record } = await run;
    assert.equal(result.stdout, 'hi\n');
    assert.equal(result.exitCode, 0);
    assert.equal(record.outcome, 'succeeded');
    assert.equal(record.codeSha256, codeSha256(code));
    assert.equal(record.principalId, 'key:alice');
    assert.equal(record.session, 's1');
    assert.equal(record.approval, 'unapproved', 'the default policy (audit) flags unapproved code and runs it');
    assert.equal(record.stdoutBytes, 3);
    assert.deepEqual(record.filesTouched, { created: ['out.txt'], modified: [], deleted: [], truncated: false });
    assert.equal(record.limits.timeoutMs, 10_000);
    assert.deepEqual(notes.sandbox, record);
    assert.equal(await metric('rampart_sandbox_executions_total', { language: 'python', outcome: 'succeeded' }), 1);
  });

  it('reports a failing program as failed with its exit code and stderr', async () => {
    const { result, record } = await exec(alice, 'import sys; sys.stderr.write("boom"); sys.exit(3)').run;
    assert.equal(result.exitCode, 3);
    assert.equal(result.stderr, 'boom');
    assert.equal(record.outcome, 'failed');
  });

  it('refuses a language that is not enabled, before anything runs', async () => {
    const msg = await refused(exec(alice, 'console.log(1)', { language: 'javascript' }).run, 'RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED');
    assert.match(msg, /Enabled: python, shell/);
    await refused(exec(alice, 'puts 1', { language: 'ruby' }).run, 'RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED');
  });

  it('lets a request lower its limits but not raise them above the caller\'s', async () => {
    const { record } = await exec(alice, 'print(1)', { limits: { timeoutMs: 2_000 } }).run;
    assert.equal(record.limits.timeoutMs, 2_000);
    const msg = await refused(exec(alice, 'print(1)', { limits: { memoryBytes: 512 * 1024 * 1024 } }).run, 'RAMPART_INVALID_REQUEST');
    assert.match(msg, /limits\.memoryBytes: at most 268435456/);
    await refused(exec(strict, 'print(1)', { limits: { timeoutMs: 5_000 } }).run, 'RAMPART_INVALID_REQUEST');
  });

  it('in enforce mode, refuses unapproved code with a detection and runs nothing', async () => {
    const before = backend.created;
    const code = 'print("not reviewed")';
    const { run, notes } = exec(strict, code, { session: 'enforced' });
    const msg = await refused(run, 'RAMPART_SANDBOX_CODE_NOT_APPROVED');
    assert.match(msg, new RegExp(codeSha256(code)));
    const d = detections.at(-1)!;
    assert.equal(d.category, 'sandbox.unapproved_code');
    assert.equal(d.principalId, 'key:ci-agent');
    assert.equal(d.action, 'block');
    assert.equal(d.excerpt, `sha256:${codeSha256(code)} (python)`);
    assert.equal((notes.sandbox as { outcome: string }).outcome, 'refused');
    assert.equal(sandbox.sessions.list('key:ci-agent').length, 0, 'no session was started for refused code');
    assert.ok(backend.created - before <= 1, 'at most the pool refilled');
  });

  it('in enforce mode, runs approved code, and refuses it again once revoked', async () => {
    const code = 'print("reviewed")';
    await sandbox.approvals.approve({ code, language: 'python', revisionUrl: REVISION }, 'key:sec-admin');
    const { result, record } = await exec(strict, code).run;
    assert.equal(result.stdout, 'reviewed\n');
    assert.equal(record.approval, 'approved');
    await sandbox.approvals.revoke(codeSha256(code), 'key:sec-admin');
    assert.match(await refused(exec(strict, code).run, 'RAMPART_SANDBOX_CODE_NOT_APPROVED'), /revoked/);
  });

  it('in enforce mode, refuses code approved by the caller itself (four eyes)', async () => {
    const code = 'print("self-made")';
    await sandbox.approvals.approve({ code, language: 'python', revisionUrl: REVISION }, strict.id);
    assert.match(await refused(exec(strict, code).run, 'RAMPART_SANDBOX_CODE_NOT_APPROVED'), /its own reviewer/);
  });

  it('with approvals off, does not look the code up', async () => {
    const { record } = await exec(netty, 'print(1)').run;
    assert.equal(record.approval, 'not-checked');
  });

  it('passes the caller\'s network policy to the backend and raises a detection for refused attempts', async () => {
    const { record } = await exec(netty, "connect('api.example.com'); connect('evil.example.net')").run;
    assert.deepEqual(record.network, { mode: 'allow-list', allowed: 1, refusedCount: 1, refused: [{ host: 'evil.example.net', port: 443 }], dropped: 0 });
    const d = detections.at(-1)!;
    assert.equal(d.category, 'sandbox.network_attempt');
    assert.equal(d.severity, 'medium');
    assert.equal(d.rule, 'callers[1].network');
    assert.match(d.explanation, /evil\.example\.net:443.*\(1 attempts\)/);
    const none = await exec(alice, 'print(1)').run;
    assert.deepEqual(none.record.network, { mode: 'none', allowed: 0, refusedCount: 0, refused: [], dropped: 0 });
  });

  it('keeps the refused attempts on the record and raises the detection when the execution fails on the host side after it ran', async () => {
    const seen = detections.length;
    const { run, notes } = exec(netty, "connect('evil.example.net') # uncontained");
    assert.equal(await refused(run, 'RAMPART_INTERNAL'), 'Internal error. The sandbox processes could not be stopped (test).');
    const record = notes.sandbox as { outcome: string; network: unknown };
    assert.equal(record.outcome, 'error');
    assert.deepEqual(record.network, { mode: 'allow-list', allowed: 0, refusedCount: 1, refused: [{ host: 'evil.example.net', port: 443 }], dropped: 0 });
    assert.equal(detections.length, seen + 1);
    assert.equal(detections.at(-1)!.category, 'sandbox.network_attempt');
  });

  it('counts the attempts the backend only counted in the record and the detection', async () => {
    const seen = detections.length;
    const { record } = await exec(netty, "connect('evil.example.net') # floods: 1000 more refused, 7 more allowed").run;
    assert.deepEqual(record.network, { mode: 'allow-list', allowed: 7, refusedCount: 1001, refused: [{ host: 'evil.example.net', port: 443 }], dropped: 1007 });
    assert.equal(detections.length, seen + 1);
    assert.match(detections.at(-1)!.explanation, /\(1001 attempts, 1000 of them counted but not listed\)/);
  });

  it('kills a program at its timeout, counts the kill, and raises limit abuse on repeated kills', async () => {
    const before = detections.filter((d) => d.category === 'sandbox.limit_abuse').length;
    const first = await exec(alice, 'import time; time.sleep(5)', { limits: { timeoutMs: 200 } }).run;
    assert.equal(first.result.killedBy, 'timeout');
    assert.equal(first.record.outcome, 'killed');
    assert.equal(detections.filter((d) => d.category === 'sandbox.limit_abuse').length, before);
    await exec(alice, 'while True: pass', { limits: { timeoutMs: 200 } }).run;
    const abuse = detections.filter((d) => d.category === 'sandbox.limit_abuse');
    assert.equal(abuse.length, before + 1);
    assert.match(abuse.at(-1)!.explanation, /2 executions .* killed by a limit within 60 s \(timeout\)/);
    assert.equal(await metric('rampart_sandbox_kills_total', { reason: 'timeout' }), 2);
  });

  it('exposes sessions, pool and detection counts in metrics', async () => {
    assert.ok((await metric('rampart_sandbox_sessions', {})) >= 1);
    assert.equal(await metric('rampart_detections_total', { category: 'sandbox.unapproved_code' }), detections.filter((d) => d.category === 'sandbox.unapproved_code').length);
    assert.ok((await metric('rampart_sandbox_allocation_seconds', { source: 'pool' })) >= 0);
  });
});

describe('sandbox availability', () => {
  it('answers RAMPART_SANDBOX_UNAVAILABLE, with the backend\'s reason, when it cannot isolate code', async () => {
    const down = new ProcessBackend({ status: { available: false, reason: 'bubblewrap is not installed', features: {} } });
    const svc = await createSandboxService(sandboxConfigSchema.parse({}), { store: ts.store, clock, logger: pino({ level: 'silent' }), metrics: new Metrics({ defaultMetrics: false }), recordDetection: () => {}, backend: down });
    try {
      assert.match(await refused(svc.executions.execute(alice, 's', { language: 'python', code: 'print(1)' }, { requestId: 'r', note: () => {} }), 'RAMPART_SANDBOX_UNAVAILABLE'), /bubblewrap is not installed/);
      await refused(svc.readiness(), 'RAMPART_SANDBOX_UNAVAILABLE');
      assert.equal(down.created, 0, 'the pool does not start environments on an unavailable backend');
    } finally {
      await svc.close();
    }
  });

  it('answers RAMPART_SANDBOX_UNAVAILABLE when disabled, and stays ready', async () => {
    const svc = await createSandboxService(sandboxConfigSchema.parse({ enabled: false }), { store: ts.store, clock, logger: pino({ level: 'silent' }), metrics: new Metrics({ defaultMetrics: false }), recordDetection: () => {} });
    try {
      assert.match(await refused(svc.files.list(alice, 's'), 'RAMPART_SANDBOX_UNAVAILABLE'), /sandbox\.enabled is false/);
      await svc.readiness();
    } finally {
      await svc.close();
    }
  });
});
