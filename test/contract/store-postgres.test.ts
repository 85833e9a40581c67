import { readdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { storeContract } from './store.contract.ts';
import { closedPort, dropSchema, openPostgresTestStore, postgresConfig, postgresSkipReason, randomName, silent } from '../support/backends.ts';

const skip = await postgresSkipReason();

storeContract('PostgreSQL', { skip, open: openPostgresTestStore });

describe('PostgreSQL store', { skip }, () => {
  it('applies each migration once when instances start together', async () => {
    const schema = randomName('rampart_test_');
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openStore(postgresConfig(schema), { logger: silent })));
      const r = await stores[0]!.sql.query<{ version: number }>('SELECT version FROM rampart_migrations ORDER BY version');
      const shipped = readdirSync(new URL('../../src/store/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'));
      assert.deepEqual(r.rows.map((row) => Number(row.version)), shipped.map((_, i) => i + 1), 'each migration recorded exactly once');
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await dropSchema(schema);
    }
  });

  it('fails fast with RAMPART_STORE_UNAVAILABLE and no password in the error', async () => {
    const port = await closedPort();
    const url = `postgres://rampart:hunter2-secret@127.0.0.1:${port}/test`;
    const started = Date.now();
    await assert.rejects(openStore(postgresConfig('public', { url }), { logger: silent }), (e) => {
      assert.ok(isRampartError(e));
      assert.equal(e.code, 'RAMPART_STORE_UNAVAILABLE');
      assert.doesNotMatch(e.message, /hunter2/);
      assert.match(e.message, /127\.0\.0\.1/);
      return true;
    });
    assert.ok(Date.now() - started < 3_000);
  });
});
