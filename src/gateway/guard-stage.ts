/**
 * The guard engine as the gateway's input and output stages (guard-seam.ts): picks the profile
 * for the deployment and principal, scans every text segment, blocks with a coded error that names
 * the profile, category and detector (never the text), rewrites redacted or pseudonymized segments,
 * restores pseudonyms in the answer, and hands every finding on as a detection.
 */
import { RampartError } from '../core/errors.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { newId } from '../core/ids.ts';
import { emptyVerdict, scan, type AppliedFinding, type CompiledDetector, type CompiledProfile, type Segment, type Verdict } from '../guard/engine.ts';
import { LeakScanner, makeCanary, plantCanary } from '../guard/leak.ts';
import { newSpotlightContext, spotlightRewrites } from '../guard/spotlight.ts';
import {
  checkToolCalls,
  checkToolDefinitions,
  keptCallIndexes,
  toolCallsError,
  toolDefinitionsError,
  toolPolicyFindings,
  type PinStore,
  type ToolCall,
  type ToolFinding,
  type ToolPolicy,
} from '../guard/tool-control.ts';
import { quoteName } from '../guard/tool-definitions.ts';
import type { SpotlightConfig } from '../config/spotlight.ts';
import type { Channel } from '../guard/types.ts';
import type { Principal } from '../core/principal.ts';
import type { GuardProfiles } from '../guard/profiles.ts';
import { applyRewrites, Vault } from '../guard/rewrite.ts';
import type { Metrics } from '../monitor/metrics.ts';
import type { GuardContext, InputGuard, OutputGuard } from './guard-seam.ts';
import { answerSegments, applyAtPaths, isProse, isToolInput, requestSegments, withoutLogprobs } from './guard-segments.ts';
import type { SseOut } from './providers/provider.ts';
import type { StreamGuardOptions } from './stream-guard.ts';
import { guardChatStream } from './stream-guard-chat.ts';
import { guardResponsesStream } from './stream-guard-responses.ts';

export interface GuardStageDeps {
  profiles: GuardProfiles;
  /** Compiled `toolPolicies`, by name (profiles name theirs in `toolPolicy`). */
  toolPolicies: ReadonlyMap<string, ToolPolicy>;
  /** Tool-definition pins first seen per deployment and principal. */
  pins: PinStore;
  metrics: Metrics;
  /**
   * Stores a detection. `from.request` stands for the request (several findings count once toward
   * its principal's risk); `from.analyze` marks /v1/guard/analyze, which blocks nothing and so
   * raises no risk.
   */
  recordDetection(d: DetectionRecord, from?: { request: object; analyze?: boolean }): void;
  now(): number;
}

interface RequestGuardState {
  /** The selected profile, plus this request's own leak detector when it has one. */
  profile: CompiledProfile;
  vault: Vault;
}

const OUTPUT_ONLY: ReadonlySet<Channel> = new Set(['output']);

const ARGUMENT_PROFILES = new WeakMap<CompiledProfile, CompiledProfile>();

/**
 * The profile for tool-call arguments and custom tool inputs: without the exfiltration-link
 * detector. URLs in arguments are not rendered, and which hosts a tool may be sent to is the tool
 * policy's allowHosts.
 */
function argumentsProfile(profile: CompiledProfile): CompiledProfile {
  let p = ARGUMENT_PROFILES.get(profile);
  if (!p) {
    p = { ...profile, detectors: profile.detectors.filter((d) => d.id !== 'output-exfil-links') };
    ARGUMENT_PROFILES.set(profile, p);
  }
  return p;
}

/** One verdict from the verdicts of disjoint segment sets of one answer. */
function mergeVerdicts(vs: readonly Verdict[]): Verdict {
  const findings = vs.flatMap((v) => v.findings);
  const blockedBy = vs.map((v) => v.blockedBy).filter((f) => f !== null).sort((a, b) => b.score - a.score)[0] ?? null;
  return {
    profile: vs[0]!.profile,
    blocked: blockedBy !== null,
    blockedBy,
    findings,
    failures: vs.flatMap((v) => v.failures),
    rewrites: blockedBy ? new Map() : new Map(vs.flatMap((v) => [...v.rewrites])),
    durationMs: Math.max(...vs.map((v) => v.durationMs)),
  };
}

