import { readdirSync } from 'node:fs';
/**
 * The storage contract: every backend (embedded PGlite, PostgreSQL) must pass this one suite.
 * One database per run; tests isolate themselves with random ids, so they can run in any order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, StoredAuditEvent } from '../../src/core/audit-event.ts';
import { isRampartError } from '../../src/core/errors.ts';
import { chainEvents, GENESIS_HASH } from '../../src/core/audit-hash.ts';
import { SqlAuditRepo } from '../../src/store/audit-repo.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import type { ApiKeyRecord, AuditFilter, Store } from '../../src/store/types.ts';
import { capturingLogger, randomName, silent, type TestStore } from '../support/backends.ts';
import { elevationContract } from './elevations.contract.ts';
import { agentContract } from './agents.contract.ts';

export interface StoreContractOptions {
  skip?: string | false;
  open: () => Promise<TestStore>;
}

export function keyRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: randomName('key_'),
    name: 'ci pipeline',
    secretHash: 'a'.repeat(64),
    principalId: randomName('app:'),
    principalKind: 'app',
    roles: ['invoke', 'reader'],
    limits: { requestsPerMinute: 60, tokensPerMonth: 1_000_000 },
    createdAt: Date.UTC(2026, 0, 1),
    createdBy: 'admin@example.com',
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    rotatedFrom: null,
    ...overrides,
  };
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: randomName('aud_'),
    time: Date.UTC(2026, 0, 1),
    requestId: randomName('req_'),
    plane: 'data',
    action: 'chat.completions',
    principalId: 'user:alice',
    principalKind: 'user',
    apiKeyId: null,
    deployment: 'gpt-4o',
    decision: 'allow',
    reason: null,
    code: null,
    status: 200,
    promptTokens: 12,
    completionTokens: 34,
    latencyMs: 123.5,
    upstream: 'openai:primary',
    sourceIp: '10.0.0.1',
    details: { stream: true, nested: { b: 1, a: [1, 'x'] } },
    ...overrides,
  };
}

async function collect(list: (cursor: string | null) => Promise<{ items: { id: string }[]; nextCursor: string | null }>) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = await list(cursor);
    pages.push(page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor && pages.length < 1000);
  return pages;
}

export function storeContract(name: string, opts: StoreContractOptions): void {
  describe(`store contract: ${name}`, { skip: opts.skip }, () => {
    let t: TestStore;
    let store: Store;
    before(async () => {
      t = await opts.open();
      store = t.store;
    });
    after(async () => {
      await t?.cleanup();
    });

    describe('migrations', () => {
      it('applies nothing when run again', async () => {
        assert.deepEqual(await migrate(store.sql, { logger: silent, schema: t.schema }), []);
        const r = await store.sql.query<{ version: number }>('SELECT version FROM rampart_migrations ORDER BY version');
        const shipped = readdirSync(new URL('../../src/store/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'));
        assert.deepEqual(r.rows.map((row) => Number(row.version)), shipped.map((_, i) => i + 1));
      });

      it('upgrades a store written by the earlier migrations: rows, order and chain kept, indexes ascending', async () => {
        // A schema of its own inside a transaction that is rolled back: nothing is left behind.
        const schema = randomName('upgrade_');
        const all = await loadMigrations();
        const rollback = new Error('rollback');
        await assert.rejects(
          store.sql.transaction(async (tx) => {
            await tx.exec(`CREATE SCHEMA ${schema}; SET LOCAL search_path = ${schema}`);
            const { logger, lines } = capturingLogger<{ msg: string; migration: string }>();
            assert.deepEqual(await migrate(tx, { logger, migrations: all.slice(0, 7) }), [1, 2, 3, 4, 5, 6, 7]);
            // A new database: one line per migration, after it ran on empty tables.
            assert.deepEqual(new Set(lines.map((l) => l.msg)), new Set(['migration applied']));
            lines.length = 0;
            const audit = new SqlAuditRepo(tx);
            const t0 = Date.UTC(2026, 3, 1);
            const chain = randomName('chain-');
            await audit.append(chainEvents(Array.from({ length: 5 }, (_, i) => auditEvent({ time: t0 + i * 1000 })), chain, { seq: 0, hash: GENESIS_HASH }));
            const before = await audit.list({ limit: 10 });
            const links = await audit.readChain(chain, 1, 10);
            assert.deepEqual(await migrate(tx, { logger, migrations: all }), all.slice(7).map((m) => m.version));
            // On an upgrade each pending migration is announced before it runs (a long one is not silence) and confirmed after.
            assert.deepEqual(
              lines.map((l) => `${l.msg}: ${l.migration}`),
              all.slice(7).flatMap((m) => {
                const label = `migration ${String(m.version).padStart(4, '0')}_${m.name}`;
                return [`applying migration: ${label}`, `migration applied: ${label}`];
              }),
            );
            const after = await audit.list({ limit: 10 });
            assert.deepEqual(after.items.map((e) => e.id), before.items.map((e) => e.id));
            assert.deepEqual(after.items.map((e) => e.time), [4, 3, 2, 1, 0].map((i) => t0 + i * 1000));
            assert.deepEqual(await audit.readChain(chain, 1, 10), links);
            const defs = await tx.query<{ indexname: string; indexdef: string }>(
              `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('audit_events', 'detections') ORDER BY indexname`,
              [schema],
            );
            assert.equal(defs.rows.length, 10);
            for (const d of defs.rows) assert.doesNotMatch(d.indexdef, /DESC/, d.indexname);
            throw rollback;
          }),
          (e) => e === rollback,
        );
      });

      it('answers ping', async () => {
        await store.ping();
      });
    });

    describe('transactions', () => {
      it('commits on success and rolls back everything when the callback throws', async () => {
        const ok = keyRecord();
        const lost = keyRecord();
        await store.sql.transaction(async (tx) => {
          await tx.query('INSERT INTO api_keys (id, name, secret_hash, principal_id, principal_kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [ok.id, 'n', 'h', 'p', 'app', 1]);
        });
        await assert.rejects(
          store.sql.transaction(async (tx) => {
            await tx.query('INSERT INTO api_keys (id, name, secret_hash, principal_id, principal_kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [lost.id, 'n', 'h', 'p', 'app', 1]);
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.ok(await store.keys.get(ok.id));
        assert.equal(await store.keys.get(lost.id), null);
      });

      it('rolls back only the nested part when a nested transaction throws', async () => {
        const outer = keyRecord();
        const inner = keyRecord();
        await store.sql.transaction(async (tx) => {
          await tx.query('INSERT INTO api_keys (id, name, secret_hash, principal_id, principal_kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [outer.id, 'n', 'h', 'p', 'app', 1]);
          await tx
            .transaction(async (nested) => {
              await nested.query('INSERT INTO api_keys (id, name, secret_hash, principal_id, principal_kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [inner.id, 'n', 'h', 'p', 'app', 1]);
              // A failing statement inside the savepoint must not doom the outer transaction.
              await nested.query('SELECT 1/0');
            })
            .catch(() => undefined);
        });
        assert.ok(await store.keys.get(outer.id));
        assert.equal(await store.keys.get(inner.id), null);
      });
    });

    describe('api keys', () => {
      it('round-trips every field', async () => {
        const rec = keyRecord({ expiresAt: Date.UTC(2027, 0, 1), rotatedFrom: 'key_old', lastUsedAt: 5 });
        await store.keys.insert(rec);
        assert.deepEqual(await store.keys.get(rec.id), rec);
        const bare = keyRecord({ limits: null, roles: [], createdBy: null });
        await store.keys.insert(bare);
        assert.deepEqual(await store.keys.get(bare.id), bare);
      });

      it('returns null for an unknown id', async () => {
        assert.equal(await store.keys.get(randomName('key_')), null);
      });

      it('rejects a duplicate id with RAMPART_CONFLICT', async () => {
        const rec = keyRecord();
        await store.keys.insert(rec);
        await assert.rejects(store.keys.insert({ ...rec, name: 'other' }), (e) => isRampartError(e) && e.code === 'RAMPART_CONFLICT');
        assert.equal((await store.keys.get(rec.id))?.name, rec.name);
      });

      it('revokes once, keeps the first revocation time, and reports unknown keys', async () => {
        const rec = keyRecord();
        await store.keys.insert(rec);
        assert.equal(await store.keys.revoke(rec.id, 1000), true);
        assert.equal(await store.keys.revoke(rec.id, 2000), true);
        assert.equal((await store.keys.get(rec.id))?.revokedAt, 1000);
        assert.equal(await store.keys.revoke(randomName('key_'), 1000), false);
      });

      it('sets or shortens the expiry but never extends it', async () => {
        const rec = keyRecord();
        await store.keys.insert(rec);
        assert.equal(await store.keys.setExpiry(rec.id, 5000), true);
        assert.equal((await store.keys.get(rec.id))?.expiresAt, 5000);
        await store.keys.setExpiry(rec.id, 9000);
        assert.equal((await store.keys.get(rec.id))?.expiresAt, 5000);
        await store.keys.setExpiry(rec.id, 3000);
        assert.equal((await store.keys.get(rec.id))?.expiresAt, 3000);
        assert.equal(await store.keys.setExpiry(randomName('key_'), 1), false);
        // A revoked key is left alone: a rotation racing the revocation learns it from the false.
        await store.keys.revoke(rec.id, 2000);
        assert.equal(await store.keys.setExpiry(rec.id, 1000), false);
        assert.equal((await store.keys.get(rec.id))?.expiresAt, 3000);
      });

      it('touches last-used times in one batch, keeping the newest', async () => {
        const a = keyRecord({ lastUsedAt: 500 });
        const b = keyRecord();
        await store.keys.insert(a);
        await store.keys.insert(b);
        await store.keys.touch(new Map([[a.id, 100], [b.id, 700], [randomName('key_'), 1]]));
        assert.equal((await store.keys.get(a.id))?.lastUsedAt, 500);
        assert.equal((await store.keys.get(b.id))?.lastUsedAt, 700);
        await store.keys.touch(new Map());
      });

      it('lists newest first across pages, with or without revoked keys', async () => {
        const principal = randomName('app:');
        const base = Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e9);
        // Two keys share a creation time: the id breaks the tie.
        const mine = [0, 1, 1, 2, 3, 4].map((dt, i) => keyRecord({ principalId: principal, createdAt: base + dt, id: `key_${principal}_${i}` }));
        for (const k of mine) await store.keys.insert(k);
        await store.keys.revoke(mine[2]!.id, base);
        const expected = [...mine].sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1)).map((k) => k.id);

        const all = await collect((cursor) => store.keys.list({ includeRevoked: true, limit: 2, cursor }));
        const flat = all.flat();
        assert.equal(new Set(flat).size, flat.length, 'no key appears on two pages');
        assert.ok(all.slice(0, -1).every((p) => p.length === 2));
        assert.deepEqual(flat.filter((id) => expected.includes(id)), expected);

        const active = (await collect((cursor) => store.keys.list({ limit: 3, cursor }))).flat();
        assert.deepEqual(active.filter((id) => expected.includes(id)), expected.filter((id) => id !== mine[2]!.id));
      });

      it('rejects a forged cursor with RAMPART_INVALID_REQUEST', async () => {
        for (const cursor of ['not base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
          await assert.rejects(store.keys.list({ limit: 5, cursor }), (e) => isRampartError(e) && e.code === 'RAMPART_INVALID_REQUEST');
        }
      });
    });

    elevationContract(() => store);
    agentContract(() => store);

    describe('tool pins', () => {
      it('keeps the first pin of a key, reads it back, and clears by prefix', async () => {
        const k = randomName('tool-pin/p/');
        assert.equal(await store.pins.get(`${k}/a`), undefined);
        assert.equal(await store.pins.setIfAbsent(`${k}/a`, 'sha256:1'), 'sha256:1');
        assert.equal(await store.pins.setIfAbsent(`${k}/a`, 'sha256:2'), 'sha256:1', 'a later definition never overwrites the pin');
        const both = await Promise.all([store.pins.setIfAbsent(`${k}/b`, 'sha256:x'), store.pins.setIfAbsent(`${k}/b`, 'sha256:y')]);
        assert.equal(both[0], both[1], 'concurrent first sightings agree on one pin');
        assert.equal(await store.pins.get(`${k}/a`), 'sha256:1');
        assert.equal(await store.pins.clear(`${k}/`), 2);
        assert.equal(await store.pins.get(`${k}/a`), undefined);
        assert.equal(await store.pins.clear('tool-pin/%_'), 0, 'LIKE wildcards in a prefix match nothing');
      });

      it('clears exactly one key when asked to: search, not search_web', async () => {
        const k = randomName('tool-pin/p/');
        await store.pins.setIfAbsent(`${k}/search`, 'sha256:1');
        await store.pins.setIfAbsent(`${k}/search_web`, 'sha256:2');
        assert.equal(await store.pins.clear(`${k}/search`, true), 1);
        assert.equal(await store.pins.get(`${k}/search`), undefined);
        assert.equal(await store.pins.get(`${k}/search_web`), 'sha256:2');
      });
    });

    describe('audit events', () => {
      const append = async (chainId: string, events: AuditEvent[], from = { seq: 0, hash: GENESIS_HASH }) => {
        const stored = chainEvents(events, chainId, from);
        await store.audit.append(stored);
        return stored;
      };

      it('appends a run, reports the head, and reads the chain back in seq order', async () => {
        const chain = randomName('chain-');
        assert.equal(await store.audit.head(chain), null);
        const first = await append(chain, [auditEvent(), auditEvent({ details: null, reason: 'ok', code: 'X' })]);
        const second = await append(chain, [auditEvent({ promptTokens: null, completionTokens: null })], first.at(-1)!);
        const all = [...first, ...second];
        assert.deepEqual(await store.audit.head(chain), { seq: 3, hash: all[2]!.hash });
        assert.deepEqual(await store.audit.readChain(chain, 1, 100), all);
        assert.deepEqual(await store.audit.readChain(chain, 2, 1), [all[1]]);
        assert.ok((await store.audit.chains()).includes(chain));
      });

      it('refuses a taken seq with RAMPART_CONFLICT and writes none of that batch', async () => {
        const chain = randomName('chain-');
        await append(chain, [auditEvent(), auditEvent()]);
        const clash = chainEvents([auditEvent(), auditEvent(), auditEvent()], chain, { seq: 1, hash: 'x'.repeat(64) });
        await assert.rejects(store.audit.append(clash), (e) => isRampartError(e) && e.code === 'RAMPART_CONFLICT');
        assert.equal((await store.audit.readChain(chain, 1, 100)).length, 2);
      });

      it('chains and appends in one call (off the request thread on the embedded store), with the same hashes', async () => {
        const chain = randomName('chain-');
        // Text that a row format could split or unescape: tabs, line ends, backslashes, quotes, \\N, non-BMP.
        const awkward = 'tab\there\nline\r\nback\\slash \\N "quoted" \\t é 😀';
        const events = [
          auditEvent(),
          auditEvent({ details: { nested: { b: 1, a: [1, 'x'] }, awkward } }),
          auditEvent({ reason: awkward, code: null, upstream: null, promptTokens: null, completionTokens: null, latencyMs: 0.1 + 0.2, details: null }),
        ];
        const head = await store.audit.appendChained(events, chain, { seq: 0, hash: GENESIS_HASH });
        const expected = chainEvents(events, chain, { seq: 0, hash: GENESIS_HASH });
        assert.deepEqual(head, { seq: 3, hash: expected[2]!.hash });
        assert.deepEqual(await store.audit.readChain(chain, 1, 10), expected);
        const next = await store.audit.appendChained([auditEvent()], chain, head);
        assert.equal(next.seq, 4);
        await assert.rejects(store.audit.appendChained([auditEvent()], chain, head), (e) => isRampartError(e) && e.code === 'RAMPART_CONFLICT');
        assert.deepEqual(await store.audit.appendChained([], chain, next), next);
      });

      it('filters by every field and pages newest first', async () => {
        const deployment = randomName('dep-');
        const t0 = Date.UTC(2026, 5, 1);
        const events = Array.from({ length: 9 }, (_, i) =>
          auditEvent({
            deployment,
            time: t0 + Math.floor(i / 2) * 1000, // pairs share a time: (chain, seq) breaks the tie
            principalId: i % 3 === 0 ? 'user:bob' : 'user:carol',
            action: i % 2 === 0 ? 'chat.completions' : 'embeddings',
            decision: i === 4 ? 'deny' : i === 5 ? 'error' : 'allow',
            status: i === 4 ? 403 : i === 5 ? 502 : 200,
            requestId: `req-${deployment}-${i}`,
          }),
        );
        await append(randomName('chain-a-'), events.slice(0, 5));
        await append(randomName('chain-b-'), events.slice(5));
        const byDesc = (list: StoredAuditEvent[]) => [...list].sort((a, b) => b.time - a.time || (a.chainId < b.chainId ? 1 : a.chainId > b.chainId ? -1 : b.seq - a.seq));
        const ids = async (f: Omit<AuditFilter, 'limit'>) => (await collect((cursor) => store.audit.list({ ...f, deployment, limit: 2, cursor }))).flat();
        // Expected order: newest first; the (time, chainId, seq) order of the stored rows.
        const storedAll = await store.audit.list({ deployment, limit: 100 });
        assert.equal(storedAll.items.length, 9);
        assert.deepEqual(storedAll.items.map((e) => e.id), byDesc(storedAll.items).map((e) => e.id));
        const order = storedAll.items.map((e) => e.id);
        const check = async (f: Omit<AuditFilter, 'limit'>, pred: (e: AuditEvent) => boolean) => {
          const want = new Set(events.filter(pred).map((e) => e.id));
          assert.deepEqual(await ids(f), order.filter((id) => want.has(id)), JSON.stringify(f));
        };
        await check({}, () => true);
        await check({ from: t0 + 1000, to: t0 + 3000 }, (e) => e.time >= t0 + 1000 && e.time < t0 + 3000);
        await check({ principalId: 'user:bob' }, (e) => e.principalId === 'user:bob');
        await check({ action: 'embeddings' }, (e) => e.action === 'embeddings');
        await check({ decision: 'deny' }, (e) => e.decision === 'deny');
        await check({ status: 502 }, (e) => e.status === 502);
        await check({ requestId: `req-${deployment}-7` }, (e) => e.requestId === `req-${deployment}-7`);
        await check({ principalId: 'user:carol', action: 'chat.completions' }, (e) => e.principalId === 'user:carol' && e.action === 'chat.completions');
        assert.deepEqual(await ids({ principalId: 'user:nobody' }), []);
      });

      it('rejects a forged cursor with RAMPART_INVALID_REQUEST', async () => {
        const cursor = Buffer.from('["1", "c", 1]').toString('base64url');
        await assert.rejects(store.audit.list({ limit: 5, cursor }), (e) => isRampartError(e) && e.code === 'RAMPART_INVALID_REQUEST');
      });

      it('clamps the page size', async () => {
        const page = await store.audit.list({ limit: 0, deployment: randomName('none-') });
        assert.deepEqual(page, { items: [], nextCursor: null });
      });

      it('serves the newest-first lists from ascending indexes read backwards, never a sort of the table', async () => {
        // The plan the lists get once the tables are large: with sequential scans and sorts priced
        // out, a list whose order no index gives would still show a Sort node.
        const plans = await store.sql.transaction(async (tx) => {
          await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off');
          const explain = async (q: string) => (await tx.query<Record<string, string>>(`EXPLAIN ${q}`)).rows.map((r) => Object.values(r)[0]).join('\n');
          return {
            audit: await explain(`SELECT * FROM audit_events WHERE (time, chain_id, seq) < (1, 'c', 1) ORDER BY time DESC, chain_id DESC, seq DESC LIMIT 51`),
            byPrincipal: await explain(`SELECT * FROM audit_events WHERE principal_id = 'p' ORDER BY time DESC LIMIT 51`),
            detections: await explain(`SELECT * FROM detections WHERE (time, id) < (1, 'd') ORDER BY time DESC, id DESC LIMIT 51`),
            byCategory: await explain(`SELECT * FROM detections WHERE category = 'pii' ORDER BY time DESC LIMIT 51`),
          };
        });
        assert.match(plans.audit, /Index Scan Backward using audit_events_time_idx/);
        assert.match(plans.byPrincipal, /Index Scan Backward using audit_events_principal_idx/);
        assert.match(plans.detections, /Index Scan Backward using detections_time_idx/);
        assert.match(plans.byCategory, /Index Scan Backward using detections_category_idx/);
        for (const plan of Object.values(plans)) assert.doesNotMatch(plan, /Sort/);
      });
    });
  });
}
