import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { PROVIDERS, assertUniqueProviderIds, getProvider, providerRegistry } from '../../../src/gateway/providers/registry.ts';
import { RampartError } from '../../../src/core/errors.ts';

describe('provider registry', () => {
  it('lists openai, azure-openai, anthropic and echo', () => {
    assert.deepEqual(providerRegistry.ids, ['openai', 'azure-openai', 'anthropic', 'echo']);
    assert.equal(providerRegistry.get('anthropic').id, 'anthropic');
  });

  it('fails with a coded error naming the known providers for an unknown id', () => {
    assert.throws(
      () => getProvider('bedrock'),
      (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_CONFIG_INVALID' && /bedrock/.test(e.message) && /openai, azure-openai/.test(e.message),
    );
  });

  it('fails with a coded error when two providers share an id', () => {
    assert.throws(() => assertUniqueProviderIds([PROVIDERS[0]!, PROVIDERS[0]!]), (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_CONFIG_INVALID');
  });

  it('gives every provider a strict options schema keyed by its id, usable in one config union with JSON Schema', () => {
    const common = { priority: z.number(), weight: z.number(), timeoutMs: z.number() };
    const union = z.discriminatedUnion(
      'provider',
      PROVIDERS.map((p) => p.optionsSchema.extend(common)) as unknown as [z.ZodObject, ...z.ZodObject[]],
    );
    for (const p of PROVIDERS) {
      assert.equal(p.optionsSchema.shape['provider'] instanceof z.ZodLiteral, true, p.id);
      assert.equal(p.optionsSchema.safeParse({ provider: p.id, unexpected: 1 }).success, false, `${p.id} refuses unknown fields`);
      assert.ok(p.operations.length > 0);
    }
    assert.equal(union.safeParse({ provider: 'echo', priority: 0, weight: 1, timeoutMs: 1000 }).success, true);
    assert.doesNotThrow(() => z.toJSONSchema(union));
  });
});
