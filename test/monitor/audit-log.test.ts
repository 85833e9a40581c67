import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, StoredAuditEvent } from '../../src/core/audit-event.ts';
import { isRampartError, RampartError } from '../../src/core/errors.ts';
import { AuditLog, type AuditLogOptions, type AuditLogStats } from '../../src/monitor/audit-log.ts';
import { exportHeads, verifyAudit, brokenChainError, type ChainReport } from '../../src/monitor/audit-verify.ts';
import type { AuditFilter, AuditHeadLink, AuditRepo, Store } from '../../src/store/types.ts';
import { auditEvent } from '../contract/store.contract.ts';
import { openPgliteTestStore, randomName, silent, type TestStore } from '../support/backends.ts';

/** The real repository with a switchable outage and a record of batch sizes. */
class FlakyRepo implements AuditRepo {
  down = false;
  /** The next append commits, then fails as if the acknowledgement was lost. */
  loseNextAck = false;
  readonly refuse = new Set<string>();
  readonly batches: number[] = [];
  readonly inner: AuditRepo;

  constructor(inner: AuditRepo) {
    this.inner = inner;
  }

  #check(): void {
    if (this.down) throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'test outage' });
  }

  async append(events: readonly StoredAuditEvent[]): Promise<void> {
    this.#check();
    if (events.some((e) => this.refuse.has(e.id))) throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
    await this.inner.append(events);
    this.batches.push(events.length);
    if (this.loseNextAck) {
      this.loseNextAck = false;
      throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'connection lost during COMMIT' });
    }
  }
  async appendChained(events: readonly AuditEvent[], chainId: string, head: AuditHeadLink): Promise<AuditHeadLink> {
    this.#check();
    if (events.some((e) => this.refuse.has(e.id))) throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
    const next = await this.inner.appendChained(events, chainId, head);
    this.batches.push(events.length);
    if (this.loseNextAck) {
      this.loseNextAck = false;
      throw new RampartError('RAMPART_STORE_UNAVAILABLE', { detail: 'connection lost during COMMIT' });
    }
    return next;
  }
  async head(chainId: string) {
    this.#check();
    return this.inner.head(chainId);
  }
  async chains() {
    this.#check();
    return this.inner.chains();
  }
  async readChain(chainId: string, fromSeq: number, limit: number) {
    this.#check();
    return this.inner.readChain(chainId, fromSeq, limit);
  }
  async list(filter: AuditFilter) {
    this.#check();
    return this.inner.list(filter);
  }
}

