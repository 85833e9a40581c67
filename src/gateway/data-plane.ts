/**
 * The OpenAI-compatible data plane: the request's way of DESIGN.md, one stage after another —
 * authenticate → read and validate → authorize → meter → guard(in) → route → guard(out) → record.
 * Each stage is timed; the audit event says what each decided.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { RampartError, openAiErrorBody, toRampartError } from '../core/errors.ts';
import type { AuditEvent } from '../core/audit-event.ts';
import type { Decision } from '../core/decision.ts';
import { newId } from '../core/ids.ts';
import { refusedPrincipal, type Principal } from '../core/principal.ts';
import { assertAgentTools } from '../identity/agent-scope.ts';
import type { Metrics } from '../monitor/metrics.ts';
import type { Action, PolicyEngine } from '../policy/policy.ts';
import { accessDenial, accessDetails, accessError, type AccessCheck } from '../policy/conditional-access.ts';
import type { QuotaService, Reservation } from '../policy/quotas.ts';
import type { LimitValues } from '../store/types.ts';
import { parseJsonObject, readBody, sendJson } from './http-io.ts';
import type { DeploymentRouter } from './deployment-router.ts';
import type { GuardContext, InputGuard, OutputGuard } from './guard-seam.ts';
import type { Operation } from './providers/provider.ts';
import { UpstreamFailure } from './providers/provider.ts';
import { chatCompletionRequest, embeddingsRequest, responsesRequest, validateBody } from './request-schemas.ts';
import { relayStream } from './stream-relay.ts';
import { estimateChatTokens, estimateEmbeddingTokens, estimateResponsesTokens, maxOutput } from './token-estimate.ts';
import { readUsage, type Usage } from './usage.ts';
import type { Segment, Verdict } from '../guard/engine.ts';
import { analyzeAnswer, analyzeRequest, analyzeSegments } from './guard-analyze.ts';
import type { AccessLog } from '../monitor/access-log.ts';

export interface AuthResult {
  principal: Principal;
  /** Limits the API key carries, when the principal used one. */
  keyLimits: LimitValues | null;
  /** Safe facts for the audit event's details (e.g. the agent inventory id). */
  details?: Readonly<Record<string, unknown>>;
}

export interface DeploymentEntry {
  readonly name: string;
  readonly limits: LimitValues | undefined;
  readonly router: DeploymentRouter;
}

export interface DataPlaneDeps {
  authenticate(req: IncomingMessage): Promise<AuthResult>;
  policy: PolicyEngine;
  /** Conditional access (access.rules), after the policy engine allowed; absent when no rule is configured. */
  access?: AccessCheck | undefined;
  quotas: QuotaService;
  /** The deploy gate (models/deploy-gate.ts): undefined (synchronously) for deployments it does not gate. */
  modelGate?: { check(deployment: string): Promise<void> | undefined };
  deployments: ReadonlyMap<string, DeploymentEntry>;
  inputGuard: InputGuard;
  outputGuard: OutputGuard;
  record(event: AuditEvent): void;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  bodyLimit: number;
  /** Longest a call may take end to end (server.requestTimeoutMs): then it is cancelled upstream too. */
  requestTimeoutMs: number;
  capturePayloads: boolean;
  exposeOverhead: boolean;
  /** Where the one JSON line per request goes (log.requests, monitor/access-log.ts); null when off. */
  accessLog: AccessLog | null;
  sourceIp(req: IncomingMessage): string | null;
  /** Runs a guard profile (named, or the default) on segments for /v1/guard/analyze. */
  analyze(profile: string | undefined, segments: Segment[], principal: Principal, requestId: string): Promise<Verdict>;
}

/** What one request learned on its way, for the response headers, metrics and the audit event. */
export interface RequestState {
  readonly requestId: string;
  readonly start: number;
  readonly route: string;
  action: string;
  principal: Principal | null;
  deployment: string | null;
  decision: Decision | null;
  upstreamMs: number;
  upstream: string | null;
  usage: Usage | null;
  sourceIp: string | null;
  details: Record<string, unknown>;
}

const OPERATIONS: Record<string, { op: Operation; schema: typeof chatCompletionRequest | typeof embeddingsRequest | typeof responsesRequest; estimate: (b: Record<string, unknown>) => number }> = {
  'chat.completions': { op: 'chat.completions', schema: chatCompletionRequest, estimate: estimateChatTokens },
  embeddings: { op: 'embeddings', schema: embeddingsRequest, estimate: estimateEmbeddingTokens },
  responses: { op: 'responses', schema: responsesRequest, estimate: estimateResponsesTokens },
};

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : newId('req');
}

