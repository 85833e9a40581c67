/**
 * The agent inventory part of the store contract: every backend must pass it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { agentIdentityKey } from '../../src/store/agent-repo.ts';
import { identityKeysOf } from '../../src/identity/agents.ts';
import type { AgentRecord, Store } from '../../src/store/types.ts';
import { randomName } from '../support/backends.ts';

export function agentRecord(overrides: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id: randomName('agt_'),
    name: 'triage bot',
    binding: { type: 'client', clientId: randomName('client-') },
    owner: 'team-soc',
    sponsor: 'ciso@example.com',
    purpose: 'triages alerts',
    allowedDeployments: ['chat'],
    allowedTools: ['search'],
    datasets: ['tickets'],
    status: 'active',
    expiresAt: null,
    createdAt: Date.UTC(2026, 0, 1),
    createdBy: 'admin',
    updatedAt: Date.UTC(2026, 0, 1),
    lastSeenAt: null,
    ...overrides,
  };
}

export function agentContract(getStore: () => Store): void {
  describe('agents', () => {
    it('round-trips every field, for each binding type', async () => {
      const store = getStore();
      for (const binding of [
        { type: 'token', issuer: 'https://idp.example.com', subject: randomName('sub-') },
        { type: 'client', clientId: randomName('client-') },
        { type: 'client', clientId: randomName('client-'), issuer: 'https://idp.example.com' },
        { type: 'principal', principalId: randomName('key:') },
      ] as const) {
        const rec = agentRecord({ binding, expiresAt: Date.UTC(2027, 0, 1), lastSeenAt: 7 });
        await store.agents.insert(rec);
        assert.deepEqual(await store.agents.get(rec.id), rec);
      }
      const bare = agentRecord({ owner: null, sponsor: null, purpose: null, allowedDeployments: [], allowedTools: [], datasets: [] });
      await store.agents.insert(bare);
      assert.deepEqual(await store.agents.get(bare.id), bare);
      assert.equal(await store.agents.get(randomName('agt_')), null);
    });

    it('refuses a second agent with the same identity binding', async () => {
      const store = getStore();
      const rec = agentRecord();
      await store.agents.insert(rec);
      await assert.rejects(store.agents.insert(agentRecord({ binding: rec.binding })), (e) => isRampartError(e) && e.code === 'RAMPART_CONFLICT');
      await assert.rejects(store.agents.insert({ ...rec }), (e) => isRampartError(e) && e.code === 'RAMPART_CONFLICT');
    });

    it('finds an agent by the first identity key that has one', async () => {
      const store = getStore();
      const byPrincipal = agentRecord({ binding: { type: 'principal', principalId: randomName('p:') } });
      const byClient = agentRecord();
      await store.agents.insert(byPrincipal);
      await store.agents.insert(byClient);
      const found = await store.agents.findByIdentity([agentIdentityKey(byPrincipal.binding), agentIdentityKey(byClient.binding)]);
      assert.equal(found?.id, byPrincipal.id);
      assert.equal((await store.agents.findByIdentity(['principal:nobody', agentIdentityKey(byClient.binding)]))?.id, byClient.id);
      assert.equal(await store.agents.findByIdentity(['principal:nobody']), null);
      assert.equal(await store.agents.findByIdentity([]), null);
    });

    it('matches a client bound to an issuer only for that issuer\'s principals', async () => {
      const store = getStore();
      const clientId = randomName('app-');
      const bound = agentRecord({ binding: { type: 'client', clientId, issuer: 'https://idp-a.example.com' } });
      await store.agents.insert(bound);
      const principal = (issuer: string) => ({ id: `oidc:${issuer}#x`, kind: 'agent', roles: [], groups: [], authMethod: 'oidc', issuer, clientId }) as const;
      assert.equal((await store.agents.findByIdentity(identityKeysOf(principal('https://idp-a.example.com'))))?.id, bound.id);
      assert.equal(await store.agents.findByIdentity(identityKeysOf(principal('https://idp-b.example.com'))), null, 'the same client id at another issuer');
    });

    it('updates only the given fields and stamps updatedAt', async () => {
      const store = getStore();
      const rec = agentRecord();
      await store.agents.insert(rec);
      const updated = await store.agents.update(rec.id, { status: 'suspended', allowedDeployments: ['a', 'b'], owner: null }, rec.updatedAt + 5);
      assert.deepEqual(updated, { ...rec, status: 'suspended', allowedDeployments: ['a', 'b'], owner: null, updatedAt: rec.updatedAt + 5 });
      assert.deepEqual(await store.agents.get(rec.id), updated);
      assert.equal(await store.agents.update(randomName('agt_'), { status: 'active' }, 1), null);
    });

    it('lists newest first with stable cursors and a status filter', async () => {
      const store = getStore();
      const base = Date.UTC(2030, 0, 1);
      const mine = [0, 1, 2, 3].map((i) => agentRecord({ createdAt: base + i, status: i === 1 ? 'suspended' : 'active' }));
      for (const r of mine) await store.agents.insert(r);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.agents.list({ limit: 2, cursor });
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      const expected = [...mine].reverse().map((r) => r.id);
      assert.deepEqual(seen.filter((id) => expected.includes(id)), expected);
      assert.equal(new Set(seen).size, seen.length);
      const suspended = (await store.agents.list({ status: 'suspended', limit: 1000 })).items.map((a) => a.id);
      assert.ok(suspended.includes(mine[1]!.id));
      assert.ok(!suspended.includes(mine[0]!.id));
    });

    it('touch keeps the newest last-seen time', async () => {
      const store = getStore();
      const rec = agentRecord({ lastSeenAt: 100 });
      await store.agents.insert(rec);
      await store.agents.touch(new Map([[rec.id, 50]]));
      assert.equal((await store.agents.get(rec.id))?.lastSeenAt, 100);
      await store.agents.touch(new Map([[rec.id, 200], [randomName('agt_'), 1]]));
      assert.equal((await store.agents.get(rec.id))?.lastSeenAt, 200);
    });
  });
}
