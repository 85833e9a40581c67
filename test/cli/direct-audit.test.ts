/**
 * An admin action the CLI runs directly on the store is audited as the admin API audits the same
 * action for a server: a failure with the error's code, its HTTP status and `error` (or `deny`
 * for 401/403), not as a refusal; a success as before.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredAuditEvent } from '../../src/core/audit-event.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-audit-'));
const configFile = join(dir, 'rampart.yaml');
const BIN = join(process.cwd(), 'bin', 'rampart.js');
const UNKNOWN_KEY = 'nosuchkey123';

function rampart(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '-c', configFile], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI's audit chain, oldest first, as `rampart audit tail --json` prints it. */
function cliEvents(): StoredAuditEvent[] {
  const tail = rampart(['audit', 'tail', '-n', '100', '--json']);
  assert.equal(tail.code, 0, tail.stderr);
  return tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as StoredAuditEvent).filter((e) => e.chainId.startsWith('cli:'));
}

const shape = (e: StoredAuditEvent) => ({ plane: e.plane, action: e.action, decision: e.decision, status: e.status, code: e.code, keyId: e.details?.keyId });

let gw: TestGateway;

before(async () => {
  writeFileSync(configFile, ['log: { level: warn }', 'storage: { kind: embedded, dataDir: ./data }', 'roles: { chat-user: { deployments: ["*"] } }', ''].join('\n'));
  gw = await startTestGateway();
});
after(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit of admin actions run by the CLI on the store', () => {
  it('records a failed action with its error code, status and decision, as the admin API does', async () => {
    const revoke = rampart(['keys', 'revoke', UNKNOWN_KEY]);
    assert.equal(revoke.code, 1);
    assert.match(revoke.stderr, /RAMPART_NOT_FOUND/);
    const cli = cliEvents().find((e) => e.action === 'keys.revoke');
    assert.ok(cli, 'the failed revoke is in the audit log');
    assert.deepEqual(shape(cli), { plane: 'admin', action: 'keys.revoke', decision: 'error', status: 404, code: 'RAMPART_NOT_FOUND', keyId: UNKNOWN_KEY });
    // No policy decision on the direct path: the reason is the error code, as the admin API
    // records it when no policy decision was made.
    assert.equal(cli.reason, 'RAMPART_NOT_FOUND');
    assert.match(cli.principalId ?? '', /^cli:/);

    // The same action through the admin API.
    const admin = await gw.key(['admin']);
    const res = await fetch(`${gw.app.url}/admin/v1/keys/${UNKNOWN_KEY}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 404);
    const requestId = res.headers.get('x-request-id')!;
    await gw.app.audit.flush();
    const [api] = (await gw.app.store.audit.list({ requestId, limit: 10 })).items;
    assert.ok(api, 'the admin API audited the failed revoke');
    assert.deepEqual(shape(cli), shape(api));
    // Here a policy decision was made (the admin role grants keys:write): it is the reason.
    assert.match(api.reason ?? '', /admin/);
  });

  it('records a success unchanged (allow, 200, direct store access) and a conflict as error 409', () => {
    const created = rampart(['keys', 'create', '--name', 'ci', '--role', 'chat-user']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    assert.equal(rampart(['keys', 'revoke', key.id]).code, 0);
    const rotate = rampart(['keys', 'rotate', key.id]);
    assert.equal(rotate.code, 1);
    assert.match(rotate.stderr, /RAMPART_CONFLICT/);

    const all = cliEvents();
    const events = all.slice(all.findIndex((e) => e.action === 'keys.create' && e.details?.keyId === key.id));
    assert.deepEqual(
      events.map((e) => [e.action, e.decision, e.status, e.code, e.reason]),
      [
        ['keys.create', 'allow', 200, null, 'cli: direct store access'],
        ['keys.revoke', 'allow', 200, null, 'cli: direct store access'],
        ['keys.rotate', 'error', 409, 'RAMPART_CONFLICT', 'RAMPART_CONFLICT'],
      ],
    );
    assert.ok(!JSON.stringify(events).includes(key.key), 'the plaintext key is not audited');
    const verify = rampart(['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('records agent registrations, suspensions and resumptions', () => {
    const registered = rampart(['agents', 'register', '--name', 'bot', '--client-id', 'app-123', '--deployment', 'echo']);
    assert.equal(registered.code, 0, registered.stderr);
    const agent = JSON.parse(registered.stdout) as { id: string; createdBy: string };
    assert.match(agent.createdBy, /^cli:/);
    assert.equal(rampart(['agents', 'suspend', agent.id]).code, 0);
    assert.equal(rampart(['agents', 'resume', agent.id]).code, 0);
    const events = cliEvents().filter((e) => e.details?.agentId === agent.id);
    assert.deepEqual(events.map((e) => [e.action, e.decision, e.status]), [
      ['agents.register', 'allow', 200],
      ['agents.suspend', 'allow', 200],
      ['agents.resume', 'allow', 200],
    ]);
  });
});