export class DataPlane {
  readonly #d: DataPlaneDeps;

  constructor(deps: DataPlaneDeps) {
    this.#d = deps;
  }

  /** `POST /v1/chat/completions`, `/v1/embeddings`, `/v1/responses`. */
  async handleOperation(name: keyof typeof OPERATIONS, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const spec = OPERATIONS[name]!;
    const state = this.#newState(req, `/v1/${name === 'chat.completions' ? 'chat/completions' : name}`, name);
    const abort = new AbortController();
    // The client went away before we finished: cancel the upstream call.
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new RampartError('RAMPART_CLIENT_CLOSED'));
    });
    // Node's own timeouts cover receiving the request, not a stream kept alive by the upstream.
    const deadline = setTimeout(() => abort.abort(new RampartError('RAMPART_REQUEST_TIMEOUT')), this.#d.requestTimeoutMs);
    let reservation: Reservation | null = null;
    // Whether the upstream answered (tokens were spent) and whether its usage is the whole of it.
    let answered = false;
    let usageFinal = false;
    let forwarded = 0;
    let outputAllowance = 0;
    try {
      // authenticate before reading the body: an anonymous caller gets nothing buffered
      const auth = await this.#d.authenticate(req);
      state.principal = auth.principal;
      if (auth.details) Object.assign(state.details, auth.details);
      const raw = parseJsonObject(req, await readBody(req, this.#d.bodyLimit));
      const body = validateBody(spec.schema, raw) as Record<string, unknown>;
      const deploymentName = body.model as string;
      state.deployment = deploymentName;
      const deployment = this.#d.deployments.get(deploymentName);
      if (!deployment) {
        throw new RampartError('RAMPART_UNKNOWN_DEPLOYMENT', { detail: `Model: '${truncate(deploymentName)}'.`, param: 'model' });
      }
      const decision = this.#d.policy.authorize(auth.principal, { kind: 'invoke', deployment: deploymentName });
      state.decision = decision;
      if (decision.effect !== 'allow') {
        throw new RampartError('RAMPART_FORBIDDEN', { detail: `You may not invoke deployment '${deploymentName}'.` });
      }
      this.#enforceAccess(state, req, auth.principal, { kind: 'invoke', deployment: deploymentName });
      assertAgentTools(auth.principal, body);
      // The deploy gate: a deployment whose registered model has not passed verification is not served.
      const gate = this.#d.modelGate?.check(deploymentName);
      if (gate) await gate;
      if (!deployment.router.supports(spec.op)) {
        throw new RampartError('RAMPART_UNSUPPORTED_OPERATION', { detail: `Deployment '${deploymentName}' cannot serve ${spec.op}.` });
      }
      const estimate = spec.estimate(body);
      outputAllowance = maxOutput(body);
      reservation = await this.#d.quotas.reserve(
        { principal: auth.principal, keyLimits: auth.keyLimits, deployment: deploymentName, deploymentLimits: deployment.limits },
        estimate,
        this.#d.clock.now(),
      );
      const guardCtx: GuardContext = { requestId: state.requestId, principal: auth.principal, deployment: deploymentName, operation: spec.op, notes: state.details };
      const guarded = await this.#d.inputGuard.inspect(body, guardCtx);
      if (this.#d.capturePayloads) state.details.request = guarded;
      const stream = guarded.stream === true;
      state.details.stream = stream;

      const routed = await deployment.router.call(
        spec.op,
        guarded,
        { stream, signal: abort.signal, requestId: state.requestId },
        {
          onAttemptFailed: (target, failure) => {
            this.#d.metrics.upstreamErrors.inc({ target: target.label, kind: failure.kind, status: String(failure.status) });
            this.#d.logger.warn({ requestId: state.requestId, target: target.label, kind: failure.kind, status: failure.status }, 'upstream attempt failed');
          },
        },
      );
      answered = true;
      state.upstreamMs += routed.upstreamMs;
      state.upstream = routed.target.label;
      state.details.attempts = routed.attempts;
      this.#d.metrics.upstreamLatency.observe({ target: routed.target.label }, routed.upstreamMs / 1000);

      const headers = { ...reservation.headers, 'x-request-id': state.requestId };
      if (stream && routed.result.events) {
        const events = this.#d.outputGuard.wrapStream(routed.result.events, guardCtx);
        await relayStream(res, events, {
          headers: this.#overheadHeaders(state, headers),
          onFirstByte: () => this.#d.metrics.ttft.observe({ deployment: deploymentName }, (performance.now() - state.start) / 1000),
          onUpstreamWait: (ms) => {
            state.upstreamMs += ms;
          },
          capture: this.#d.capturePayloads ? (text) => (state.details.response = text) : undefined,
          onUsage: (usage) => {
            state.usage = usage;
          },
          onForward: () => {
            forwarded++;
          },
          signal: abort.signal,
          logger: this.#d.logger,
          requestId: state.requestId,
        });
        // The relay stops quietly when the client is gone: record that, not a complete answer.
        if (abort.signal.aborted) throw abort.signal.reason;
        usageFinal = state.usage !== null;
        this.#finish(state, 200, null);
      } else {
        // Usage first: an answer the output guard blocks was still generated, and is charged.
        const upstreamUsage = routed.result.usage;
        if (upstreamUsage) state.usage = { prompt: upstreamUsage.promptTokens, completion: upstreamUsage.completionTokens };
        usageFinal = state.usage !== null;
        const answer = await this.#d.outputGuard.inspectAnswer(routed.result.json, guardCtx);
        if (!state.usage) {
          state.usage = readUsage(answer);
          usageFinal = state.usage !== null;
        }
        if (this.#d.capturePayloads) state.details.response = answer;
        sendJson(res, routed.result.status, answer, this.#overheadHeaders(state, headers));
        this.#finish(state, routed.result.status, null);
      }
    } catch (e) {
      // Cancelled (client gone, deadline): record why, not the upstream error the cancellation caused.
      this.#fail(res, state, abort.signal.aborted && abort.signal.reason instanceof RampartError ? abort.signal.reason : e);
    } finally {
      clearTimeout(deadline);
      if (reservation) {
        const used = state.usage ? state.usage.prompt + state.usage.completion : 0;
        // An answer that did not end normally (client gone, stream cut, output blocked) or came
        // without usage is charged at least its reservation, or its prompt and one token per event
        // already streamed if that is more: tokens were generated that nobody reported.
        const floor = reservation.estimatedTokens + Math.max(0, forwarded - outputAllowance);
        const actual = answered && !usageFinal ? Math.max(floor, used) : used;
        this.#d.quotas.reconcile(reservation, actual, this.#d.clock.now()).catch((err: unknown) => {
          this.#d.logger.warn({ err, requestId: state.requestId }, 'token reconciliation failed');
        });
      }
    }
  }

  /** `POST /v1/guard/analyze`: a guard profile on given text, no model called. */
  async handleAnalyze(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = this.#newState(req, '/v1/guard/analyze', 'guard.analyze');
    try {
      const auth = await this.#d.authenticate(req);
      state.principal = auth.principal;
      if (auth.details) Object.assign(state.details, auth.details);
      const decision = this.#d.policy.authorize(auth.principal, { kind: 'admin', permission: 'guard:analyze' });
      state.decision = decision;
      if (decision.effect !== 'allow') throw new RampartError('RAMPART_FORBIDDEN', { detail: 'Requires the permission guard:analyze.' });
      this.#enforceAccess(state, req, auth.principal, { kind: 'admin', permission: 'guard:analyze' });
      const body = validateBody(analyzeRequest, parseJsonObject(req, await readBody(req, this.#d.bodyLimit)));
      const verdict = await this.#d.analyze(body.profile, analyzeSegments(body), auth.principal, state.requestId);
      state.details.guard = { profile: verdict.profile, blocked: verdict.blocked, findings: verdict.findings.length };
      sendJson(res, 200, analyzeAnswer(body, verdict), this.#overheadHeaders(state, { 'x-request-id': state.requestId }));
      this.#finish(state, 200, null);
    } catch (e) {
      this.#fail(res, state, e);
    }
  }

  /** `GET /v1/models`: only the deployments the caller may invoke. */
  async handleModels(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = this.#newState(req, '/v1/models', 'models.list');
    try {
      const auth = await this.#d.authenticate(req);
      state.principal = auth.principal;
      if (auth.details) Object.assign(state.details, auth.details);
      const data = [...this.#d.deployments.values()]
        .filter((d) => this.#d.policy.authorize(auth.principal, { kind: 'invoke', deployment: d.name }).effect === 'allow')
        // hide what access rules block or restrict away; step-up deployments stay listed (reachable after signing in again)
        .filter((d) => this.#d.access?.(auth.principal, { kind: 'invoke', deployment: d.name }, req).effect !== 'block')
        .map((d) => ({ id: d.name, object: 'model', created: 0, owned_by: 'rampart' }));
      state.decision = { effect: 'allow', policy: 'models.list', reason: `${data.length} deployments visible` };
      sendJson(res, 200, { object: 'list', data }, this.#overheadHeaders(state, { 'x-request-id': state.requestId }));
      this.#finish(state, 200, null);
    } catch (e) {
      this.#fail(res, state, e);
    }
  }

  /** Conditional access: the rules that applied go into the audit event; block → 403, step-up → 401 challenge. */
  #enforceAccess(state: RequestState, req: IncomingMessage, principal: Principal, action: Action): void {
    if (!this.#d.access) return;
    const access = this.#d.access(principal, action, req);
    if (access.matched.length > 0) state.details.access = accessDetails(access);
    if (access.effect === 'allow') return;
    state.decision = accessDenial(access);
    throw accessError(access, principal);
  }

  #newState(req: IncomingMessage, route: string, action: string): RequestState {
    return {
      requestId: requestIdOf(req),
      start: performance.now(),
      route,
      action,
      principal: null,
      deployment: null,
      decision: null,
      upstreamMs: 0,
      upstream: null,
      usage: null,
      sourceIp: this.#d.sourceIp(req),
      details: {},
    };
  }

  #overheadHeaders(state: RequestState, headers: Record<string, string>): Record<string, string> {
    if (!this.#d.exposeOverhead) return headers;
    const overhead = Math.max(0, performance.now() - state.start - state.upstreamMs);
    return { ...headers, 'x-rampart-overhead-ms': overhead.toFixed(3) };
  }

  #fail(res: ServerResponse, state: RequestState, e: unknown): void {
    state.principal ??= refusedPrincipal(e);
    let status: number;
    let code: string;
    if (e instanceof UpstreamFailure && e.body) {
      // A final upstream error (e.g. 400 for a bad parameter): the upstream's own sanitised body.
      status = e.status;
      code = 'RAMPART_UPSTREAM_ERROR';
      if (!res.headersSent) sendJson(res, status, e.body, this.#overheadHeaders(state, { 'x-request-id': state.requestId }));
    } else {
      const err = toRampartError(e);
      status = err.status;
      code = err.code;
      if (err.code === 'RAMPART_INTERNAL') this.#d.logger.error({ err: e, requestId: state.requestId }, 'internal error');
      else if (err.cause) this.#d.logger.debug({ err: err.cause, requestId: state.requestId, code }, 'request failed');
      if (!res.headersSent) {
        sendJson(res, status, openAiErrorBody(err), this.#overheadHeaders(state, { ...err.headers, 'x-request-id': state.requestId }));
      } else if (!res.writableEnded) {
        res.destroy(); // mid-stream failure not handled by the relay: cut the connection, never hang
      }
      if (status === 429 || status === 401 || status === 403 || status === 413 || status === 400 || status === 404 || status === 415) {
        this.#d.metrics.rejections.inc({ code });
      }
    }
    this.#finish(state, status, code);
  }

  #finish(state: RequestState, status: number, code: string | null): void {
    const latencyMs = performance.now() - state.start;
    const deployment = state.deployment && this.#d.deployments.has(state.deployment) ? state.deployment : '';
    this.#d.metrics.requestDone('data', state.route, deployment, status, latencyMs / 1000, Math.max(0, latencyMs - state.upstreamMs) / 1000);
    if (state.usage) {
      this.#d.metrics.tokens.inc({ direction: 'prompt', deployment }, state.usage.prompt);
      this.#d.metrics.tokens.inc({ direction: 'completion', deployment }, state.usage.completion);
    }
    const p = state.principal;
    this.#d.accessLog?.({ requestId: state.requestId, route: state.route, principal: p?.id, deployment: state.deployment, upstream: state.upstream, status, code, latencyMs: Math.round(latencyMs * 1000) / 1000 });
    this.#d.record({
      id: newId('aud'),
      time: this.#d.clock.now(),
      requestId: state.requestId,
      plane: 'data',
      action: state.action,
      principalId: p?.id ?? null,
      principalKind: p?.kind ?? null,
      apiKeyId: p?.apiKeyId ?? null,
      deployment: state.deployment ? truncate(state.deployment) : null,
      decision: code ? (status === 401 || status === 403 || status === 429 || code.startsWith('RAMPART_GUARD_') ? 'deny' : 'error') : 'allow',
      reason: state.decision?.reason ?? code,
      code,
      status,
      promptTokens: state.usage?.prompt ?? null,
      completionTokens: state.usage?.completion ?? null,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      upstream: state.upstream,
      sourceIp: state.sourceIp,
      details: Object.keys(state.details).length > 0 ? { ...state.details, policy: state.decision?.policy } : state.decision ? { policy: state.decision.policy } : null,
    });
  }
}

function truncate(s: string): string {
  return s.length > 128 ? `${s.slice(0, 128)}…` : s;
}
