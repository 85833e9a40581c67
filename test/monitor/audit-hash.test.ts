/**
 * The audit hash format must never change: the verifier shares audit-hash.ts with the writer, so
 * a faster canonical JSON that produced one different byte would break every chain already
 * stored. The reference below is the implementation as of commit e775dcb, kept verbatim.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit-event.ts';
import { canonicalJson, chainEvents, eventHash, GENESIS_HASH, normalizeEvent } from '../../src/core/audit-hash.ts';

// ---- reference implementation (e775dcb), do not edit ----
const REF_HASHED_FIELDS = [
  'id', 'time', 'requestId', 'plane', 'action', 'principalId', 'principalKind', 'apiKeyId', 'deployment', 'decision',
  'reason', 'code', 'status', 'promptTokens', 'completionTokens', 'latencyMs', 'upstream', 'sourceIp', 'details',
] as const satisfies readonly (keyof AuditEvent)[];

function refCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(refCanonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${refCanonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

function refEventHash(prevHash: string, e: AuditEvent, chainId: string, seq: number): string {
  const hashed: Record<string, unknown> = { v: 1, chainId, seq };
  for (const f of REF_HASHED_FIELDS) {
    if (e[f] !== null && e[f] !== undefined) hashed[f] = e[f];
  }
  return createHash('sha256').update(prevHash).update(refCanonicalJson(hashed)).digest('hex');
}

const REF_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const refText = (s: unknown) => String(s ?? '').replace(REF_LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');

function refPlainJson(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(JSON.stringify(details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  } catch {
    return { unserializable: true };
  }
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return refText(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [refText(k), clean(inner)]));
    return v;
  };
  const result = clean(parsed);
  return result && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : { value: result };
}
// ---- end of reference ----

const base: AuditEvent = {
  id: 'aud_01jd0000000000000000000000',
  time: 1_795_000_000_123,
  requestId: 'req_01jd0000000000000000000001',
  plane: 'data',
  action: 'chat.completions',
  principalId: 'app:ci',
  principalKind: 'app',
  apiKeyId: 'key_abc',
  deployment: 'gpt-4o-mini',
  decision: 'allow',
  reason: null,
  code: null,
  status: 200,
  promptTokens: 12,
  completionTokens: 34,
  latencyMs: 1.25,
  upstream: 'openai:primary',
  sourceIp: '127.0.0.1',
  details: { stream: false },
};

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;
const sparse: unknown[] = [1];
sparse[3] = 'x';

/** Events chosen to hit every branch of canonical JSON: nulls, nesting, key order, escapes. */
const events: AuditEvent[] = [
  base,
  { ...base, details: null },
  { ...base, details: {} },
  {
    ...base,
    reason: 'guard', code: 'RAMPART_GUARD_BLOCKED', status: 403, decision: 'deny', promptTokens: null, completionTokens: null,
    apiKeyId: null, upstream: null, sourceIp: null,
  },
  { ...base, plane: 'admin', action: 'keys.create', principalId: null, principalKind: null, deployment: null, details: { keyId: 'key_1', roles: ['a', 'b'] } },
  {
    ...base,
    details: {
      zeta: 1, alpha: { b: [1, 2, { y: null, x: undefined, w: 'w' }], a: true }, B: 'upper before lower', _u: 0, '10': 'ten', '2': 'two',
      'é': 'accent', '😀': 'astral', 'ｚ': 'fullwidth', '': 'empty key', __proto__key: 'p', nested: { deeper: { deepest: [[], {}, [[]]] } },
    },
  },
  { ...base, details: { s: 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 lone \ud800 pair 😀 line-sep \u2028' } },
  { ...base, details: { n: [0, -0, 1.5, -2.25e-7, 1e21, 123456789012345, Number.MAX_SAFE_INTEGER, NaN, Infinity] } },
  { ...base, details: { big: 12345678901234567890n } as unknown as Record<string, unknown> },
  { ...base, details: { when: new Date(0), arr: [undefined, null, () => 1] } as unknown as Record<string, unknown> },
  { ...base, details: { sparse } },
  { ...base, details: circular },
  { ...base, details: JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c"}') as Record<string, unknown> },
  { ...base, latencyMs: NaN, time: 1.7, status: -0, promptTokens: 2 ** 40 },
  { ...base, id: 'id with \u0000 nul and \udc00 lone', reason: 'r\ud83d', requestId: '' },
  { ...base, details: { 'k\u0000ey': 'v', 'lone\udbff': ['\udfff'] } },
  { ...base, details: ['an', 'array'] as unknown as Record<string, unknown> },
];

describe('audit hash format', () => {
  it('hashes every event, raw and normalized, exactly as the reference implementation', () => {
    for (const [i, raw] of events.entries()) {
      for (const e of [raw, normalizeEvent(raw)]) {
        let expected: string | Error;
        try {
          expected = refEventHash(GENESIS_HASH, e, 'gw-1', i + 1);
        } catch (err) {
          expected = err as Error;
        }
        if (expected instanceof Error) assert.throws(() => eventHash(GENESIS_HASH, e, 'gw-1', i + 1), { name: expected.name }, `event ${i}`);
        else assert.equal(eventHash(GENESIS_HASH, e, 'gw-1', i + 1), expected, `event ${i}`);
      }
    }
  });

  it('canonicalizes any value exactly as the reference implementation', () => {
    const values: unknown[] = [
      null, undefined, 0, -0, 'x', true, [], {}, sparse, [undefined], { a: undefined }, { b: 1, a: [{ d: 2, c: 1 }] },
      ...events.filter((e) => e.details !== circular).map((e) => e.details),
    ];
    for (const v of values) {
      let expected: string | Error;
      try {
        expected = refCanonicalJson(v);
      } catch (err) {
        expected = err as Error;
      }
      if (expected instanceof Error) assert.throws(() => canonicalJson(v), { name: expected.name });
      else assert.equal(canonicalJson(v), expected);
    }
  });

  it('normalizes text fields and details exactly as the reference implementation', () => {
    const textFields = ['id', 'requestId', 'action', 'principalId', 'principalKind', 'apiKeyId', 'deployment', 'reason', 'code', 'upstream', 'sourceIp'] as const;
    for (const e of events) {
      const normalized = normalizeEvent(e);
      for (const f of textFields) assert.equal(normalized[f], e[f] == null ? null : refText(e[f]), f);
      const ours = normalized.details;
      const ref = e.details == null ? null : refPlainJson(e.details);
      assert.deepEqual(ours, ref);
      assert.equal(canonicalJson(ours), refCanonicalJson(ref));
    }
  });

  it('links a chain exactly as the reference implementation', () => {
    const stored = chainEvents(events.map(normalizeEvent), 'gw-1', { seq: 41, hash: 'f'.repeat(64) });
    let prev = 'f'.repeat(64);
    for (const [i, s] of stored.entries()) {
      assert.equal(s.seq, 42 + i);
      assert.equal(s.prevHash, prev);
      assert.equal(s.hash, refEventHash(prev, normalizeEvent(events[i]!), 'gw-1', 42 + i));
      prev = s.hash;
    }
  });

  it('keeps the hash of a known event (format version 1)', () => {
    // Computed with the reference implementation; a change here breaks every stored chain.
    assert.equal(eventHash(GENESIS_HASH, base, 'gw-1', 1), 'd4b6d9512ce687b8432fc55404b8a4f3ccd2e6adc585587872994ad0f8b37c1e');
  });
});
