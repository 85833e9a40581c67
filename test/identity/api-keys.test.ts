import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import { Secret } from '../../src/core/secret.ts';
import { generateApiKey, hashSecret, parseApiKey } from '../../src/identity/api-key-format.ts';
import { ApiKeyService } from '../../src/identity/api-keys.ts';
import { MemoryKeyRepo } from '../support/memory-key-repo.ts';

const HOUR = 3_600_000;

function setup(settings: ConstructorParameters<typeof ApiKeyService>[0]['settings'] = {}) {
  const clock = new ManualClock();
  const repo = new MemoryKeyRepo();
  // lastUsedFlushMs is at least 100 in config; tests flush by hand, so no timer here.
  const keys = new ApiKeyService({ repo, clock, settings: { lastUsedFlushMs: 0, ...settings } });
  return { clock, repo, keys };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<RampartError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RampartError, `expected a RampartError, got ${String(e)}`);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** Changes one character of the secret part but recomputes nothing: what a typo does. */
function typo(key: string): string {
  const i = 20;
  return key.slice(0, i) + (key[i] === 'A' ? 'B' : 'A') + key.slice(i + 1);
}

describe('API key format', () => {
  it('has a recognisable prefix, a 12-char id, 256 bits of secret and a checksum', () => {
    const { id, plaintext } = generateApiKey();
    const key = plaintext.reveal();
    assert.match(key, /^rk_[0-9a-z]{12}_[A-Za-z0-9_-]{49}$/);
    const parsed = parseApiKey(key);
    assert.equal(parsed.id, id);
    assert.equal(Buffer.from(parsed.secret, 'base64url').length, 32);
  });

  it('rejects a typo by its checksum, without any store read', async () => {
    const { keys, repo } = setup();
    const { plaintext } = await keys.create({ name: 'ci', roles: ['model-user'], createdBy: 'test' });
    const err = await rejectsWith(keys.verify(typo(plaintext.reveal())), 'RAMPART_AUTH_INVALID_KEY');
    assert.match(err.message, /checksum/);
    assert.equal(repo.gets, 0);
  });

  it('rejects a malformed key as malformed', async () => {
    const { keys } = setup();
    await rejectsWith(keys.verify('rk_short'), 'RAMPART_AUTH_MALFORMED');
    await rejectsWith(keys.verify(`rk_${'a'.repeat(200)}`), 'RAMPART_AUTH_MALFORMED');
  });
});

