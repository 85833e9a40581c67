/**
 * Storage interfaces. Two backends implement `SqlClient` in the same PostgreSQL dialect (embedded
 * PGlite and PostgreSQL by URL); repositories are written once against `SqlClient`. Counters
 * (rate limits, budgets) are separate: memory for one instance, Redis for many.
 */
import type { PrincipalKind } from '../core/principal.ts';
import type { AuditEvent, StoredAuditEvent } from '../core/audit-event.ts';
import type { DetectionRecord } from '../core/detection.ts';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface SqlClient {
  readonly dialect: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs one or more statements without parameters (migrations, savepoints). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Clients whose database runs on another thread (the embedded store) chain and insert an audit
   * batch there, so hashing and serializing it costs the request thread nothing. Absent: the
   * repository does both itself.
   */
  appendAuditChain?(events: readonly AuditEvent[], chainId: string, head: { seq: number; hash: string }): Promise<{ seq: number; hash: string }>;
}

export interface LimitValues {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  tokensPerMonth?: number;
}

/** A Rampart API key as stored: only the hash of its secret, never the plaintext. */
export interface ApiKeyRecord {
  /** Public lookup id, also embedded in the key string. */
  id: string;
  name: string;
  /** SHA-256 (hex) of the key's secret part. */
  secretHash: string;
  principalId: string;
  principalKind: PrincipalKind;
  roles: string[];
  limits: LimitValues | null;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** Id of the key this one replaced by rotation. */
  rotatedFrom: string | null;
  /** Networks (CIDRs) the key may be used from; absent or null: anywhere. */
  allowedNetworks?: string[] | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null at the end. */
  nextCursor: string | null;
}

