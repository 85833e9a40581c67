/**
 * The `agents` section of rampart.yaml: what the request path does with agent principals that
 * are not in the agent inventory, and how long it trusts what it read from the inventory.
 */
import { z } from 'zod';

export const agentsConfigSchema = z
  .strictObject({
    unregistered: z
      .enum(['block', 'flag', 'allow'])
      .default('flag')
      .describe(
        'An agent principal with no inventory entry: block refuses it (RAMPART_AGENT_UNREGISTERED); flag lets it through and ' +
          'marks the audit event `shadow_agent`; allow lets it through unmarked.',
      ),
    cacheTtlMs: z
      .int()
      .min(0)
      .max(60_000)
      .default(5_000)
      .describe('How long an inventory lookup is reused. Suspending on this instance is immediate; other instances see it within this time.'),
    lastSeenFlushMs: z.int().min(100).max(600_000).default(10_000).describe('Interval at which last-seen times are written to the store in one batch.'),
  })
  .describe('The agent inventory on the request path: unregistered (shadow) agents, cache, last-seen times.');

export type AgentsConfig = z.output<typeof agentsConfigSchema>;