describe('ApiKeyService', () => {
  it('create returns the plaintext once and stores only the hash of its secret', async () => {
    const { keys, repo } = setup();
    const { record, plaintext } = await keys.create({ name: 'ci', roles: ['model-user'], createdBy: 'admin' });
    const key = plaintext.reveal();
    const { secret } = parseApiKey(key);
    const stored = repo.dump();
    assert.ok(!stored.includes(key));
    assert.ok(!stored.includes(secret));
    assert.ok(stored.includes(hashSecret(secret)));
    assert.ok(!('secretHash' in record), 'the returned record has no hash');
    assert.equal(record.principalId, `key:${record.id}`);
    assert.equal(record.status, 'active');
    const again = await keys.get(record.id);
    assert.ok(again !== null && !JSON.stringify(again).includes(key));
  });

  it('verifies a valid key and returns its principal', async () => {
    const { keys } = setup();
    const { record, plaintext } = await keys.create({
      name: 'svc',
      principalKind: 'agent',
      roles: ['model-user', 'model-user', 'reader'],
      createdBy: null,
    });
    const p = await keys.verify(plaintext);
    assert.deepEqual(
      { id: p.id, kind: p.kind, roles: p.roles, groups: p.groups, authMethod: p.authMethod, apiKeyId: p.apiKeyId },
      { id: `key:${record.id}`, kind: 'agent', roles: ['model-user', 'reader'], groups: [], authMethod: 'api-key', apiKeyId: record.id },
    );
    // Also accepts the plain string, as read from a header.
    assert.equal((await keys.verify(plaintext.reveal())).id, p.id);
  });

  it('binds a key to another principal id when asked', async () => {
    const { keys } = setup();
    const { record, plaintext } = await keys.create({
      name: 'alice laptop',
      principalId: 'oidc:https://idp.example.com#alice',
      principalKind: 'user',
      roles: ['model-user'],
      createdBy: 'oidc:https://idp.example.com#alice',
    });
    const p = await keys.verify(plaintext);
    assert.equal(p.id, 'oidc:https://idp.example.com#alice');
    assert.equal(p.apiKeyId, record.id);
  });

  it("refuses principal ids in Rampart's own key: namespace", async () => {
    const { keys } = setup();
    await rejectsWith(keys.create({ name: 'x', principalId: 'key:abc', roles: [], createdBy: null }), 'RAMPART_INVALID_REQUEST');
  });

  it('validates create input field by field', async () => {
    const { keys } = setup();
    const err = await rejectsWith(keys.create({ name: 'x', roles: ['bad role!'], createdBy: null }), 'RAMPART_INVALID_REQUEST');
    assert.equal(err.param, 'roles[0]', 'the path as config errors and the gateway write it');
    await rejectsWith(keys.create({ name: 'line\nbreak', roles: [], createdBy: null }), 'RAMPART_INVALID_REQUEST');
    await rejectsWith(keys.create({ name: '', roles: [], createdBy: null }), 'RAMPART_INVALID_REQUEST');
    await rejectsWith(
      keys.create({ name: 'x', roles: [], createdBy: null, principalKind: 'root' as 'user' }),
      'RAMPART_INVALID_REQUEST',
    );
  });

  it('rejects a wrong secret for an existing id with the same error as an unknown id', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ name: 'ci', roles: [], createdBy: null });
    // A well-formed key (valid checksum) with the right id but another secret.
    const forged = generateApiKey(record.id).plaintext;
    const wrong = await rejectsWith(keys.verify(forged), 'RAMPART_AUTH_INVALID_KEY');
    const unknown = await rejectsWith(keys.verify(generateApiKey().plaintext), 'RAMPART_AUTH_INVALID_KEY');
    assert.equal(wrong.message, unknown.message);
  });

  it('refuses a revoked key at once, even while its record is cached', async () => {
    const { keys, repo } = setup({ cacheTtlMs: 60_000 });
    const { record, plaintext } = await keys.create({ name: 'ci', roles: [], createdBy: null });
    await keys.verify(plaintext);
    await keys.verify(plaintext);
    assert.equal(repo.gets, 1, 'second verify is served from the cache');
    assert.equal(await keys.revoke(record.id), true);
    await rejectsWith(keys.verify(plaintext), 'RAMPART_AUTH_KEY_REVOKED');
    assert.equal(await keys.revoke(record.id), true, 'revoking twice is fine');
    assert.equal(await keys.revoke('0000000000zz'), false);
    assert.equal((await keys.get(record.id))?.status, 'revoked');
  });

  it('does not let a store read that raced a revocation answer later verifications', async () => {
    const { keys, repo } = setup({ cacheTtlMs: 60_000 });
    const { record, plaintext } = await keys.create({ name: 'ci', roles: [], createdBy: null });
    const realGet = repo.get.bind(repo);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first read sees the key before the revocation, but answers only after it.
    repo.get = async (id) => {
      const rec = await realGet(id);
      await gate;
      return rec;
    };
    const inFlight = keys.verify(plaintext);
    repo.get = realGet;
    await keys.revoke(record.id);
    const after = keys.verify(plaintext); // starts after the revocation, while the old read is pending
    release();
    // Started before the revocation: may succeed, or see the newer record.
    await inFlight.catch((e: unknown) => assert.equal((e as RampartError).code, 'RAMPART_AUTH_KEY_REVOKED'));
    await rejectsWith(after, 'RAMPART_AUTH_KEY_REVOKED');
    await rejectsWith(keys.verify(plaintext), 'RAMPART_AUTH_KEY_REVOKED');
  });

  it('refuses an expired key', async () => {
    const { keys, clock } = setup();
    const { plaintext } = await keys.create({ name: 'ci', roles: [], createdBy: null, expiresAt: clock.now() + HOUR });
    await keys.verify(plaintext);
    clock.advance(HOUR);
    await rejectsWith(keys.verify(plaintext), 'RAMPART_AUTH_KEY_EXPIRED');
  });

  it('refuses an expiry in the past or beyond the maximum lifetime, and applies the maximum by default', async () => {
    const { keys, clock } = setup({ maxLifetimeDays: 30 });
    await rejectsWith(keys.create({ name: 'x', roles: [], createdBy: null, expiresAt: clock.now() - 1 }), 'RAMPART_INVALID_REQUEST');
    await rejectsWith(
      keys.create({ name: 'x', roles: [], createdBy: null, expiresAt: clock.now() + 31 * 24 * HOUR }),
      'RAMPART_INVALID_REQUEST',
    );
    const { record } = await keys.create({ name: 'x', roles: [], createdBy: null });
    assert.equal(record.expiresAt, clock.now() + 30 * 24 * HOUR);
  });

  it('rotation keeps the old key valid until the overlap ends, then expires it', async () => {
    const { keys, clock } = setup({ rotationOverlapHours: 24 });
    const old = await keys.create({ name: 'ci', roles: ['model-user'], createdBy: null });
    await keys.verify(old.plaintext); // warm the cache: rotation must still take effect
    const next = await keys.rotate(old.record.id, { createdBy: 'admin' });
    assert.notEqual(next.record.id, old.record.id);
    assert.equal(next.record.rotatedFrom, old.record.id);
    assert.equal(next.previous.expiresAt, clock.now() + 24 * HOUR);
    const pNew = await keys.verify(next.plaintext);
    const pOld = await keys.verify(old.plaintext);
    assert.equal(pNew.id, pOld.id, 'the rotated key stays the same principal');
    assert.deepEqual(pNew.roles, ['model-user']);
    clock.advance(24 * HOUR - 1);
    await keys.verify(old.plaintext);
    clock.advance(1);
    await rejectsWith(keys.verify(old.plaintext), 'RAMPART_AUTH_KEY_EXPIRED');
    await keys.verify(next.plaintext);
  });

  it('rotation with no overlap ends the old key at once; the successor keeps the lifetime length', async () => {
    const { keys, clock } = setup();
    const old = await keys.create({ name: 'ci', roles: [], createdBy: null, expiresAt: clock.now() + 10 * HOUR });
    clock.advance(4 * HOUR);
    const next = await keys.rotate(old.record.id, { overlapMs: 0 });
    await rejectsWith(keys.verify(old.plaintext), 'RAMPART_AUTH_KEY_EXPIRED');
    assert.equal(next.record.expiresAt, clock.now() + 10 * HOUR);
  });

  it('a revocation that lands while a rotation runs wins: no successor outlives the revoked key', async () => {
    const { keys, repo } = setup();
    const old = await keys.create({ name: 'ci', roles: [], createdBy: null });
    // The revocation arrives between the successor's insert and the old key's new expiry.
    const insert = repo.insert.bind(repo);
    let successor = '';
    repo.insert = async (rec) => {
      await insert(rec);
      successor = rec.id;
      await keys.revoke(old.record.id);
    };
    await rejectsWith(keys.rotate(old.record.id, { overlapMs: HOUR }), 'RAMPART_CONFLICT');
    assert.notEqual((await repo.get(successor))?.revokedAt, null, 'the successor is revoked too');
    await rejectsWith(keys.verify(old.plaintext), 'RAMPART_AUTH_KEY_REVOKED');
  });

  it('rotation never extends the old key beyond its own expiry', async () => {
    const { keys, clock } = setup();
    const old = await keys.create({ name: 'ci', roles: [], createdBy: null, expiresAt: clock.now() + HOUR });
    const next = await keys.rotate(old.record.id, { overlapMs: 48 * HOUR });
    assert.equal(next.previous.expiresAt, clock.now() + HOUR);
  });

  it('refuses to rotate a revoked, expired or unknown key', async () => {
    const { keys, clock } = setup();
    const a = await keys.create({ name: 'a', roles: [], createdBy: null });
    await keys.revoke(a.record.id);
    await rejectsWith(keys.rotate(a.record.id), 'RAMPART_CONFLICT');
    const b = await keys.create({ name: 'b', roles: [], createdBy: null, expiresAt: clock.now() + 1000 });
    clock.advance(1000);
    await rejectsWith(keys.rotate(b.record.id), 'RAMPART_CONFLICT');
    await rejectsWith(keys.rotate('0000000000zz'), 'RAMPART_NOT_FOUND');
    await rejectsWith(keys.rotate('not an id'), 'RAMPART_NOT_FOUND');
  });

  it('collects last-used times in memory and writes them in one batch', async () => {
    const { keys, repo, clock } = setup();
    const a = await keys.create({ name: 'a', roles: [], createdBy: null });
    const b = await keys.create({ name: 'b', roles: [], createdBy: null });
    await keys.verify(a.plaintext);
    clock.advance(5_000);
    await keys.verify(a.plaintext);
    await keys.verify(b.plaintext);
    assert.equal(repo.touches, 0, 'verification never writes to the store');
    assert.equal((await keys.get(a.record.id))?.lastUsedAt, clock.now(), 'pending times show in reads');
    await keys.flushLastUsed();
    assert.equal(repo.touches, 1);
    const stored = JSON.parse(repo.dump()) as { id: string; lastUsedAt: number }[];
    assert.deepEqual(
      stored.map((r) => r.lastUsedAt),
      [clock.now(), clock.now()],
    );
    await keys.flushLastUsed();
    assert.equal(repo.touches, 1, 'nothing pending, nothing written');
  });

  it('keeps last-used times when a flush fails and writes them next time', async () => {
    const { keys, repo, clock } = setup();
    const warnings: string[] = [];
    const failing = new ApiKeyService({
      repo,
      clock,
      settings: { lastUsedFlushMs: 0 },
      logger: { warn: (_o, msg) => warnings.push(msg) },
    });
    const a = await keys.create({ name: 'a', roles: [], createdBy: null });
    await failing.verify(a.plaintext);
    const touch = repo.touch.bind(repo);
    repo.touch = async () => {
      throw new Error('store down');
    };
    await failing.flushLastUsed();
    assert.equal(warnings.length, 1);
    repo.touch = touch;
    await failing.flushLastUsed();
    assert.equal((await repo.get(a.record.id))?.lastUsedAt, clock.now());
  });

  it('lists keys without their hashes, newest first, with status', async () => {
    const { keys, clock } = setup();
    const a = await keys.create({ name: 'a', roles: [], createdBy: null });
    clock.advance(1);
    const b = await keys.create({ name: 'b', roles: [], createdBy: null });
    await keys.revoke(a.record.id);
    const active = await keys.list();
    assert.deepEqual(active.items.map((k) => k.id), [b.record.id]);
    const all = await keys.list({ includeRevoked: true, limit: 1 });
    assert.deepEqual(all.items.map((k) => [k.id, k.status]), [[b.record.id, 'active']]);
    const rest = await keys.list({ includeRevoked: true, limit: 1, cursor: all.nextCursor });
    assert.deepEqual(rest.items.map((k) => [k.id, k.status]), [[a.record.id, 'revoked']]);
    assert.ok(!JSON.stringify([all, rest]).includes('secretHash'));
    await rejectsWith(keys.list({ limit: 0 }), 'RAMPART_INVALID_REQUEST');
  });

  it('never shows the plaintext in JSON, inspect, template strings, records or errors', async () => {
    const { keys } = setup();
    const issued = await keys.create({ name: 'ci', roles: [], createdBy: null });
    const key = issued.plaintext.reveal();
    const errs: unknown[] = [];
    for (const attempt of [typo(key), key.slice(0, -1), `${key}x`]) {
      try {
        await keys.verify(attempt);
      } catch (e) {
        errs.push(e);
      }
    }
    await keys.revoke(issued.record.id);
    try {
      await keys.verify(issued.plaintext);
    } catch (e) {
      errs.push(e);
    }
    assert.equal(errs.length, 4);
    const { secret } = parseApiKey(key);
    const idAndSecret = secret.slice(0, 16);
    const renderings = [
      JSON.stringify(issued),
      inspect(issued, { depth: 10 }),
      `${issued.plaintext}`,
      String(new Secret(key)),
      ...errs.flatMap((e) => [JSON.stringify(e), inspect(e, { depth: 10 }), String(e), (e as Error).message]),
    ];
    for (const r of renderings) assert.ok(!r.includes(idAndSecret), `leaked in: ${r.slice(0, 200)}`);
  });

  it('closes by writing pending last-used times', async () => {
    const { repo, clock } = setup();
    const keys = new ApiKeyService({ repo, clock, settings: { lastUsedFlushMs: 60_000 } });
    const a = await keys.create({ name: 'a', roles: [], createdBy: null });
    await keys.verify(a.plaintext);
    await keys.close();
    assert.equal((await repo.get(a.record.id))?.lastUsedAt, clock.now());
  });
});
