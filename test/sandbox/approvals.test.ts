/**
 * The code approval registry: an approval names the SHA-256 of the exact program bytes, its
 * reviewer, time and an https link to the reviewed revision; it can be revoked and approved again;
 * it holds for one language, and never for executions by its own reviewer (four eyes). Runs on
 * the embedded store, and on PostgreSQL when one answers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { isRampartError } from '../../src/core/errors.ts';
import { ApprovalRegistry, codeSha256 } from '../../src/sandbox/approvals.ts';
import type { SandboxApprovalRecord } from '../../src/store/types.ts';
import { openPgliteTestStore, openPostgresTestStore, postgresSkipReason, type TestStore } from '../support/backends.ts';

const REVISION = 'https://git.example.com/acme/jobs/-/blob/3f2c1d0e/etl.py';
const CODE = "print('hello')\n";

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRampartError(e), `expected ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return;
  }
  assert.fail(`expected ${code}`);
}

function approvalSuite(name: string, open: () => Promise<TestStore>, skip: () => Promise<string | false> = async () => false) {
  describe(`code approvals (${name})`, async () => {
    const reason = await skip();
    let ts: TestStore;
    let clock: ManualClock;
    let registry: ApprovalRegistry;
    before(async () => {
      if (reason) return;
      ts = await open();
      clock = new ManualClock();
      registry = new ApprovalRegistry({ repo: ts.store.sandboxApprovals, clock });
    });
    after(async () => {
      await ts?.cleanup();
    });
    const unique = (s: string) => `${s}# ${Math.random()}\n`;

    it('records the SHA-256 of the exact program bytes (what sha256sum prints), reviewer, time, revision and note', { skip: reason }, async () => {
      const code = unique(CODE);
      const rec = await registry.approve({ code, language: 'python', revisionUrl: REVISION, note: 'nightly ETL' }, 'key:sec-admin');
      assert.equal(rec.sha256, createHash('sha256').update(Buffer.from(code, 'utf8')).digest('hex'));
      assert.deepEqual({ ...rec, id: 'x' }, { id: 'x', sha256: rec.sha256, language: 'python', reviewer: 'key:sec-admin', approvedAt: clock.now(), revisionUrl: REVISION, note: 'nightly ETL', revokedAt: null, revokedBy: null });
      assert.deepEqual(await registry.get(rec.sha256), rec);
    });

    it('approves by hash alone, for code the reviewer read in version control', { skip: reason }, async () => {
      const sha = codeSha256(unique(CODE));
      const rec = await registry.approve({ sha256: sha, language: 'shell', revisionUrl: REVISION }, 'key:sec-admin');
      assert.equal(rec.sha256, sha);
      assert.equal(rec.note, null);
    });

    it('refuses an approval without an https revision link, with credentials in it, or naming the code twice or not at all', { skip: reason }, async () => {
      const base = { code: unique(CODE), language: 'python' as const };
      await rejectsWith(registry.approve({ ...base, revisionUrl: 'http://git.example.com/acme/jobs/commit/3f2c1d0' }, 'key:a'), 'RAMPART_INVALID_REQUEST', /revisionUrl: must be an https link/);
      await rejectsWith(registry.approve({ ...base, revisionUrl: 'https://bot:s3cret@git.example.com/acme/jobs/commit/3f2c1d0' }, 'key:a'), 'RAMPART_INVALID_REQUEST', /credentials/);
      await rejectsWith(registry.approve({ ...base, revisionUrl: 'javascript:alert(1)' }, 'key:a'), 'RAMPART_INVALID_REQUEST');
      await rejectsWith(registry.approve({ ...base, sha256: codeSha256('x'), revisionUrl: REVISION }, 'key:a'), 'RAMPART_INVALID_REQUEST', /exactly one of sha256 and code/);
      await rejectsWith(registry.approve({ language: 'python', revisionUrl: REVISION }, 'key:a'), 'RAMPART_INVALID_REQUEST', /exactly one/);
      await rejectsWith(registry.approve({ sha256: 'ABC', language: 'python', revisionUrl: REVISION }, 'key:a'), 'RAMPART_INVALID_REQUEST', /sha256/);
      await rejectsWith(registry.approve({ ...base, language: 'ruby' as 'python', revisionUrl: REVISION }, 'key:a'), 'RAMPART_INVALID_REQUEST', /language/);
    });

    it('names the first bad field of a refused approval as its param, as the other registries do', { skip: reason }, async () => {
      const refused = await registry.approve({ code: unique(CODE), language: 'python', revisionUrl: 'http://git.example.com/acme/jobs/commit/3f2c1d0' }, 'key:a').catch((e: unknown) => e);
      assert.ok(isRampartError(refused));
      assert.deepEqual([refused.code, refused.detail, refused.param], ['RAMPART_INVALID_REQUEST', 'revisionUrl: must be an https link to the reviewed revision', 'revisionUrl']);
    });

    it('refuses a second approval of code approved already (RAMPART_CONFLICT)', { skip: reason }, async () => {
      const code = unique(CODE);
      await registry.approve({ code, language: 'python', revisionUrl: REVISION }, 'key:a');
      await rejectsWith(registry.approve({ code, language: 'python', revisionUrl: REVISION }, 'key:b'), 'RAMPART_CONFLICT');
    });

    it('revokes at once, and approves the same code again afterwards (a new approval replaces the revoked one)', { skip: reason }, async () => {
      const code = unique(CODE);
      const sha = codeSha256(code);
      await registry.approve({ code, language: 'python', revisionUrl: REVISION }, 'key:a');
      assert.equal((await registry.check(sha, 'python', 'key:runner')).approved, true);
      clock.advance(1000);
      const revoked = await registry.revoke(sha, 'key:b');
      assert.equal(revoked.revokedAt, clock.now());
      assert.equal(revoked.revokedBy, 'key:b');
      assert.deepEqual(await registry.check(sha, 'python', 'key:runner'), { approved: false, approval: revoked, reason: 'revoked' });
      await rejectsWith(registry.revoke(sha, 'key:b'), 'RAMPART_NOT_FOUND');
      clock.advance(1000);
      const again = await registry.approve({ code, language: 'python', revisionUrl: `${REVISION}?v=2` }, 'key:c');
      assert.equal(again.revokedAt, null);
      assert.equal(again.reviewer, 'key:c');
      assert.equal((await registry.check(sha, 'python', 'key:runner')).approved, true);
    });

    it('holds for the approved language only: the same bytes under another interpreter are another program', { skip: reason }, async () => {
      const code = unique('echo hi\n');
      await registry.approve({ code, language: 'shell', revisionUrl: REVISION }, 'key:a');
      const v = await registry.check(codeSha256(code), 'python', 'key:runner');
      assert.equal(v.approved, false);
      assert.equal(!v.approved && v.reason, 'other-language');
    });

    it('does not count for executions by its own reviewer, unless selfApproval', { skip: reason }, async () => {
      const code = unique(CODE);
      await registry.approve({ code, language: 'python', revisionUrl: REVISION }, 'key:dev');
      const own = await registry.check(codeSha256(code), 'python', 'key:dev');
      assert.equal(!own.approved && own.reason, 'own-approval');
      const lenient = new ApprovalRegistry({ repo: ts.store.sandboxApprovals, clock, selfApproval: true });
      assert.equal((await lenient.check(codeSha256(code), 'python', 'key:dev')).approved, true);
    });

    it('says so for code nobody approved, and for malformed hashes', { skip: reason }, async () => {
      const v = await registry.check(codeSha256(unique('never')), 'python', 'key:runner');
      assert.deepEqual(v, { approved: false, approval: null, reason: 'not-approved' });
      await rejectsWith(registry.get('not-a-hash'), 'RAMPART_NOT_FOUND');
      await rejectsWith(registry.revoke("' OR 1=1 --", 'key:a'), 'RAMPART_NOT_FOUND');
    });

    it('lists approvals in force, newest first, page by page; revoked ones on request', { skip: reason }, async () => {
      const fresh = new ApprovalRegistry({ repo: ts.store.sandboxApprovals, clock });
      const made: SandboxApprovalRecord[] = [];
      for (let i = 0; i < 3; i++) {
        clock.advance(60_000);
        made.push(await fresh.approve({ code: unique(`print(${i})`), language: 'python', revisionUrl: REVISION }, 'key:a'));
      }
      await fresh.revoke(made[1]!.sha256, 'key:a');
      const first = await fresh.list({ limit: 1 });
      assert.equal(first.items[0]!.sha256, made[2]!.sha256);
      const second = await fresh.list({ limit: 1, cursor: first.nextCursor });
      assert.equal(second.items[0]!.sha256, made[0]!.sha256, 'the revoked one is skipped');
      const all = await fresh.list({ limit: 500, includeRevoked: true });
      assert.ok(all.items.some((r) => r.sha256 === made[1]!.sha256 && r.revokedAt !== null));
    });
  });
}

approvalSuite('embedded', openPgliteTestStore);
approvalSuite('PostgreSQL', openPostgresTestStore, postgresSkipReason);
