/**
 * The elevations part of the storage contract (run by store.contract.ts for every backend):
 * round trip, paging, and state changes that only one caller can win.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import type { ElevationRecord, Store } from '../../src/store/types.ts';
import { randomName } from '../support/backends.ts';

const T0 = Date.UTC(2026, 2, 1, 9);

export function elevationRecord(overrides: Partial<ElevationRecord> = {}): ElevationRecord {
  return {
    id: randomName('elv_'),
    principalId: randomName('oidc:https://idp.example.com#'),
    principalKind: 'user',
    role: 'admin',
    justification: 'INC-1234: rotate the leaked key',
    durationMs: 30 * 60_000,
    approval: 'required',
    status: 'pending',
    requestedAt: T0,
    decidedAt: null,
    decidedBy: null,
    decisionNote: null,
    startsAt: null,
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  };
}

export function elevationContract(store: () => Store): void {
  describe('elevations', () => {
    it('round-trips every field and refuses a duplicate id', async () => {
      const rec = elevationRecord({ status: 'approved', approval: 'auto', decidedAt: T0, decidedBy: 'rampart:auto-approval', decisionNote: 'n', startsAt: T0, expiresAt: T0 + 60_000, revokedAt: null });
      await store().elevations.insert(rec);
      assert.deepEqual(await store().elevations.get(rec.id), rec);
      assert.equal(await store().elevations.get(randomName('elv_')), null);
      await assert.rejects(store().elevations.insert(rec), (e) => isRampartError(e) && e.code === 'RAMPART_CONFLICT');
    });

    it('approves a pending elevation once: a second decision, or a denial after it, loses', async () => {
      const rec = elevationRecord();
      await store().elevations.insert(rec);
      const decisions = await Promise.all([
        store().elevations.decide(rec.id, { status: 'approved', at: T0 + 1, by: 'bob', note: 'ok', startsAt: T0 + 1, expiresAt: T0 + 1 + rec.durationMs }),
        store().elevations.decide(rec.id, { status: 'denied', at: T0 + 2, by: 'carol', note: null, startsAt: null, expiresAt: null }),
      ]);
      assert.equal(decisions.filter((d) => d !== null).length, 1, 'exactly one decision wins');
      const winner = decisions.find((d) => d !== null)!;
      assert.deepEqual(await store().elevations.get(rec.id), winner);
      assert.equal(await store().elevations.decide(rec.id, { status: 'approved', at: T0 + 3, by: 'dave', note: null, startsAt: T0, expiresAt: T0 + 5 }), null);
    });

    it('lists active elevations exactly until their expiry, and expires each one once', async () => {
      const principalId = randomName('user:');
      const rec = elevationRecord({ principalId, status: 'approved', startsAt: T0, expiresAt: T0 + 1_000 });
      await store().elevations.insert(rec);
      const activeAt = async (t: number) => (await store().elevations.active(t)).some((e) => e.id === rec.id);
      assert.equal(await activeAt(T0 + 999), true);
      assert.equal(await activeAt(T0 + 1_000), false, 'expiresAt is exclusive');
      assert.equal((await store().elevations.expire(T0 + 999)).some((e) => e.id === rec.id), false);
      const [a, b] = await Promise.all([store().elevations.expire(T0 + 1_000), store().elevations.expire(T0 + 1_000)]);
      assert.equal([...a!, ...b!].filter((e) => e.id === rec.id).length, 1, 'one caller marks it expired');
      assert.equal((await store().elevations.get(rec.id))!.status, 'expired');
    });

    it('revokes pending and active elevations, but not denied or expired ones', async () => {
      const pending = elevationRecord();
      const active = elevationRecord({ status: 'approved', startsAt: T0, expiresAt: T0 + 10_000 });
      const over = elevationRecord({ status: 'approved', startsAt: T0, expiresAt: T0 + 10 });
      const denied = elevationRecord({ status: 'denied', decidedAt: T0, decidedBy: 'bob' });
      for (const r of [pending, active, over, denied]) await store().elevations.insert(r);
      const revoked = await store().elevations.revoke(active.id, T0 + 5_000, 'bob');
      assert.equal(revoked?.status, 'revoked');
      assert.equal(revoked?.revokedAt, T0 + 5_000);
      assert.equal(revoked?.revokedBy, 'bob');
      assert.equal((await store().elevations.active(T0 + 5_001)).some((e) => e.id === active.id), false);
      assert.equal((await store().elevations.revoke(pending.id, T0 + 1, 'alice'))?.status, 'revoked');
      assert.equal(await store().elevations.revoke(over.id, T0 + 5_000, 'bob'), null);
      assert.equal(await store().elevations.revoke(denied.id, T0 + 5_000, 'bob'), null);
      assert.equal(await store().elevations.revoke(active.id, T0 + 5_000, 'bob'), null, 'twice is nothing to do');
    });

    it('pages newest first, filtered by principal and status', async () => {
      const principalId = randomName('user:');
      const recs = Array.from({ length: 5 }, (_, i) => elevationRecord({ principalId, requestedAt: T0 + i * 1_000, status: i % 2 ? 'denied' : 'pending' }));
      for (const r of recs) await store().elevations.insert(r);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: ElevationRecord[]; nextCursor: string | null } = await store().elevations.list({ principalId, limit: 2, cursor });
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, recs.map((r) => r.id).reverse());
      const denied = await store().elevations.list({ principalId, status: 'denied', limit: 10 });
      assert.deepEqual(denied.items.map((e) => e.id), [recs[3]!.id, recs[1]!.id]);
      await assert.rejects(store().elevations.list({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' }), (e) => isRampartError(e) && e.code === 'RAMPART_INVALID_REQUEST');
    });
  });
}