export interface ApiKeyRepo {
  insert(rec: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<ApiKeyRecord>>;
  /** Sets revokedAt if not yet revoked; false when no such key. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Sets (or shortens) the expiry; used by rotation's overlap window. False when no such key, or it is revoked. */
  setExpiry(id: string, at: number): Promise<boolean>;
  /** Batched last-used update (the request path never waits on it). */
  touch(lastUsed: ReadonlyMap<string, number>): Promise<void>;
}

/**
 * How an agent authenticates: a token subject of an issuer, an OAuth client id (e.g. an Entra
 * Agent ID's app id), or the principal id an API key acts as.
 */
export type AgentBinding =
  | { type: 'token'; issuer: string; subject: string }
  | { type: 'client'; clientId: string; issuer?: string }
  | { type: 'principal'; principalId: string };

export type AgentStatus = 'active' | 'suspended';

/** One registered AI agent (the agent inventory). */
export interface AgentRecord {
  id: string;
  name: string;
  binding: AgentBinding;
  owner: string | null;
  sponsor: string | null;
  purpose: string | null;
  allowedDeployments: string[];
  allowedTools: string[];
  datasets: string[];
  status: AgentStatus;
  expiresAt: number | null;
  createdAt: number;
  createdBy: string | null;
  updatedAt: number;
  lastSeenAt: number | null;
}

/** The mutable fields of an agent. */
export type AgentPatch = Partial<Pick<AgentRecord, 'name' | 'owner' | 'sponsor' | 'purpose' | 'allowedDeployments' | 'allowedTools' | 'datasets' | 'status' | 'expiresAt'>>;

export interface AgentRepo {
  /** Fails with RAMPART_CONFLICT when the id or the identity binding is taken. */
  insert(rec: AgentRecord): Promise<void>;
  get(id: string): Promise<AgentRecord | null>;
  /** The agent bound to the first of `identityKeys` that has one (see agentIdentityKey). */
  findByIdentity(identityKeys: readonly string[]): Promise<AgentRecord | null>;
  list(opts: { status?: AgentStatus; limit: number; cursor?: string | null }): Promise<Page<AgentRecord>>;
  /** Applies `patch`; null when no such agent. */
  update(id: string, patch: AgentPatch, at: number): Promise<AgentRecord | null>;
  /** Batched last-seen update (the request path never waits on it). */
  touch(lastSeen: ReadonlyMap<string, number>): Promise<void>;
}

/** Where a model artifact came from (as registered; `publisher` is what trusted-publisher checks). */
export interface ModelSource {
  /** e.g. huggingface, ollama, s3, internal. */
  hub: string | null;
  /** e.g. meta-llama/Llama-3.1-8B-Instruct. */
  repository: string | null;
  revision: string | null;
  publisher: string | null;
  url: string | null;
}

export interface ModelSignatureResult {
  /** verified: by a trusted signer; unsigned: no signature file; invalid: a signature that no trusted signer verifies, or a changed file. */
  status: 'verified' | 'unsigned' | 'invalid';
  /** The trusted signer (models.signers[].name) that verified it. */
  signer: string | null;
  /** What the signature says about its signer: key id, certificate subject, Sigstore identity. */
  identity: { kind: string; keyId?: string; subject?: string; issuer?: string } | null;
  /** Why it is invalid (an error code and a message naming the file). */
  error: { code: string; message: string } | null;
  checkedAt: number;
}

export interface ModelScanFinding {
  severity: 'malicious' | 'suspicious' | 'error' | 'info';
  file: string;
  offset?: number;
  rule: string;
  callable?: string;
  message: string;
}

export interface ModelScanResult {
  verdict: 'clean' | 'suspicious' | 'malicious' | 'error';
  /** By severity. */
  counts: Record<string, number>;
  /** The most severe findings first, at most 100. */
  findings: ModelScanFinding[];
  scanner: string;
  scannedAt: number;
}

export interface ModelApproval {
  status: 'pending' | 'approved' | 'rejected';
  by: string | null;
  at: number | null;
  note: string | null;
}

/** One registered model artifact (a name at one root digest). */
export interface ModelRecord {
  id: string;
  name: string;
  /** `sha256:<hex>`: the OpenSSF model-signing root digest over every file. */
  digest: string;
  source: ModelSource;
  /** Where it was read from when registered (informational). */
  location: string | null;
  files: number;
  bytes: number;
  signature: ModelSignatureResult;
  scan: ModelScanResult;
  approval: ModelApproval;
  createdAt: number;
  createdBy: string | null;
  updatedAt: number;
}

export interface ModelRepo {
  /** Fails with RAMPART_CONFLICT when this name and digest are registered already. */
  insert(rec: ModelRecord): Promise<void>;
  get(id: string): Promise<ModelRecord | null>;
  /** The newest version of a name, or the one with `digest`. */
  find(name: string, digest?: string): Promise<ModelRecord | null>;
  list(opts: { name?: string; limit: number; cursor?: string | null }): Promise<Page<ModelRecord>>;
  /** Sets the approval; null when no such model. */
  setApproval(id: string, approval: ModelApproval, at: number): Promise<ModelRecord | null>;
}

/** One approved program of the sandbox (sandbox/approvals.ts). Times are epoch ms. */
export interface SandboxApprovalRecord {
  id: string;
  /** SHA-256 (lower-case hex) of the program's exact UTF-8 bytes. */
  sha256: string;
  language: string;
  /** The admin principal who approved it. */
  reviewer: string;
  approvedAt: number;
  /** The reviewed revision in version control (https). */
  revisionUrl: string;
  note: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface SandboxApprovalRepo {
  /** Inserts, or replaces a revoked approval of the same hash; RAMPART_CONFLICT while one is in force. */
  approve(rec: SandboxApprovalRecord): Promise<SandboxApprovalRecord>;
  get(sha256: string): Promise<SandboxApprovalRecord | null>;
  /** Newest approval first. */
  list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<SandboxApprovalRecord>>;
  /** Revokes an approval in force; null when there is none. */
  revoke(sha256: string, at: number, by: string): Promise<SandboxApprovalRecord | null>;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  principalId?: string;
  deployment?: string;
  action?: string;
  decision?: 'allow' | 'deny' | 'error';
  status?: number;
  requestId?: string;
  limit: number;
  /** Opaque cursor from a previous page. Pages go newest first. */
  cursor?: string | null;
}

/** The last link of an audit chain. */
export interface AuditHeadLink {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditRepo {
  /** Appends a contiguous run of one chain; fails (unique violation) if `seq` is taken. */
  append(events: readonly StoredAuditEvent[]): Promise<void>;
  /**
   * Links `events` after `head` (core/audit-hash.ts) and appends them in one INSERT; resolves with
   * the new head. Fails with RAMPART_CONFLICT when the seq after `head` is taken.
   */
  appendChained(events: readonly AuditEvent[], chainId: string, head: AuditHeadLink): Promise<AuditHeadLink>;
  head(chainId: string): Promise<{ seq: number; hash: string } | null>;
  chains(): Promise<string[]>;
  /** Events of one chain in seq order, from `fromSeq`, `limit` at a time. */
  readChain(chainId: string, fromSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  list(filter: AuditFilter): Promise<Page<StoredAuditEvent>>;
}

export interface DetectionFilter {
  from?: number;
  to?: number;
  principalId?: string;
  deployment?: string;
  /** Exact category, or a prefix ending in `.` (e.g. `pii.`). */
  category?: string;
  detector?: string;
  action?: string;
  severity?: string;
  requestId?: string;
  limit: number;
  cursor?: string | null;
}

export interface DetectionRepo {
  insertMany(records: readonly DetectionRecord[]): Promise<void>;
  list(filter: DetectionFilter): Promise<Page<DetectionRecord>>;
}

/** First-seen tool-definition pins (the guard's PinStore). */
export interface PinRepo {
  get(key: string): Promise<string | undefined>;
  /** Stores `hash` unless `key` has a pin; returns the pin that holds. */
  setIfAbsent(key: string, hash: string): Promise<string>;
  /** Deletes the pins whose key starts with `prefix` (is `prefix`, when `exact`); returns how many. */
  clear(prefix: string, exact?: boolean): Promise<number>;
}

export type ElevationStatus = 'pending' | 'approved' | 'denied' | 'revoked' | 'expired';

/** A just-in-time role activation (identity/elevations.ts). Times are epoch ms. */
export interface ElevationRecord {
  id: string;
  principalId: string;
  principalKind: PrincipalKind;
  role: string;
  justification: string;
  durationMs: number;
  approval: 'required' | 'auto';
  status: ElevationStatus;
  requestedAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decisionNote: string | null;
  /** When the role starts to hold (the approval), and stops (exclusive). */
  startsAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface ElevationFilter {
  principalId?: string;
  status?: ElevationStatus;
  limit: number;
  cursor?: string | null;
}

export interface ElevationRepo {
  insert(rec: ElevationRecord): Promise<void>;
  get(id: string): Promise<ElevationRecord | null>;
  /** Newest request first. */
  list(filter: ElevationFilter): Promise<Page<ElevationRecord>>;
  /** Approves or denies a pending elevation; null when it is not (or no longer) pending. */
  decide(id: string, d: { status: 'approved' | 'denied'; at: number; by: string; note: string | null; startsAt: number | null; expiresAt: number | null }): Promise<ElevationRecord | null>;
  /** Ends a pending or approved, unexpired elevation at once; null when there is nothing to end. */
  revoke(id: string, at: number, by: string): Promise<ElevationRecord | null>;
  /** Approved elevations that have not expired at `now`. */
  active(now: number): Promise<ElevationRecord[]>;
  /** Marks approved elevations whose time is up as expired; returns those this call marked. */
  expire(now: number): Promise<ElevationRecord[]>;
}

export interface Store {
  readonly sql: SqlClient;
  readonly keys: ApiKeyRepo;
  readonly agents: AgentRepo;
  readonly audit: AuditRepo;
  readonly detections: DetectionRepo;
  readonly pins: PinRepo;
  readonly elevations: ElevationRepo;
  readonly models: ModelRepo;
  readonly sandboxApprovals: SandboxApprovalRepo;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A window over which a counter accumulates. */
export type CounterWindow =
  /** Sliding window (approximated from two fixed buckets), e.g. 60 000 ms for "per minute". */
  | { kind: 'sliding'; ms: number }
  /** Fixed, aligned window such as a calendar month: [startMs, endMs). */
  | { kind: 'fixed'; startMs: number; endMs: number };

export interface LimitCheck {
  key: string;
  /** How much this request takes (1 for requests, estimated tokens for tokens). */
  cost: number;
  limit: number;
  window: CounterWindow;
}

export interface LimitCheckResult {
  key: string;
  limit: number;
  /** Usage in the window after this call (including `cost` when allowed). */
  used: number;
  remaining: number;
  /** Milliseconds until enough of the window has passed for `remaining` to cover `cost` again. */
  resetMs: number;
}

export interface LimitResult {
  /** True when every check had room; then every cost was added. Otherwise nothing was added. */
  allowed: boolean;
  results: LimitCheckResult[];
  /** Index of the first check without room, -1 when allowed. */
  deniedIndex: number;
  /** For 429 Retry-After: the denied check's resetMs (0 when allowed). */
  retryAfterMs: number;
}

export interface CounterAdjustment {
  readonly key: string;
  readonly amount: number;
  readonly window: CounterWindow;
  /** When the cost this adjusts was counted (see Counters.addAll). */
  readonly atMs?: number;
}

export interface Counters {
  readonly kind: 'memory' | 'redis';
  /** True when other instances or threads count in the same buckets (Redis; memory across threads). */
  readonly shared: boolean;
  /** All-or-nothing: atomically checks every limit and, only if all have room, adds every cost. */
  takeAll(checks: readonly LimitCheck[], nowMs: number): Promise<LimitResult>;
  /**
   * Unconditional adjustment (may be negative), e.g. reconciling estimated with actual tokens. A
   * refund (negative amount) with `atMs` goes back to the bucket that was current at `atMs`, where
   * the cost it corrects was counted; refunds to a bucket that has expired are dropped. Without
   * `atMs`, or for a positive amount, the current bucket.
   */
  addAll(items: readonly CounterAdjustment[], nowMs: number): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