/** A chat tool call (`function`, or `custom` whose input stands for the arguments) or a legacy `function_call`. */
function chatToolCall(c: unknown): ToolCall {
  const call = c as { id?: unknown; function?: { name?: unknown; arguments?: unknown }; custom?: { name?: unknown; input?: unknown }; name?: unknown; arguments?: unknown } | null;
  const fn = call?.function ?? call?.custom ?? call;
  const args = call?.function ? call.function.arguments : call?.custom ? call.custom.input : call?.arguments;
  return {
    name: String(fn?.name ?? ''),
    arguments: typeof args === 'string' ? args : '',
    ...(typeof call?.id === 'string' ? { id: call.id } : {}),
  };
}

/** Where a request offers the model tools: `tools`, and the legacy `functions` (bare function definitions, chosen by `function_call`). */
interface ToolList {
  readonly field: 'tools' | 'functions';
  readonly choice: 'tool_choice' | 'function_call';
  readonly definition: (entry: unknown) => unknown;
}
const TOOL_LISTS: readonly ToolList[] = [
  { field: 'tools', choice: 'tool_choice', definition: (t) => t },
  { field: 'functions', choice: 'function_call', definition: (f) => ({ type: 'function', function: f }) },
];

/**
 * Marks untrusted texts (spotlight.ts) and tells the model so in the system prompt: the sentence is
 * appended to the last system or developer text, or becomes a system message of its own.
 */
function spotlightBody(op: GuardContext['operation'], body: Record<string, unknown>, config: SpotlightConfig): Record<string, unknown> {
  const ctx = newSpotlightContext({ marker: config.marker });
  const { rewrites, instruction } = spotlightRewrites(requestSegments(op, body, { toolDefinitions: false }).filter((s) => isProse(s.path)), config, ctx);
  if (!instruction) return body;
  return appendToSystem(op, applyAtPaths(body, rewrites), instruction);
}

/** `text` after the last system/developer text (responses: `instructions`); a new system message when there is none. */
function appendToSystem(op: GuardContext['operation'], body: Record<string, unknown>, text: string): Record<string, unknown> {
  if (op === 'responses') {
    return { ...body, instructions: typeof body.instructions === 'string' && body.instructions.length > 0 ? `${body.instructions}\n\n${text}` : text };
  }
  const messages = Array.isArray(body.messages) ? [...(body.messages as unknown[])] : [];
  let at = -1;
  messages.forEach((m, i) => {
    const role = (m as { role?: unknown } | null)?.role;
    if (role === 'system' || role === 'developer') at = i;
  });
  if (at < 0) return { ...body, messages: [{ role: 'system', content: text }, ...messages] };
  const m = messages[at] as Record<string, unknown>;
  if (typeof m.content === 'string') messages[at] = { ...m, content: m.content.length > 0 ? `${m.content}\n\n${text}` : text };
  else if (Array.isArray(m.content)) messages[at] = { ...m, content: [...(m.content as unknown[]), { type: 'text', text }] };
  else messages[at] = { ...m, content: text };
  return { ...body, messages };
}

/** Appends the canary sentence to the last system or developer text (adds a system message if there is none). */
function plantCanaryIn(op: GuardContext['operation'], body: Record<string, unknown>, canary: string): Record<string, unknown> {
  return appendToSystem(op, body, plantCanary('', canary).trim());
}

export function blockError(verdict: Verdict, output: boolean): RampartError {
  const f = verdict.blockedBy!;
  const what = f.category === 'guard.error' ? `detector '${f.detector}' ${f.rule === 'timeout' ? 'timed out' : 'failed'} (fail closed)` : `category '${f.category}' (detector ${f.detector})`;
  return new RampartError(output ? 'RAMPART_GUARD_OUTPUT_BLOCKED' : 'RAMPART_GUARD_BLOCKED', {
    detail: `Guard profile '${verdict.profile}' blocked ${what} in ${f.segment}.`,
  });
}

