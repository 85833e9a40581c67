/** A thread that takes from shared counters as fast as it can (counters-shared.test.ts). */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { SharedBuckets, type SharedBucketMemory } from '../../src/store/counters/buckets.ts';
import { MemoryCounters } from '../../src/store/counters/memory-counters.ts';

const { memory, attempts, now } = workerData as { memory: SharedBucketMemory; attempts: number; now: number };
const counters = new MemoryCounters({ table: new SharedBuckets(memory, threadId) });
let allowed = 0;
for (let i = 0; i < attempts; i++) {
  const r = await counters.takeAll(
    [
      { key: 'shared-limit', cost: 1, limit: 5_000, window: { kind: 'sliding', ms: 60_000 } },
      { key: `own-${threadId}-${i % 50}`, cost: 1, limit: 1_000_000, window: { kind: 'sliding', ms: 60_000 } },
    ],
    now,
  );
  if (r.allowed) allowed++;
}
parentPort!.postMessage(allowed);
