/**
 * One audit record per data-plane request or admin action. Plain data only: no Secret can be
 * assigned to it (see core/secret.ts). Prompts and answers only when `audit.capturePayloads`.
 */
export interface AuditEvent {
  /** Unique id of the event. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly requestId: string;
  /** `data` for /v1 calls, `admin` for admin API and CLI actions. */
  readonly plane: 'data' | 'admin' | 'system';
  /** e.g. `chat.completions`, `embeddings`, `keys.create`, `keys.revoke`. */
  readonly action: string;
  readonly principalId: string | null;
  readonly principalKind: string | null;
  readonly apiKeyId: string | null;
  readonly deployment: string | null;
  readonly decision: 'allow' | 'deny' | 'error';
  readonly reason: string | null;
  /** Error code when the request failed. */
  readonly code: string | null;
  readonly status: number;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly latencyMs: number;
  /** `<provider>:<target-id>` of the upstream that answered. */
  readonly upstream: string | null;
  readonly sourceIp: string | null;
  /** Free-form, small, secret-free extras (resource ids, stream flag, payloads if captured). */
  readonly details: Readonly<Record<string, unknown>> | null;
}

/** An audit event as stored: with its place in the hash chain. */
export interface StoredAuditEvent extends AuditEvent {
  readonly chainId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}
