/** The audit log on PostgreSQL: a real network outage, and two instances sharing a chain id. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { AuditLog } from '../../src/monitor/audit-log.ts';
import { verifyAudit } from '../../src/monitor/audit-verify.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { auditEvent } from '../contract/store.contract.ts';
import { openPostgresTestStore, PG_URL, postgresConfig, postgresSkipReason, randomName, silent, type TestStore } from '../support/backends.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const skip = await postgresSkipReason();

describe('audit log on PostgreSQL', { skip }, () => {
  let t: TestStore;
  before(async () => {
    t = await openPostgresTestStore();
  });
  after(async () => {
    await t?.cleanup();
  });

  it('loses nothing when the network to PostgreSQL drops, and does not crash', async () => {
    const target = new URL(PG_URL);
    const proxy: TcpProxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
    const viaProxy = new URL(PG_URL);
    viaProxy.port = String(proxy.port);
    let store: Store | undefined;
    try {
      store = await openStore({ ...postgresConfig(t.schema!, { url: viaProxy.toString() }), connectTimeoutMs: 500 }, { logger: silent });
      const log = new AuditLog(store.audit, { logger: silent, chainId: randomName('chain-'), batchSize: 10, flushIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 100 });
      await log.start();
      for (let i = 0; i < 5; i++) log.record(auditEvent());
      await log.flush();
      proxy.cut();
      for (let i = 0; i < 25; i++) log.record(auditEvent());
      await assert.rejects(log.flush(), (e) => isRampartError(e) && e.code === 'RAMPART_STORE_UNAVAILABLE');
      await assert.rejects(store.ping(), (e) => isRampartError(e) && e.code === 'RAMPART_STORE_UNAVAILABLE');
      proxy.restore();
      const deadline = Date.now() + 5_000;
      while (log.stats().queued > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await log.close();
      const chain = await t.store.audit.readChain(log.chainId, 1, 1000);
      assert.equal(chain.length, 30);
      const report = await verifyAudit(t.store.audit);
      assert.equal(report.chains.find((c) => c.chainId === log.chainId)?.problem, null);
    } finally {
      await store?.close();
      await proxy.close();
    }
  });

  it('keeps one chain when two instances (two pools) share a chain id', async () => {
    const chainId = randomName('chain-');
    const other = await t.reopen!();
    const a = new AuditLog(t.store.audit, { logger: silent, chainId, batchSize: 3 });
    const b = new AuditLog(other.audit, { logger: silent, chainId, batchSize: 3 });
    await Promise.all([a.start(), b.start()]);
    for (let i = 0; i < 30; i++) {
      a.record(auditEvent());
      b.record(auditEvent());
    }
    await Promise.all([a.close(), b.close()]);
    const chain = await t.store.audit.readChain(chainId, 1, 1000);
    assert.equal(chain.length, 60);
    assert.equal(new Set(chain.map((e) => e.id)).size, 60);
    const report = await verifyAudit(t.store.audit);
    assert.equal(report.chains.find((c) => c.chainId === chainId)?.problem, null);
  });

  it('turns a statement timeout into RAMPART_STORE_UNAVAILABLE', async () => {
    const store = await openStore({ ...postgresConfig(t.schema!), statementTimeoutMs: 100 }, { logger: silent });
    try {
      await assert.rejects(store.sql.query('SELECT pg_sleep(2)'), (e) => isRampartError(e) && e.code === 'RAMPART_STORE_UNAVAILABLE');
      await store.ping();
    } finally {
      await store.close();
    }
  });
});
