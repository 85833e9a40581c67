import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openStore } from '/work/main/src/store/open-store.ts';
import { chainEvents, normalizeEvent, GENESIS_HASH } from '/work/main/src/monitor/audit-hash.ts';
import { newId } from '/work/main/src/core/ids.ts';
import type { AuditEvent } from '/work/main/src/core/audit-event.ts';

const store = await openStore({ kind: 'embedded', dataDir: mkdtempSync(join(tmpdir(), 'am-')) } as never, { logger: pino({ level: 'silent' }) });
const ev = (): AuditEvent => ({
  id: newId('aud'), time: Date.now(), requestId: newId('req'), plane: 'data', action: 'chat.completions', principalId: 'key:key_abc', principalKind: 'app',
  apiKeyId: 'key_abc', deployment: 'gpt-4o-mini', decision: 'allow', reason: 'role bench may invoke gpt-4o-mini', code: null, status: 200, promptTokens: 10,
  completionTokens: 5, latencyMs: 0.734, upstream: 'openai:gpt-4o-mini#0', sourceIp: '127.0.0.1', details: { stream: false, attempts: 1, policy: 'roles' },
});
let head = { seq: 0, hash: GENESIS_HASH };
for (const size of [50, 200, 1000]) {
  const times: number[] = [];
  let hashMs = 0;
  for (let b = 0; b < 30; b++) {
    const events = Array.from({ length: size }, ev);
    const h0 = performance.now();
    const stored = chainEvents(events.map(normalizeEvent), 'bench', head);
    hashMs += performance.now() - h0;
    const t0 = performance.now();
    await store.audit.append(stored);
    times.push(performance.now() - t0);
    head = { seq: stored.at(-1)!.seq, hash: stored.at(-1)!.hash };
  }
  times.sort((a, b) => a - b);
  console.log(`batch ${size}: append p50 ${times[15]!.toFixed(1)} ms max ${times.at(-1)!.toFixed(1)} ms = ${(1000 * times[15]! / size).toFixed(1)} µs/event; hash+normalize ${(1000 * hashMs / 30 / size).toFixed(1)} µs/event`);
}
await store.close();
