// SCRATCH micro-benchmarks for the report's recommendations.
import { randomBytes, randomFillSync, createHash } from 'node:crypto';
import { newId } from '../../src/core/ids.ts';
import { eventHash, normalizeEvent, chainEvents, GENESIS_HASH } from '../../src/monitor/audit-hash.ts';
import type { AuditEvent } from '../../src/core/audit-event.ts';

function bench(name: string, n: number, fn: () => unknown) {
  for (let i = 0; i < n / 10; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(`${name.padEnd(48)} ${((1000 * (performance.now() - t0)) / n).toFixed(2)} µs/op`);
}

// newId alternative: same format, random bytes from a pooled buffer.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const pool = Buffer.alloc(4096);
let off = pool.length;
function pooledId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) { time = ALPHABET[t % 32] + time; t = Math.floor(t / 32); }
  if (off + 16 > pool.length) { randomFillSync(pool); off = 0; }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[pool[off + i]! & 31];
  off += 16;
  return `${prefix}_${time}${rand}`;
}
bench('newId (randomBytes(16) per id)', 200_000, () => newId('req'));
bench('same format, 4 KiB randomFillSync pool', 200_000, () => pooledId('req'));
bench('randomBytes(16) alone', 200_000, () => randomBytes(16));

const ev: AuditEvent = {
  id: newId('aud'), time: Date.now(), requestId: newId('req'), plane: 'data', action: 'chat.completions', principalId: 'key:key_abc', principalKind: 'app',
  apiKeyId: 'key_abc', deployment: 'gpt-4o-mini', decision: 'allow', reason: 'role bench may invoke gpt-4o-mini', code: null, status: 200, promptTokens: 10,
  completionTokens: 5, latencyMs: 0.734, upstream: 'openai:gpt-4o-mini#0', sourceIp: '127.0.0.1', details: { stream: false, attempts: 1, policy: 'roles' },
};
bench('normalizeEvent', 100_000, () => normalizeEvent(ev));
bench('eventHash', 100_000, () => eventHash(GENESIS_HASH, ev, 'bench', 1));
bench('chainEvents(normalizeEvent) per event, batch 200', 500, () => chainEvents(Array.from({ length: 200 }, () => normalizeEvent(ev)), 'c', { seq: 0, hash: GENESIS_HASH }));
bench('sha256 of 600 bytes alone', 100_000, () => createHash('sha256').update(GENESIS_HASH).update('x'.repeat(600)).digest('hex'));
