/**
 * AgentService.check on its own, with a scripted repository: which principals the inventory
 * holds, and what happens when the store does not answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError } from '../../src/core/errors.ts';
import type { Principal } from '../../src/core/principal.ts';
import { AgentService } from '../../src/identity/agents.ts';
import type { AgentRecord, AgentRepo } from '../../src/store/types.ts';

const principal = (kind: Principal['kind']): Principal => ({ id: `${kind}:x`, kind, roles: [], groups: [], authMethod: 'api-key' });

function service(find: AgentRepo['findByIdentity'], unregistered: 'allow' | 'flag' | 'block' = 'block') {
  const repo = { findByIdentity: find } as unknown as AgentRepo;
  return new AgentService({ repo, config: { unregistered, cacheTtlMs: 0 } });
}

const down = async (): Promise<AgentRecord | null> => {
  throw new RampartError('RAMPART_STORE_UNAVAILABLE');
};

describe('agent check', () => {
  it('checks a registration for any kind of principal, and applies the unregistered rule to agents only', async () => {
    const none = service(async () => null);
    assert.equal(await none.check(principal('app')), null);
    assert.equal(await none.check(principal('user')), null);
    await assert.rejects(none.check(principal('agent')), (e: RampartError) => e.code === 'RAMPART_AGENT_UNREGISTERED');
    const suspended = { id: 'agt_x', status: 'suspended', expiresAt: null } as unknown as AgentRecord;
    const held = service(async () => suspended);
    await assert.rejects(held.check(principal('app')), (e: RampartError) => e.code === 'RAMPART_AGENT_SUSPENDED');
  });

  it('when the store is down: users and apps pass, agents fail closed', async () => {
    const s = service(down);
    assert.equal(await s.check(principal('user')), null);
    assert.equal(await s.check(principal('app')), null);
    await assert.rejects(s.check(principal('agent')), (e: RampartError) => e.code === 'RAMPART_STORE_UNAVAILABLE');
  });
});