async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('audit log', () => {
  let t: TestStore;
  let store: Store;
  before(async () => {
    t = await openPgliteTestStore();
    store = t.store;
  });
  after(async () => {
    await t?.cleanup();
  });

  const newLog = (repo: AuditRepo, opts: Partial<AuditLogOptions> = {}) =>
    new AuditLog(repo, { logger: silent, chainId: randomName('chain-'), retryBaseMs: 10, retryMaxMs: 50, ...opts });
  const chainOf = async (chainId: string) => store.audit.readChain(chainId, 1, 10_000);
  const reportOf = async (chainId: string, anchors?: Parameters<typeof verifyAudit>[1]) =>
    (await verifyAudit(store.audit, anchors)).chains.find((c) => c.chainId === chainId) as ChainReport;

  it('returns from record() at once and writes in batches of batchSize', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { batchSize: 5, flushIntervalMs: 10_000 });
    for (let i = 0; i < 12; i++) log.record(auditEvent());
    assert.equal(log.stats().queued, 12, 'nothing is written synchronously');
    await log.flush();
    assert.deepEqual(repo.batches, [5, 5, 2]);
    assert.deepEqual((await chainOf(log.chainId)).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await log.close();
  });

  it('starts a full batch without waiting for the interval, and a partial one after it', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { batchSize: 3, flushIntervalMs: 300 });
    let started = Date.now();
    for (let i = 0; i < 3; i++) log.record(auditEvent());
    await waitFor(() => repo.batches.length === 1);
    assert.ok(Date.now() - started < 250, 'a full batch does not wait for the interval');
    started = Date.now();
    log.record(auditEvent());
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(repo.batches.length, 1, 'a partial batch waits for the interval');
    await waitFor(() => repo.batches.length === 2);
    assert.ok(Date.now() - started >= 280);
    assert.deepEqual(repo.batches, [3, 1]);
    await log.close();
  });

  it('keeps batches full under steady load: events arriving during a write wait for a full batch or the interval', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { batchSize: 20, flushIntervalMs: 10_000 });
    // An event every millisecond or so, about as often as a write takes on the embedded store: a
    // writer that wrote whatever had arrived as soon as the previous write returned would write
    // batches of one or two here.
    for (let i = 0; i < 200; i++) {
      log.record(auditEvent());
      await new Promise((r) => setTimeout(r, 1));
    }
    await log.flush();
    assert.equal(repo.batches.reduce((a, b) => a + b, 0), 200);
    assert.ok(repo.batches.slice(0, -1).every((n) => n === 20), `batches: ${repo.batches.join(',')}`);
    await log.close();
  });

  it('continues its chain after a restart', async () => {
    const chainId = randomName('chain-');
    const first = newLog(store.audit, { chainId });
    await first.start();
    for (let i = 0; i < 3; i++) first.record(auditEvent());
    await first.close();
    const second = newLog(store.audit, { chainId });
    await second.start();
    for (let i = 0; i < 2; i++) second.record(auditEvent());
    await second.close();
    const chain = await chainOf(chainId);
    assert.deepEqual(chain.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.equal(chain[3]!.prevHash, chain[2]!.hash);
    assert.deepEqual((await reportOf(chainId)).problem, null);
  });

  describe('verification', () => {
    const writeChain = async (n: number) => {
      const log = newLog(store.audit);
      for (let i = 0; i < n; i++) log.record(auditEvent({ status: 200 + i }));
      await log.close();
      return log.chainId;
    };

    it('passes an untouched chain and reports its head', async () => {
      const chainId = await writeChain(4);
      const report = await reportOf(chainId);
      assert.equal(report.problem, null);
      assert.equal(report.checked, 4);
      assert.equal(report.head?.seq, 4);
    });

    it('finds an edited record by its hash', async () => {
      const chainId = await writeChain(5);
      await store.sql.query('UPDATE audit_events SET status = 999 WHERE chain_id = $1 AND seq = 3', [chainId]);
      const { problem } = await reportOf(chainId);
      assert.deepEqual([problem?.kind, problem?.seq], ['hash-mismatch', 3]);
    });

    it('finds an edited JSON detail', async () => {
      const chainId = await writeChain(3);
      await store.sql.query(`UPDATE audit_events SET details = '{"stream": false}'::jsonb WHERE chain_id = $1 AND seq = 2`, [chainId]);
      const { problem } = await reportOf(chainId);
      assert.deepEqual([problem?.kind, problem?.seq], ['hash-mismatch', 2]);
    });

    it('finds a deleted record as a seq gap', async () => {
      const chainId = await writeChain(5);
      await store.sql.query('DELETE FROM audit_events WHERE chain_id = $1 AND seq = 2', [chainId]);
      const { problem } = await reportOf(chainId);
      assert.deepEqual([problem?.kind, problem?.seq], ['seq-gap', 2]);
    });

    it('finds a deleted record even when the later ones were renumbered', async () => {
      const chainId = await writeChain(5);
      await store.sql.query('DELETE FROM audit_events WHERE chain_id = $1 AND seq = 2', [chainId]);
      for (const seq of [3, 4, 5]) await store.sql.query('UPDATE audit_events SET seq = seq - 1 WHERE chain_id = $1 AND seq = $2', [chainId, seq]);
      const { problem } = await reportOf(chainId);
      assert.deepEqual([problem?.kind, problem?.seq], ['prev-hash-mismatch', 2]);
    });

    it('finds swapped records', async () => {
      const chainId = await writeChain(5);
      const swap = [[3, -3], [4, 3], [-3, 4]];
      for (const [from, to] of swap) await store.sql.query('UPDATE audit_events SET seq = $3 WHERE chain_id = $1 AND seq = $2', [chainId, from, to]);
      const { problem } = await reportOf(chainId);
      assert.deepEqual([problem?.kind, problem?.seq], ['prev-hash-mismatch', 3]);
    });

    it('finds a deleted tail only against an exported head', async () => {
      const chainId = await writeChain(4);
      const heads = (await exportHeads(store.audit)).filter((h) => h.chainId === chainId);
      assert.equal(heads[0]?.seq, 4);
      await store.sql.query('DELETE FROM audit_events WHERE chain_id = $1 AND seq = 4', [chainId]);
      assert.equal((await reportOf(chainId)).problem, null, 'the shorter chain is consistent on its own');
      const { problem } = await reportOf(chainId, { anchors: heads });
      assert.deepEqual([problem?.kind, problem?.seq], ['anchor-missing', 4]);
    });

    it('finds a rewritten chain against an exported head', async () => {
      const chainId = await writeChain(2);
      const heads = (await exportHeads(store.audit)).filter((h) => h.chainId === chainId);
      await store.sql.query('DELETE FROM audit_events WHERE chain_id = $1', [chainId]);
      const forger = newLog(store.audit, { chainId });
      for (let i = 0; i < 3; i++) forger.record(auditEvent());
      await forger.close();
      const { problem } = await reportOf(chainId, { anchors: heads });
      assert.deepEqual([problem?.kind, problem?.seq], ['anchor-mismatch', 2]);
    });

    it('names every broken chain in a RAMPART_AUDIT_CHAIN_BROKEN error', async () => {
      const chainId = await writeChain(2);
      await store.sql.query('UPDATE audit_events SET action = $2 WHERE chain_id = $1 AND seq = 1', [chainId, 'forged']);
      const err = brokenChainError(await verifyAudit(store.audit));
      assert.equal(err?.code, 'RAMPART_AUDIT_CHAIN_BROKEN');
      assert.match(err!.message, new RegExp(`chain ${chainId} at seq 1: hash-mismatch`));
    });
  });

  it('keeps every event through a store outage and writes them after it', async () => {
    const repo = new FlakyRepo(store.audit);
    const stats: AuditLogStats[] = [];
    const log = newLog(repo, { batchSize: 10, flushIntervalMs: 20, onFlush: (s) => stats.push(s) });
    repo.down = true;
    for (let i = 0; i < 35; i++) log.record(auditEvent());
    await assert.rejects(log.flush(), (e) => isRampartError(e) && e.code === 'RAMPART_STORE_UNAVAILABLE');
    await waitFor(() => log.stats().writeFailures >= 3);
    assert.equal(log.stats().failing, true);
    assert.equal(log.stats().queued, 35);
    repo.down = false;
    await waitFor(() => log.stats().queued === 0);
    assert.equal(log.stats().failing, false);
    assert.equal(log.stats().written, 35);
    assert.equal((await chainOf(log.chainId)).length, 35);
    assert.ok(stats.some((s) => s.failing) && stats.at(-1)!.queued === 0, 'onFlush saw the outage and the recovery');
    assert.equal((await reportOf(log.chainId)).problem, null);
    await log.close();
  });

  it('drops beyond maxQueue, counts the drops, and records the gap in the chain', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { maxQueue: 10, flushIntervalMs: 10_000 });
    repo.down = true;
    for (let i = 0; i < 15; i++) log.record(auditEvent());
    assert.deepEqual([log.stats().queued, log.stats().dropped], [10, 5]);
    repo.down = false;
    await log.flush();
    log.record(auditEvent({ action: 'after' }));
    await log.close();
    const chain = await chainOf(log.chainId);
    assert.deepEqual(chain.map((e) => e.action).slice(-2), ['audit.events_dropped', 'after']);
    assert.deepEqual(chain.at(-2)!.details, { dropped: 5, queueLimit: 10 });
    assert.equal(chain.length, 12);
  });

  it('records the gap also when nothing is recorded after the outage: at the next write, and at close', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { maxQueue: 10, flushIntervalMs: 10_000 });
    repo.down = true;
    for (let i = 0; i < 13; i++) log.record(auditEvent());
    repo.down = false;
    await log.close();
    const chain = await chainOf(log.chainId);
    assert.equal(chain.at(-1)!.action, 'audit.events_dropped');
    assert.deepEqual(chain.at(-1)!.details, { dropped: 3, queueLimit: 10 });
    assert.equal((await reportOf(log.chainId)).problem, null);
  });

  it('keeps one consistent chain when two writers share a chain id', async () => {
    const chainId = randomName('chain-');
    const a = newLog(store.audit, { chainId, batchSize: 4 });
    const b = newLog(store.audit, { chainId, batchSize: 4 });
    // Both load the same (empty) head, so their first writes collide.
    await Promise.all([a.start(), b.start()]);
    for (let i = 0; i < 20; i++) {
      a.record(auditEvent({ action: 'from-a' }));
      b.record(auditEvent({ action: 'from-b' }));
    }
    await Promise.all([a.flush(), b.flush()]);
    await Promise.all([a.close(), b.close()]);
    const chain = await chainOf(chainId);
    assert.equal(chain.length, 40);
    assert.equal(new Set(chain.map((e) => e.id)).size, 40);
    assert.ok(a.stats().conflicts + b.stats().conflicts > 0, 'the writers did collide');
    assert.equal((await reportOf(chainId)).problem, null);
  });

  it('does not write a batch twice when its commit acknowledgement is lost', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { batchSize: 5 });
    for (let i = 0; i < 5; i++) log.record(auditEvent());
    repo.loseNextAck = true;
    await assert.rejects(log.flush());
    for (let i = 0; i < 2; i++) log.record(auditEvent());
    await log.flush();
    const chain = await chainOf(log.chainId);
    assert.equal(chain.length, 7);
    assert.equal(log.stats().written, 7);
    assert.equal((await reportOf(log.chainId)).problem, null);
    await log.close();
  });

  it('drops only the event the store refuses as invalid', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo, { batchSize: 10 });
    const events = Array.from({ length: 6 }, () => auditEvent());
    repo.refuse.add(events[2]!.id);
    for (const e of events) log.record(e);
    await log.flush();
    const chain = await chainOf(log.chainId);
    assert.deepEqual(chain.map((e) => e.id), events.filter((_, i) => i !== 2).map((e) => e.id));
    assert.equal(log.stats().rejected, 1);
    assert.equal((await reportOf(log.chainId)).problem, null);
    await log.close();
  });

  it('stores text PostgreSQL cannot hold as-is (NUL, lone surrogates) so that it verifies', async () => {
    const log = newLog(store.audit);
    log.record(
      auditEvent({
        reason: 'nul \u0000 here',
        principalId: 'bad \uD800 surrogate',
        details: {
          'k\u0000': 'v\uDFFF',
          big: 10n as unknown as number,
          n: Number.NaN,
          nested: [{ z: 1, a: undefined }],
          ...(JSON.parse('{"__proto__": {"polluted": true}}') as object),
        },
        latencyMs: -0,
        promptTokens: 1.7,
      }),
    );
    await log.close();
    const [stored] = await chainOf(log.chainId);
    assert.equal(stored!.reason, 'nul \uFFFD here');
    assert.deepEqual(stored!.details, JSON.parse('{"k\\ufffd": "v\\ufffd", "big": "10", "n": null, "nested": [{"z": 1}], "__proto__": {"polluted": true}}'));
    assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'no prototype was polluted on the way');
    assert.equal(stored!.promptTokens, 1);
    assert.equal((await reportOf(log.chainId)).problem, null);
  });

  it('drains on close and counts events recorded after it as dropped', async () => {
    const log = newLog(store.audit, { flushIntervalMs: 10_000 });
    for (let i = 0; i < 7; i++) log.record(auditEvent());
    await log.close();
    log.record(auditEvent());
    assert.equal((await chainOf(log.chainId)).length, 7);
    assert.deepEqual([log.stats().written, log.stats().dropped], [7, 1]);
  });

  it('gives up on close after its timeout when the store stays down', async () => {
    const repo = new FlakyRepo(store.audit);
    const log = newLog(repo);
    repo.down = true;
    log.record(auditEvent());
    const started = Date.now();
    await log.close({ timeoutMs: 200 });
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual([log.stats().queued, log.stats().dropped], [0, 1]);
  });

  it('refuses invalid options at construction', () => {
    for (const bad of [{ chainId: 'has space' }, { batchSize: 0 }, { maxQueue: 1.5 }]) {
      assert.throws(() => newLog(store.audit, bad), (e) => isRampartError(e) && e.code === 'RAMPART_CONFIG_INVALID');
    }
  });
});
