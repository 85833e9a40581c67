/**
 * Refresh-ahead of the request path's store-backed caches (API key records, agent lookups, the
 * model deploy gate): an entry in use is read again in the background before it expires, so calls
 * keep being served from the cache instead of all waiting for the store at expiry; what another
 * instance changed in the store is still seen within the cache time, and nothing is served past
 * its expiry. The store here can be held (a slow store) or made to fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { RampartError } from '../../src/core/errors.ts';
import type { Principal } from '../../src/core/principal.ts';
import { modelsConfigSchema } from '../../src/config/models.ts';
import { AgentService } from '../../src/identity/agents.ts';
import { ApiKeyService } from '../../src/identity/api-keys.ts';
import { TtlCache } from '../../src/identity/ttl-cache.ts';
import { ModelGate } from '../../src/models/deploy-gate.ts';
import type { AgentRecord, AgentRepo, ApiKeyRecord, ModelRecord, ModelRepo } from '../../src/store/types.ts';
import { MemoryKeyRepo } from '../support/memory-key-repo.ts';

/** A gate the store's reads wait on until `open()`. */
class Valve {
  #open: (() => void) | null = null;
  #wait: Promise<void> | null = null;
  hold(): void {
    this.#wait = new Promise((resolve) => (this.#open = resolve));
  }
  open(): void {
    this.#open?.();
    this.#wait = null;
  }
  async pass(): Promise<void> {
    if (this.#wait) await this.#wait;
  }
}

class SlowKeyRepo extends MemoryKeyRepo {
  readonly valve = new Valve();
  fail = false;
  override async get(id: string): Promise<ApiKeyRecord | null> {
    await this.valve.pass();
    if (this.fail) throw new RampartError('RAMPART_STORE_UNAVAILABLE');
    return super.get(id);
  }
}

/** Lets queued promise callbacks run (the background reads settle). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** True when `p` is still pending after pending callbacks ran. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  return !done;
}

describe('TtlCache refresh-ahead', () => {
  it('asks for a refresh once past the refresh time, never before, and serves nothing past expiry', () => {
    const clock = new ManualClock(1_000);
    const cache = new TtlCache<string, number>(10, clock);
    const asked: string[] = [];
    const ask = (k: string) => asked.push(k);
    cache.set('a', 1, 2_000, 1_800);
    assert.equal(cache.get('a', ask), 1);
    clock.set(1_799);
    assert.equal(cache.get('a', ask), 1);
    assert.deepEqual(asked, []);
    clock.set(1_800);
    assert.equal(cache.get('a', ask), 1);
    assert.equal(cache.get('a', ask), 1);
    assert.deepEqual(asked, ['a'], 'asked once for the entry');
    clock.set(2_000);
    assert.equal(cache.get('a', ask), undefined, 'expired: gone, whatever the refresh did');
    // A new entry for the key may be asked about again.
    cache.set('a', 2, 3_000, 2_500);
    clock.set(2_600);
    assert.equal(cache.get('a', ask), 2);
    assert.deepEqual(asked, ['a', 'a']);
    // Without a refresh time, an entry is never due before it expires.
    cache.set('b', 3, 4_000);
    clock.set(3_999);
    assert.equal(cache.get('b', ask), 3);
    assert.deepEqual(asked, ['a', 'a']);
  });
});

describe('TtlCache eviction', () => {
  const keys = (cache: TtlCache<string, number>) => ['a', 'b', 'c', 'd', 'e'].filter((k) => cache.get(k) !== undefined);

  it('keeps entries read since they were last passed over, evicting the oldest unread one', () => {
    const cache = new TtlCache<string, number>(3, new ManualClock(0));
    for (const k of ['a', 'b', 'c']) cache.set(k, 1, 1_000);
    cache.get('a');
    cache.set('d', 1, 1_000); // full: 'a' was read (second chance), 'b' was not
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined, 'the oldest unread entry went');
    assert.equal(cache.get('a'), 1, 'the read entry stayed');
    assert.equal(cache.get('c'), 1);
  });

  it('stays bounded when every entry is read, evicting the oldest after passing over all of them', () => {
    const cache = new TtlCache<string, number>(3, new ManualClock(0));
    for (const k of ['a', 'b', 'c']) cache.set(k, 1, 1_000);
    assert.deepEqual(keys(cache), ['a', 'b', 'c']); // reads all three
    cache.set('d', 1, 1_000);
    assert.equal(cache.size, 3);
    // Every mark was cleared on the way: 'a' (oldest) went, and the next insert takes the next oldest.
    cache.set('e', 1, 1_000);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('c'), 1);
  });

  it('a flood of new keys (unknown key ids, say) stays bounded and does not push out a key in steady use', () => {
    const cache = new TtlCache<string, number>(64, new ManualClock(0));
    cache.set('hot', 1, 1_000);
    for (let i = 0; i < 10_000; i++) {
      cache.set(`flood-${i}`, i, 1_000);
      if (i % 32 === 0) assert.equal(cache.get('hot'), 1, `the hot key is still cached after ${i} inserts`);
      assert.ok(cache.size <= 64);
    }
    assert.equal(cache.get('flood-0'), undefined, 'the flood evicts its own oldest entries');
    assert.equal(cache.get('flood-9999'), 9_999);
  });

  it('with room for none stores nothing', () => {
    const cache = new TtlCache<string, number>(0, new ManualClock(0));
    cache.set('a', 1, 1_000);
    assert.equal(cache.size, 0);
    assert.equal(cache.get('a'), undefined);
  });
});

describe('API key records: refresh-ahead', () => {
  async function setup() {
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 12, 0, 0));
    const repo = new SlowKeyRepo();
    const warnings: string[] = [];
    const keys = new ApiKeyService({ repo, clock, settings: { lastUsedFlushMs: 0, cacheTtlMs: 2_000 }, logger: { warn: (_o, msg) => warnings.push(msg) } });
    const issued = await keys.create({ name: 'ci', roles: ['model-user'], createdBy: 'test' });
    return { clock, repo, keys, issued, key: issued.plaintext.reveal(), warnings };
  }

  it('keeps answering from the cache while a slow store read refreshes it, and no call waits for it', async () => {
    const { clock, repo, keys, key } = await setup();
    await keys.verify(key);
    assert.equal(repo.gets, 1);
    clock.advance(1_500); // before the refresh time (80 % of 2 s)
    await keys.verify(key);
    assert.equal(repo.gets, 1);
    repo.valve.hold();
    clock.advance(200); // 1.7 s: due
    const calls = Array.from({ length: 20 }, () => keys.verify(key));
    for (const c of calls) assert.equal(await pending(c), false, 'served from the cache, not queued behind the read');
    assert.equal(repo.gets, 1, 'the held read has not reached the store yet');
    repo.valve.open();
    await settle();
    assert.equal(repo.gets, 2, 'one background read for twenty calls');
    // The refreshed record lives 2 s from its read: past the old expiry, still no store read.
    clock.advance(1_000); // 2.7 s from the first read
    await keys.verify(key);
    assert.equal(repo.gets, 2);
  });

  it('sees a revocation made by another instance within the cache time', async () => {
    const { clock, repo, keys, issued, key } = await setup();
    await keys.verify(key);
    await repo.revoke(issued.record.id, clock.now()); // straight in the store: another instance
    clock.advance(1_700);
    await keys.verify(key); // still cached (as before this change), starts the refresh
    await settle();
    await assert.rejects(keys.verify(key), (e: RampartError) => e.code === 'RAMPART_AUTH_KEY_REVOKED');
  });

  it('when the background read fails, serves the entry until it expires, then fails closed', async () => {
    const { clock, repo, keys, key, warnings } = await setup();
    await keys.verify(key);
    repo.fail = true;
    clock.advance(1_700);
    await keys.verify(key);
    await settle();
    assert.match(warnings.join('\n'), /refresh failed/);
    clock.advance(200); // 1.9 s: cached still
    await keys.verify(key);
    clock.advance(100); // 2.0 s: expired, the store is down
    await assert.rejects(keys.verify(key), (e: RampartError) => e.code === 'RAMPART_STORE_UNAVAILABLE');
  });

  it('a read that started before a revocation on this instance does not refresh the entry', async () => {
    const { clock, repo, keys, issued, key } = await setup();
    await keys.verify(key);
    repo.valve.hold();
    clock.advance(1_700);
    await keys.verify(key); // starts the held refresh, which will read the key as active
    await keys.revoke(issued.record.id);
    repo.valve.open();
    await settle();
    await assert.rejects(keys.verify(key), (e: RampartError) => e.code === 'RAMPART_AUTH_KEY_REVOKED');
  });
});

describe('agent lookups: refresh-ahead', () => {
  it('serves the cached lookup while reading again, and picks up a suspension made elsewhere', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 12, 0, 0));
    const valve = new Valve();
    let record: AgentRecord = { id: 'agt_1', status: 'active', expiresAt: null } as unknown as AgentRecord;
    let reads = 0;
    const repo = {
      findByIdentity: async () => {
        reads++;
        await valve.pass();
        return record;
      },
    } as unknown as AgentRepo;
    const agents = new AgentService({ repo, clock, config: { cacheTtlMs: 5_000, lastSeenFlushMs: 0 } });
    const p: Principal = { id: 'agent:bot', kind: 'agent', roles: [], groups: [], authMethod: 'api-key' };
    assert.equal((await agents.check(p))?.kind, 'registered');
    assert.equal(reads, 1);
    valve.hold();
    clock.advance(4_100); // past 80 % of 5 s
    record = { ...record, status: 'suspended' } as AgentRecord; // another instance suspended it
    const during = agents.check(p);
    assert.equal(await pending(during), false, 'answered from the cache while the read is held');
    assert.equal((await during)?.kind, 'registered');
    assert.equal(reads, 2);
    valve.open();
    await settle();
    await assert.rejects(agents.check(p), (e: RampartError) => e.code === 'RAMPART_AGENT_SUSPENDED');
    assert.equal(reads, 2);
  });
});

describe('model deploy gate: one read at a time, refreshed ahead', () => {
  function gate() {
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 12, 0, 0));
    const valve = new Valve();
    let verdict: 'clean' | 'malicious' = 'clean';
    let reads = 0;
    const repo = {
      find: async (name: string) => {
        reads++;
        const read = verdict; // what the registry held when the read started
        await valve.pass();
        return { id: 'mdl_1', name, digest: 'sha256:' + 'a'.repeat(64), scan: { verdict: read }, signature: { status: 'none' }, source: { publisher: null }, approval: { status: 'none' } } as unknown as ModelRecord;
      },
    } as unknown as ModelRepo;
    const models = modelsConfigSchema.parse({ require: ['clean-scan'], cacheTtlMs: 5_000 });
    const g = new ModelGate({ repo, clock, models, deployments: [{ name: 'chat', model: 'llama' }] });
    return { g, clock, valve, reads: () => reads, setVerdict: (v: typeof verdict) => (verdict = v) };
  }

  it('makes one registry read for calls that arrive while it is pending', async () => {
    const { g, valve, reads } = gate();
    valve.hold();
    const calls = Array.from({ length: 10 }, () => g.check('chat')!);
    await settle();
    assert.equal(reads(), 1);
    valve.open();
    await Promise.all(calls);
  });

  it('keeps serving a verified model while reading again, then applies what the registry says', async () => {
    const { g, clock, valve, reads, setVerdict } = gate();
    await g.check('chat');
    valve.hold();
    setVerdict('malicious'); // a rescan elsewhere found something
    clock.advance(4_100);
    const during = g.check('chat')!;
    assert.equal(await pending(during), false);
    await during;
    assert.equal(reads(), 2);
    valve.open();
    await settle();
    await assert.rejects(g.check('chat')!, (e: RampartError) => e.code === 'RAMPART_MODEL_NOT_VERIFIED');
  });

  it('a registry change on this instance is not answered by a read that started before it', async () => {
    const { g, valve, setVerdict } = gate();
    valve.hold();
    const before = g.check('chat')!; // reads "clean", held
    await settle();
    setVerdict('malicious');
    g.invalidate();
    valve.open();
    await before; // the call that started before the change gets the old answer
    await assert.rejects(g.check('chat')!, (e: RampartError) => e.code === 'RAMPART_MODEL_NOT_VERIFIED');
  });
});