export function verdictNote(v: Verdict): Record<string, unknown> {
  return {
    profile: v.profile,
    blocked: v.blocked,
    durationMs: Math.round(v.durationMs * 1000) / 1000,
    findings: v.findings.map((f) => ({ detector: f.detector, category: f.category, score: Math.round(f.score * 1000) / 1000, action: f.action, segment: f.segment })),
    ...(v.failures.length ? { failures: v.failures } : {}),
  };
}

export class GuardStage implements InputGuard, OutputGuard {
  readonly #d: GuardStageDeps;
  readonly #state = new WeakMap<GuardContext, RequestGuardState>();

  constructor(deps: GuardStageDeps) {
    this.#d = deps;
  }

  /** /v1/guard/analyze: a named profile on given segments; findings are recorded like any other (but raise no risk: nothing was blocked). */
  async analyze(name: string, segments: Segment[], principal: Principal, requestId: string): Promise<Verdict> {
    const profile = this.#d.profiles.names().includes(name) ? this.#d.profiles.get(name) : null;
    if (!profile) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `profile: '${name}' is unknown or off (known: ${this.#d.profiles.names().join(', ')})`, param: 'profile' });
    }
    const verdict = await scan(profile, segments, new Vault());
    this.#record({ requestId, principal, deployment: '', operation: 'chat.completions', notes: {} }, verdict, true);
    return verdict;
  }

  #record(ctx: GuardContext, verdict: Verdict, analyze = false): void {
    for (const f of verdict.findings) {
      this.#d.metrics.detections.inc({ detector: f.detector, category: f.category, action: f.action });
      this.#d.recordDetection(toRecord(ctx, verdict.profile, f, this.#d.now()), { request: ctx, ...(analyze ? { analyze } : {}) });
    }
  }

  async inspect(body: Record<string, unknown>, ctx: GuardContext): Promise<Record<string, unknown>> {
    const profile = this.#d.profiles.select(ctx.deployment, ctx.principal);
    if (!profile) return body;
    const state: RequestGuardState = { profile, vault: new Vault() };
    this.#state.set(ctx, state);
    let out = body;
    if (profile.input) {
      const verdict = await scan(profile, requestSegments(ctx.operation, body), state.vault);
      ctx.notes.guardInput = verdictNote(verdict);
      this.#record(ctx, verdict);
      if (verdict.blocked) throw blockError(verdict, false);
      out = applyAtPaths(body, verdict.rewrites);
    }
    const policy = this.#policyOf(profile);
    if (policy) {
      for (const list of TOOL_LISTS) if (Array.isArray(out[list.field])) out = await this.#checkToolDefinitions(out, ctx, profile.name, policy, list);
    }
    if (profile.spotlight.mode !== 'off' && ctx.operation !== 'embeddings') out = spotlightBody(ctx.operation, out, profile.spotlight);
    if (profile.output && ctx.operation !== 'embeddings' && (profile.leak.systemPrompt || profile.leak.canary)) out = this.#armLeakChecks(out, ctx, state);
    return out;
  }

  #policyOf(profile: CompiledProfile): ToolPolicy | null {
    return profile.toolPolicy === null ? null : (this.#d.toolPolicies.get(profile.toolPolicy) ?? null);
  }

  /** Tool definitions the client offers the model (`tools` or `functions`): allow-listed, and unchanged against their pins. */
  async #checkToolDefinitions(body: Record<string, unknown>, ctx: GuardContext, profile: string, policy: ToolPolicy, list: ToolList): Promise<Record<string, unknown>> {
    const tools = body[list.field] as unknown[];
    const r = await checkToolDefinitions(policy, tools.map(list.definition), this.#d.pins, `${ctx.deployment}:${ctx.principal.id}`);
    this.#recordTools(ctx, profile, toolPolicyFindings({ definitions: r }), 'user', (i) => `${list.field}[${i}]`);
    if (r.action === 'allow') return body;
    const notes = r.tools.filter((t) => t.action !== 'allow').map((t) => ({ ...(list.field === 'functions' ? { list: 'functions' } : {}), index: t.index, status: t.status, action: t.action }));
    const noted = ctx.notes.toolDefinitions as { action: string; tools: unknown[] } | undefined;
    ctx.notes.toolDefinitions = noted ? { action: noted.action === 'block' ? 'block' : r.action, tools: [...noted.tools, ...notes] } : { action: r.action, tools: notes };
    if (r.action === 'block') {
      const e = toolDefinitionsError(r);
      throw list.field === 'tools' ? e : new RampartError(e.code, { detail: e.detail?.replace(/^Tools:/, 'Functions:'), param: list.field });
    }
    const dropped = new Set(r.tools.filter((t) => t.action === 'strip').map((t) => t.index));
    const droppedNames = new Set(r.tools.filter((t) => t.action === 'strip' && t.name !== null).map((t) => t.name!));
    const kept = tools.filter((_, i) => !dropped.has(i));
    const out: Record<string, unknown> = { ...body, [list.field]: kept };
    if (kept.length === 0) delete out[list.field];
    const choice = body[list.choice] as { function?: { name?: unknown }; name?: unknown } | string | undefined;
    const chosen = typeof choice === 'object' && choice !== null ? (choice.function?.name ?? choice.name) : undefined;
    if (kept.length === 0 || (typeof chosen === 'string' && droppedNames.has(chosen))) delete out[list.choice];
    return out;
  }

  #recordTools(ctx: GuardContext, profile: string, findings: readonly ToolFinding[], channel: Channel, segment: (i: number) => string): void {
    for (const f of findings) {
      const action = f.toolAction === 'allow' ? 'annotate' : f.toolAction;
      this.#d.metrics.detections.inc({ detector: f.detector, category: f.category, action });
      const excerpt = `${f.subject === 'call' ? 'tool call' : 'tool definition'} ${f.toolName === null ? '(unnamed)' : quoteName(f.toolName)}`;
      this.#d.recordDetection({ ...toRecord(ctx, profile, { ...f, segment: segment(f.index), channel, action: 'annotate', excerpt }, this.#d.now()), action }, { request: ctx });
    }
  }

  /**
   * Tool calls in an answer against the profile's tool policy. Returns the indexes of the calls to
   * keep (all of them without a policy); throws RAMPART_TOOL_CALL_BLOCKED when the policy blocks.
   */
  async #checkToolCalls(ctx: GuardContext, state: RequestGuardState, calls: readonly ToolCall[], segment: (i: number) => string): Promise<number[]> {
    const policy = this.#policyOf(state.profile);
    if (!policy || calls.length === 0) return calls.map((_, i) => i);
    const profile = state.profile;
    // The policy judges what the client will receive: arguments with pseudonyms restored, or a
    // placeholder would pass a check its real value fails (a host, an address, a secret).
    const judged = state.vault.size === 0 ? calls : calls.map((c) => ({ ...c, arguments: state.vault.restore(c.arguments) }));
    const r = await checkToolCalls(policy, judged, {
      scanText: async (text, path) => {
        const v = await scan(profile, [{ path, channel: 'output', text }], null);
        // A detector that failed is a failed scan (the policy's scan_failed), unless the profile lets failures through.
        if (v.failures.length > 0 && profile.onError === 'block') throw new Error(`tool-call scan failed: ${v.failures.map((f) => `${f.detector} ${f.kind}`).join(', ')}`);
        return v.findings;
      },
    });
    this.#recordTools(ctx, profile.name, toolPolicyFindings({ calls: r }), 'output', segment);
    if (r.action !== 'allow') ctx.notes.toolCalls = { action: r.action, calls: r.calls.filter((c) => c.action !== 'allow').map((c) => ({ index: c.index, action: c.action, violations: c.violations.map((v) => v.kind) })) };
    if (r.action === 'block') throw toolCallsError(r);
    return keptCallIndexes(r);
  }

  /**
   * Fingerprints the system prompt the model will see and, if the profile says so, plants a fresh
   * canary in it; the answer is then scanned for both with the request's own leak detector.
   */
  #armLeakChecks(body: Record<string, unknown>, ctx: GuardContext, state: RequestGuardState): Record<string, unknown> {
    const { leak } = state.profile;
    const systemTexts = leak.systemPrompt ? requestSegments(ctx.operation, body, { toolDefinitions: false }).filter((s) => s.channel === 'system' && isProse(s.path)).map((s) => s.text) : [];
    const canary = leak.canary ? makeCanary() : null;
    const scanner = LeakScanner.create({ systemTexts, canary, minRunWords: leak.minRunWords });
    if (!scanner.comparesPrompt && !canary) return body;
    ctx.notes.leakChecks = { systemPrompt: scanner.comparesPrompt, canary: canary !== null };
    const detector: CompiledDetector = { id: 'system-prompt-leak', version: '1.0.0', channels: OUTPUT_ONLY, threshold: () => 0, detect: ({ text }) => scanner.scan(text) };
    state.profile = { ...state.profile, detectors: [...state.profile.detectors, detector] };
    return canary ? plantCanaryIn(ctx.operation, body, canary) : body;
  }

  async inspectAnswer(answer: unknown, ctx: GuardContext): Promise<unknown> {
    const state = this.#state.get(ctx);
    if (!state) return answer;
    let out = answer;
    if (state.profile.output) {
      const segments = answerSegments(ctx.operation, answer);
      const verdict = mergeVerdicts(
        await Promise.all([
          scan(state.profile, segments.filter((g) => !isToolInput(g.path)), state.vault),
          scan(argumentsProfile(state.profile), segments.filter((g) => isToolInput(g.path)), state.vault),
        ]),
      );
      ctx.notes.guardOutput = verdictNote(verdict);
      this.#record(ctx, verdict);
      if (verdict.blocked) throw blockError(verdict, true);
      out = withoutLogprobs(ctx.operation, applyAtPaths(answer, verdict.rewrites));
    }
    out = await this.#controlAnswerToolCalls(out, ctx, state);
    if (state.vault.size === 0) return out;
    // Pseudonymized values come back in the answer the caller sees.
    const restore = new Map(answerSegments(ctx.operation, out).map((s) => [s.path, state.vault.restore(s.text)]));
    return applyAtPaths(out, restore);
  }

  /**
   * Removes the tool calls the policy strips from a plain answer: chat `tool_calls` and the legacy
   * `function_call`, responses `function_call` and `custom_tool_call` items.
   */
  async #controlAnswerToolCalls(answer: unknown, ctx: GuardContext, state: RequestGuardState): Promise<unknown> {
    if (!this.#policyOf(state.profile) || typeof answer !== 'object' || answer === null) return answer;
    type Choice = { message?: { tool_calls?: unknown[]; function_call?: unknown } & Record<string, unknown>; finish_reason?: unknown };
    const a = answer as { choices?: Choice[]; output?: unknown[] };
    if (ctx.operation === 'chat.completions' && Array.isArray(a.choices)) {
      const choices = await Promise.all(
        a.choices.map(async (choice, ci) => {
          let out: Choice = choice;
          const list = choice?.message?.tool_calls;
          if (Array.isArray(list) && list.length > 0) {
            const calls = list.map(chatToolCall);
            const keep = new Set(await this.#checkToolCalls(ctx, state, calls, (i) => `choices[${ci}].message.tool_calls[${i}]`));
            if (keep.size !== list.length) {
              const kept = list.filter((_, i) => keep.has(i));
              const message: Record<string, unknown> = { ...out.message, tool_calls: kept };
              if (kept.length === 0) delete message.tool_calls;
              out = { ...out, message, ...(kept.length === 0 && out.finish_reason === 'tool_calls' ? { finish_reason: 'stop' } : {}) };
            }
          }
          const legacy = choice?.message?.function_call;
          if (typeof legacy === 'object' && legacy !== null) {
            const keep = await this.#checkToolCalls(ctx, state, [chatToolCall(legacy)], () => `choices[${ci}].message.function_call`);
            if (keep.length === 0) {
              const { function_call: _dropped, ...message } = out.message!;
              out = { ...out, message, ...(out.finish_reason === 'function_call' ? { finish_reason: 'stop' } : {}) };
            }
          }
          return out;
        }),
      );
      return { ...a, choices };
    }
    if (ctx.operation === 'responses' && Array.isArray(a.output)) {
      const at: number[] = [];
      const calls: ToolCall[] = [];
      a.output.forEach((item, i) => {
        const it = item as { type?: unknown; name?: unknown; arguments?: unknown; input?: unknown; call_id?: unknown };
        if (it?.type !== 'function_call' && it?.type !== 'custom_tool_call') return;
        at.push(i);
        const args = it.type === 'function_call' ? it.arguments : it.input;
        calls.push({ name: String(it.name ?? ''), arguments: typeof args === 'string' ? args : '', ...(typeof it.call_id === 'string' ? { id: it.call_id } : {}) });
      });
      if (calls.length === 0) return answer;
      const keep = new Set((await this.#checkToolCalls(ctx, state, calls, (i) => `output[${at[i]}]`)).map((i) => at[i]!));
      return { ...a, output: a.output.filter((_item, i) => !at.includes(i) || keep.has(i)) };
    }
    return answer;
  }

  wrapStream(events: AsyncIterable<SseOut>, ctx: GuardContext): AsyncIterable<SseOut> {
    const state = this.#state.get(ctx);
    if (!state) return events;
    const { profile, vault } = state;
    const policy = this.#policyOf(profile);
    if (!profile.output && vault.size === 0 && !policy) return events;
    const toolGate: StreamGuardOptions['toolGate'] = policy
      ? (calls, segment) => this.#checkToolCalls(ctx, state, calls, segment)
      : undefined;
    const opts: StreamGuardOptions = profile.output
      ? {
          holdBack: profile.stream.holdBackChars,
          context: profile.stream.contextChars,
          scan: (text, path) => scan(isToolInput(path) ? argumentsProfile(profile) : profile, [{ path, channel: 'output', text }], vault),
          rewrite: (text, path, findings) => rewriteWith(text, path, findings, vault, profile.excerptChars),
          report: (verdict) => {
            const notes = (ctx.notes.guardOutput ??= { profile: verdict.profile, blocked: false, durationMs: 0, findings: [] }) as StreamNotes;
            const v = verdictNote(verdict) as unknown as StreamNotes;
            notes.blocked ||= v.blocked;
            notes.durationMs = Math.round((notes.durationMs + v.durationMs) * 1000) / 1000;
            notes.findings.push(...v.findings);
            if (v.failures) (notes.failures ??= []).push(...v.failures);
            this.#record(ctx, verdict);
          },
          blockError: (verdict) => blockError(verdict, true),
          vault,
          toolGate,
          dropLogprobs: true,
        }
      : // Output scanning is off, but pseudonyms from the input must come back: hold back only
        // as much as the longest placeholder, and scan nothing.
        {
          holdBack: Math.max(16, vault.longest),
          context: 0,
          scan: async () => emptyVerdict(profile.name),
          rewrite: (text) => text,
          report: () => {},
          blockError: (verdict) => blockError(verdict, true),
          vault,
          toolGate,
          dropLogprobs: false,
        };
    return ctx.operation === 'responses' ? guardResponsesStream(events, opts) : guardChatStream(events, opts);
  }
}

interface StreamNotes {
  blocked: boolean;
  durationMs: number;
  findings: unknown[];
  failures?: unknown[];
}


/** Applies the span actions of `findings` (window offsets) to one window of streamed text. */
function rewriteWith(text: string, path: string, findings: readonly AppliedFinding[], vault: Vault, excerptChars: number): string {
  const seg = { path, text };
  const { rewrites } = applyRewrites([seg], findings.map((f) => ({ finding: f, seg, action: f.action })), vault, excerptChars);
  return rewrites.get(path) ?? text;
}

function toRecord(ctx: GuardContext, profile: string, f: AppliedFinding, now: number): DetectionRecord {
  return {
    id: newId('det'),
    time: now,
    requestId: ctx.requestId,
    principalId: ctx.principal.id,
    deployment: ctx.deployment || null,
    profile,
    detector: f.detector,
    detectorVersion: f.detectorVersion,
    category: f.category,
    severity: f.severity,
    score: f.score,
    channel: f.channel,
    segment: f.segment,
    action: f.action,
    rule: f.rule,
    explanation: f.explanation,
    excerpt: f.excerpt,
  };
}
