/**
 * Where the guard engine (a later issue) plugs into the data plane. The gateway calls these on
 * every request; the default lets everything through untouched. An input guard may rewrite the
 * body (redact, pseudonymize) or throw a coded error to block; an output guard sees the finished
 * JSON answer, or wraps the stream of SSE events (with a bounded hold-back window) before they are
 * written to the client.
 */
import type { Principal } from '../core/principal.ts';
import type { Operation, SseOut } from './providers/provider.ts';

export interface GuardContext {
  readonly requestId: string;
  readonly principal: Principal;
  readonly deployment: string;
  readonly operation: Operation;
  /** Findings and verdicts the guards want in the audit event. */
  readonly notes: Record<string, unknown>;
}

export interface InputGuard {
  inspect(body: Record<string, unknown>, ctx: GuardContext): Promise<Record<string, unknown>> | Record<string, unknown>;
}

export interface OutputGuard {
  inspectAnswer(answer: unknown, ctx: GuardContext): Promise<unknown> | unknown;
  /** Wraps the event stream; must not buffer more than its bounded window. */
  wrapStream(events: AsyncIterable<SseOut>, ctx: GuardContext): AsyncIterable<SseOut>;
}

export const passThroughInput: InputGuard = { inspect: (body) => body };

export const passThroughOutput: OutputGuard = {
  inspectAnswer: (answer) => answer,
  wrapStream: (events) => events,
};
