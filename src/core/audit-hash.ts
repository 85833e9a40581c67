/**
 * The audit hash chain: `hash = sha256_hex(prevHash || canonicalJson(event with chainId, seq))`.
 * The first event of a chain (seq 1) links to GENESIS_HASH. Writer and verifier share this module
 * so they cannot drift apart.
 *
 * Canonical JSON: object keys sorted (by UTF-16 code units) at every depth, no whitespace,
 * top-level null fields left out (so a nullable field added later does not change the hash of
 * older records), plus `v` for the format version.
 */
import { hash } from 'node:crypto';
import type { AuditEvent, StoredAuditEvent } from './audit-event.ts';

export const GENESIS_HASH = '0'.repeat(64);
const FORMAT_VERSION = 1;

/** The fields that are hashed, in no particular order (keys are sorted anyway). */
const HASHED_FIELDS = [
  'id', 'time', 'requestId', 'plane', 'action', 'principalId', 'principalKind', 'apiKeyId', 'deployment', 'decision',
  'reason', 'code', 'status', 'promptTokens', 'completionTokens', 'latencyMs', 'upstream', 'sourceIp', 'details',
] as const satisfies readonly (keyof AuditEvent)[];

type TopKey = (typeof HASHED_FIELDS)[number] | 'v' | 'chainId' | 'seq';

/**
 * The top level of the hashed object, in canonical (sorted) order with each key already encoded:
 * the set of keys is fixed, so sorting them once gives what sorting per event would.
 */
const TOP_LEVEL: readonly { key: TopKey; prefix: string }[] = ([...HASHED_FIELDS, 'v', 'chainId', 'seq'] as TopKey[])
  .sort()
  .map((key) => ({ key, prefix: `${JSON.stringify(key)}:` }));

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      // A hole renders as nothing (what map + join did), an undefined element as null.
      if (i > 0) out += ',';
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** canonicalJson of `{ v, chainId, seq, ...e }` without its null fields, built without sorting. */
function canonicalEvent(e: AuditEvent, chainId: string, seq: number): string {
  let out = '{';
  let first = true;
  for (const { key, prefix } of TOP_LEVEL) {
    const v = key === 'v' ? FORMAT_VERSION : key === 'chainId' ? chainId : key === 'seq' ? seq : e[key];
    if (v === null || v === undefined) continue;
    out += `${first ? '' : ','}${prefix}${typeof v === 'object' ? canonicalJson(v) : (JSON.stringify(v) ?? 'null')}`;
    first = false;
  }
  return `${out}}`;
}

export function eventHash(prevHash: string, e: AuditEvent, chainId: string, seq: number): string {
  // One-shot hashing: no Hash object per event (createHash + update + digest cost three times as much).
  return hash('sha256', prevHash + canonicalEvent(e, chainId, seq), 'hex');
}

/** Links `events` after `head` (seq 0 and GENESIS_HASH for a new chain). */
export function chainEvents(events: readonly AuditEvent[], chainId: string, head: { seq: number; hash: string }): StoredAuditEvent[] {
  let { seq, hash: prevHash } = head;
  return events.map((e) => {
    seq += 1;
    const hash = eventHash(prevHash, e, chainId, seq);
    const stored: StoredAuditEvent = { ...pickFields(e), chainId, seq, prevHash, hash };
    prevHash = hash;
    return stored;
  });
}

function pickFields(e: AuditEvent): AuditEvent {
  const out: Record<string, unknown> = {};
  for (const f of HASHED_FIELDS) out[f] = e[f];
  return out as unknown as AuditEvent;
}

/**
 * An event in the exact form the database gives back, so its hash verifies after the round trip:
 * well-formed strings without NUL (PostgreSQL text and JSONB reject U+0000 and lone surrogates),
 * integers where the columns are integers, `details` as plain JSON.
 */
export function normalizeEvent(e: AuditEvent): AuditEvent {
  return {
    id: text(e.id),
    time: Math.min(8.64e15, Math.max(0, int(e.time) ?? 0)), // the range of Date
    requestId: text(e.requestId),
    plane: e.plane,
    action: text(e.action),
    principalId: optText(e.principalId),
    principalKind: optText(e.principalKind),
    apiKeyId: optText(e.apiKeyId),
    deployment: optText(e.deployment),
    decision: e.decision,
    reason: optText(e.reason),
    code: optText(e.code),
    status: int32(e.status) ?? 0,
    promptTokens: int32(e.promptTokens),
    completionTokens: int32(e.completionTokens),
    latencyMs: Number.isFinite(e.latencyMs) ? e.latencyMs + 0 : 0,
    upstream: optText(e.upstream),
    sourceIp: optText(e.sourceIp),
    details: e.details == null ? null : plainJson(e.details),
  };
}

// Lone surrogates, matched by UTF-16 code unit (no `u` flag on purpose).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(s: unknown): string {
  const str = String(s ?? '');
  // Nearly every string is clean already; checking is cheaper than replacing.
  if (isWellFormed(str) && !str.includes('\u0000')) return str;
  return str.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

/** ES2024 String.prototype.isWellFormed (no lone surrogates); `lib: es2023` does not declare it. */
function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

function optText(s: string | null | undefined): string | null {
  return s == null ? null : text(s);
}

/** Whole numbers for BIGINT columns (time). `+ 0` turns -0 into 0. */
function int(n: number | null | undefined): number | null {
  if (n == null || !Number.isFinite(n)) return null;
  return Math.trunc(n) + 0;
}

/** INTEGER columns hold 32-bit values: clamp rather than fail the whole batch. */
function int32(n: number | null | undefined): number | null {
  const v = int(n);
  return v === null ? null : Math.min(2_147_483_647, Math.max(-2_147_483_648, v));
}

function plainJson(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let json: string;
  let parsed: unknown;
  try {
    // A replacer makes stringify about twice as slow, and only a BigInt needs one (it throws
    // without): try the plain call first. This runs on the request thread for every event.
    try {
      json = JSON.stringify(details);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      json = JSON.stringify(details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    }
    parsed = JSON.parse(json);
  } catch {
    // Circular structures cannot be stored; keep the event, say why its details are missing.
    return { unserializable: true };
  }
  // JSON.stringify escapes exactly NUL (\u0000) and lone surrogates (\ud800-\udfff), in lower
  // case: without either escape in the text, no key or string needs cleaning.
  if (!NEEDS_CLEANING.test(json)) return isRecord(parsed) ? parsed : { value: parsed };
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      // fromEntries defines own properties, so a "__proto__" key stays data.
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [text(k), clean(inner)]));
    }
    return v;
  };
  const result = clean(parsed);
  return isRecord(result) ? result : { value: result };
}

const NEEDS_CLEANING = /\\u(?:0000|d[89a-f])/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
