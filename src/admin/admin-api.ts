/**
 * The admin API under /admin/v1: thin routes that authenticate, authorize one admin permission,
 * validate, call a service and shape the answer. Errors are RFC 9457 problem+json. Every call,
 * allowed or refused, yields one audit event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AuditEvent } from '../core/audit-event.ts';
import type { Clock } from '../core/clock.ts';
import type { Decision } from '../core/decision.ts';
import { RampartError, problemBody, toRampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { refusedPrincipal, type Principal } from '../core/principal.ts';
import type { AdminPermission } from '../config/schema.ts';
import { parseInput } from '../config/load.ts';
import type { Metrics } from '../monitor/metrics.ts';
import type { PolicyEngine } from '../policy/policy.ts';
import { accessDenial, accessDetails, accessError, type AccessCheck } from '../policy/conditional-access.ts';
import { parseJsonObject, readBody, sendJson } from '../gateway/http-io.ts';

export interface AdminDeps {
  authenticate(req: IncomingMessage): Promise<{ principal: Principal }>;
  policy: PolicyEngine;
  /** Conditional access (access.rules), after the policy engine allowed; absent when no rule is configured. */
  access?: AccessCheck | undefined;
  record(event: AuditEvent): void;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  bodyLimit: number;
  sourceIp(req: IncomingMessage): string | null;
  /** Told after every successful change (a method other than GET): other threads drop their caches. */
  changed?: (() => void) | undefined;
}

export interface AdminCall {
  readonly req: IncomingMessage;
  readonly principal: Principal;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
  readonly requestId: string;
  /** Parsed and validated JSON body. */
  body<T extends z.ZodType>(schema: T): Promise<z.output<T>>;
  /** Adds safe details (resource ids) to the audit event. */
  note(details: Record<string, unknown>): void;
  /**
   * Whether the caller also holds `permission` here, as a route requiring it would check: the
   * policy and the access rules (for routes that widen what they show to holders of a permission).
   */
  may(permission: AdminPermission): boolean;
}

export interface AdminResult {
  status: number;
  body: unknown;
}

export interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Audit action name, e.g. `keys.create`. */
  action: string;
  /**
   * The admin permission the policy engine must grant, or `authenticated`: any authenticated
   * principal reaches the handler, which then decides itself (just-in-time elevation requests
   * come from principals that hold no admin permission yet).
   */
  permission: AdminPermission | 'authenticated';
  handle(call: AdminCall): Promise<AdminResult>;
}

export function adminHandler(deps: AdminDeps, route: AdminRoute) {
  return async (req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>, query: URLSearchParams): Promise<void> => {
    const start = performance.now();
    const requestId = newId('req');
    const notes: Record<string, unknown> = {};
    let principal: Principal | null = null;
    let decision: Decision | null = null;
    let status = 500;
    let code: string | null = null;
    try {
      principal = (await deps.authenticate(req)).principal;
      decision = route.permission === 'authenticated' ? null : deps.policy.authorize(principal, { kind: 'admin', permission: route.permission });
      if (decision && decision.effect !== 'allow') {
        throw new RampartError('RAMPART_FORBIDDEN', { detail: `Requires the admin permission ${route.permission}.` });
      }
      // Routes open to any authenticated principal are checked as admin requests of no listed permission.
      const access = deps.access?.(principal, { kind: 'admin', permission: route.permission as AdminPermission }, req);
      if (access && access.matched.length > 0) notes.access = accessDetails(access);
      if (access && access.effect !== 'allow') {
        decision = accessDenial(access);
        throw accessError(access, principal);
      }
      const call: AdminCall = {
        req,
        principal,
        params,
        query,
        requestId,
        body: async (schema) => {
          const bytes = await readBody(req, deps.bodyLimit);
          // An empty body means "no options" on the admin API.
          const raw = bytes.length === 0 ? {} : parseJsonObject(req, bytes);
          return parseInput(schema, raw);
        },
        note: (d) => Object.assign(notes, d),
        may: (permission) =>
          deps.policy.authorize(principal!, { kind: 'admin', permission }).effect === 'allow' &&
          (deps.access === undefined || deps.access(principal!, { kind: 'admin', permission }, req).effect === 'allow'),
      };
      const result = await route.handle(call);
      status = result.status;
      if (route.method !== 'GET') deps.changed?.();
      if (status === 204) {
        res.writeHead(204, { 'x-request-id': requestId });
        res.end();
      } else {
        sendJson(res, status, result.body, { 'x-request-id': requestId, 'cache-control': 'no-store' });
      }
    } catch (e) {
      principal ??= refusedPrincipal(e);
      const err = toRampartError(e);
      status = err.status;
      code = err.code;
      if (err.code === 'RAMPART_INTERNAL') deps.logger.error({ err: e, requestId }, 'admin internal error');
      if (!res.headersSent) {
        sendJson(res, status, problemBody(err, req.url?.split('?')[0]), { ...err.headers, 'x-request-id': requestId }, 'application/problem+json');
      }
    }
    const latencyMs = performance.now() - start;
    deps.metrics.requests.inc({ plane: 'admin', route: route.path, deployment: '', status: String(status) });
    deps.metrics.latency.observe({ plane: 'admin', route: route.path, deployment: '' }, latencyMs / 1000);
    deps.record({
      id: newId('aud'),
      time: deps.clock.now(),
      requestId,
      plane: 'admin',
      action: route.action,
      principalId: principal?.id ?? null,
      principalKind: principal?.kind ?? null,
      apiKeyId: principal?.apiKeyId ?? null,
      deployment: null,
      decision: code ? (status === 401 || status === 403 ? 'deny' : 'error') : 'allow',
      reason: decision?.reason ?? code,
      code,
      status,
      promptTokens: null,
      completionTokens: null,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      upstream: null,
      sourceIp: deps.sourceIp(req),
      details: { ...notes, ...(decision ? { policy: decision.policy } : {}) },
    });
  };
}

/** `limit` and `cursor` query parameters, validated. */
export function pageParams(query: URLSearchParams, max = 500): { limit: number; cursor: string | null } {
  const raw = query.get('limit');
  const limit = raw === null ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `limit: must be an integer from 1 to ${max}` });
  }
  const cursor = query.get('cursor');
  if (cursor !== null && !/^[A-Za-z0-9_=-]{1,512}$/.test(cursor)) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'cursor: malformed' });
  }
  return { limit, cursor };
}

/** A time filter: ISO 8601 or epoch milliseconds, within what a Date (and the query's BIGINT) holds. */
export function timeParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(ms) || ms > 8.64e15) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${name}: must be an ISO 8601 time or epoch milliseconds` });
  return ms;
}


