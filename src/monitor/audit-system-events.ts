/** Audit events that Rampart records about itself (plane `system`). */
import type { AuditEvent } from '../core/audit-event.ts';
import { newId } from '../core/ids.ts';

/** Written into the chain after events were dropped, so the gap shows in the log itself. */
export function droppedEventsMarker(dropped: number, queueLimit: number, now: number): AuditEvent {
  return {
    id: newId('aud', now),
    time: now,
    requestId: newId('req', now),
    plane: 'system',
    action: 'audit.events_dropped',
    principalId: null,
    principalKind: null,
    apiKeyId: null,
    deployment: null,
    decision: 'error',
    reason: 'the audit queue was full while the store was unreachable',
    code: 'RAMPART_STORE_UNAVAILABLE',
    status: 503,
    promptTokens: null,
    completionTokens: null,
    latencyMs: 0,
    upstream: null,
    sourceIp: null,
    details: { dropped, queueLimit },
  };
}
