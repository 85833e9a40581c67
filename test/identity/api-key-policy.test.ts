/**
 * auth.apiKeyPolicy: lifetime rules refused (never clamped) at creation and rotation, network
 * binding on use (per key and for every key), and the hygiene report.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import { ApiKeyService } from '../../src/identity/api-keys.ts';
import { MemoryKeyRepo } from '../support/memory-key-repo.ts';

const DAY = 86_400_000;

function setup(policy: ConstructorParameters<typeof ApiKeyService>[0]['policy'] = {}) {
  const clock = new ManualClock();
  const repo = new MemoryKeyRepo();
  const keys = new ApiKeyService({ repo, clock, settings: { lastUsedFlushMs: 0 }, policy });
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

describe('API key lifetime policy', () => {
  it('refuses a key without expiry when maxLifetimeDays is set, saying why', async () => {
    const { keys } = setup({ maxLifetimeDays: 90 });
    const err = await rejectsWith(keys.create({ name: 'ci', roles: [], createdBy: null }), 'RAMPART_KEY_POLICY');
    assert.match(err.detail ?? '', /within 90 days/);
    assert.equal(err.status, 400);
  });

  it('refuses a key that would outlive maxLifetimeDays instead of clamping it', async () => {
    const { keys, clock } = setup({ maxLifetimeDays: 90 });
    await rejectsWith(keys.create({ name: 'ci', roles: [], createdBy: null, expiresAt: clock.now() + 91 * DAY }), 'RAMPART_KEY_POLICY');
    const ok = await keys.create({ name: 'ci', roles: [], createdBy: null, expiresAt: clock.now() + 90 * DAY });
    assert.equal(ok.record.expiresAt, clock.now() + 90 * DAY);
  });

  it('requireExpiry refuses keys without expiry but allows any length', async () => {
    const { keys, clock } = setup({ requireExpiry: true });
    await rejectsWith(keys.create({ name: 'ci', roles: [], createdBy: null }), 'RAMPART_KEY_POLICY');
    await keys.create({ name: 'ci', roles: [], createdBy: null, expiresAt: clock.now() + 3000 * DAY });
  });

  it('applies the policy to rotation: a key without expiry needs one to be rotated', async () => {
    const lax = setup();
    const old = await lax.keys.create({ name: 'ci', roles: [], createdBy: null });
    const strict = new ApiKeyService({ repo: lax.repo, clock: lax.clock, settings: { lastUsedFlushMs: 0 }, policy: { maxLifetimeDays: 30 } });
    await rejectsWith(strict.rotate(old.record.id), 'RAMPART_KEY_POLICY');
    const next = await strict.rotate(old.record.id, { expiresAt: lax.clock.now() + 30 * DAY });
    assert.equal(next.record.expiresAt, lax.clock.now() + 30 * DAY);
  });
});

describe('API key network binding', () => {
  it('refuses a bound key from outside its networks with RAMPART_AUTH_KEY_NETWORK, after the secret check', async () => {
    const { keys } = setup();
    const { plaintext, record } = await keys.create({ name: 'ci', roles: [], createdBy: null, allowedNetworks: ['10.0.0.0/8', '2001:db8::/32'] });
    assert.deepEqual(record.allowedNetworks, ['10.0.0.0/8', '2001:db8::/32']);
    const p = await keys.verify(plaintext, { sourceIp: '10.1.2.3' });
    assert.equal(p.apiKeyId, record.id);
    await keys.verify(plaintext, { sourceIp: '::ffff:10.9.9.9' });
    await keys.verify(plaintext, { sourceIp: '2001:db8::7' });
    const err = await rejectsWith(keys.verify(plaintext, { sourceIp: '192.168.1.1' }), 'RAMPART_AUTH_KEY_NETWORK');
    assert.equal(err.status, 403);
    await rejectsWith(keys.verify(plaintext, { sourceIp: null }), 'RAMPART_AUTH_KEY_NETWORK');
    await rejectsWith(keys.verify(plaintext), 'RAMPART_AUTH_KEY_NETWORK');
  });

  it('an unbound key works from anywhere unless the policy names networks for every key', async () => {
    const free = setup();
    const a = await free.keys.create({ name: 'a', roles: [], createdBy: null });
    await free.keys.verify(a.plaintext, { sourceIp: '203.0.113.5' });
    const fenced = setup({ allowedNetworks: ['192.168.0.0/16'] });
    const b = await fenced.keys.create({ name: 'b', roles: [], createdBy: null, allowedNetworks: ['192.168.7.0/24'] });
    const c = await fenced.keys.create({ name: 'c', roles: [], createdBy: null });
    await fenced.keys.verify(c.plaintext, { sourceIp: '192.168.1.1' });
    await rejectsWith(fenced.keys.verify(c.plaintext, { sourceIp: '203.0.113.5' }), 'RAMPART_AUTH_KEY_NETWORK');
    await fenced.keys.verify(b.plaintext, { sourceIp: '192.168.7.9' });
    await rejectsWith(fenced.keys.verify(b.plaintext, { sourceIp: '192.168.1.1' }), 'RAMPART_AUTH_KEY_NETWORK');
  });

  it('refuses malformed networks at creation', async () => {
    const { keys } = setup();
    for (const bad of [['10.0.0.0/33'], ['not-an-ip'], ['10.0.0.0/8/1'], []]) {
      await rejectsWith(keys.create({ name: 'x', roles: [], createdBy: null, allowedNetworks: bad }), 'RAMPART_INVALID_REQUEST');
    }
  });

  it('keeps the binding when the key is rotated', async () => {
    const { keys } = setup();
    const old = await keys.create({ name: 'ci', roles: [], createdBy: null, allowedNetworks: ['10.0.0.0/8'] });
    const next = await keys.rotate(old.record.id);
    await rejectsWith(keys.verify(next.plaintext, { sourceIp: '8.8.8.8' }), 'RAMPART_AUTH_KEY_NETWORK');
  });
});

describe('API key hygiene report', () => {
  it('lists unused, never used, expiring, expired and expiry-less keys, and leaves revoked ones out', async () => {
    const { keys, clock } = setup({ warnUnusedDays: 30, warnExpiringDays: 7 });
    const t0 = clock.now();
    const used = await keys.create({ name: 'used', roles: [], createdBy: null, expiresAt: t0 + 365 * DAY });
    const stale = await keys.create({ name: 'stale', roles: [], createdBy: null, expiresAt: t0 + 365 * DAY });
    const neverUsed = await keys.create({ name: 'never', roles: [], createdBy: null, expiresAt: t0 + 365 * DAY });
    const expiring = await keys.create({ name: 'expiring', roles: [], createdBy: null, expiresAt: t0 + 45 * DAY });
    const expired = await keys.create({ name: 'expired', roles: [], createdBy: null, expiresAt: t0 + 10 * DAY });
    const forever = await keys.create({ name: 'forever', roles: [], createdBy: null });
    const revoked = await keys.create({ name: 'revoked', roles: [], createdBy: null });
    await keys.revoke(revoked.record.id);
    await keys.verify(stale.plaintext);
    await keys.flushLastUsed();
    clock.advance(40 * DAY);
    await keys.verify(used.plaintext);
    await keys.verify(expiring.plaintext);
    await keys.verify(forever.plaintext);

    const report = await keys.hygiene();
    const byName = new Map(report.items.map((i) => [i.key.name, [...i.reasons]]));
    assert.equal(report.unusedDays, 30);
    assert.equal(byName.has('used'), false, 'recently used (not yet flushed) keys are not unused');
    assert.deepEqual(byName.get('stale'), ['unused']);
    assert.deepEqual(byName.get('never'), ['never-used']);
    assert.deepEqual(byName.get('expiring'), ['expiring']);
    assert.deepEqual(byName.get('expired'), ['never-used', 'expired']);
    assert.deepEqual(byName.get('forever'), ['no-expiry']);
    assert.equal(byName.has('revoked'), false);
    assert.ok(report.items.every((i) => !('secretHash' in i.key)));
    void neverUsed;
    void expired;

    const wider = await keys.hygiene({ unusedDays: 60, expiringDays: 400 });
    assert.deepEqual(new Map(wider.items.map((i) => [i.key.name, [...i.reasons]])).get('stale'), ['expiring']);
  });
});
