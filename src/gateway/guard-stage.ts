/**
 * The guard engine as the gateway's input and output stages (guard-seam.ts): picks the profile
 * for the deployment and principal, scans every text segment, blocks with a coded error that names
 * the profile, category and detector (never the text), rewrites redacted or pseudonymized segments,
 * restores pseudonyms in the answer, and hands every finding on as a detection.
 */
import { RampartError } from '../core/errors.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { newId } from '../core/ids.ts';
import { scan, type AppliedFinding, type CompiledProfile, type Segment, type Verdict } from '../guard/engine.ts';
import type { Principal } from '../core/principal.ts';
import type { GuardProfiles } from '../guard/profiles.ts';
import { applyRewrites, Vault } from '../guard/rewrite.ts';
import type { Metrics } from '../monitor/metrics.ts';
import type { GuardContext, InputGuard, OutputGuard } from './guard-seam.ts';
import { answerSegments, applyAtPaths, requestSegments } from './guard-segments.ts';
import type { SseOut } from './providers/provider.ts';
import { guardChatStream, guardResponsesStream, type StreamGuardOptions } from './stream-guard.ts';

export interface GuardStageDeps {
  profiles: GuardProfiles;
  metrics: Metrics;
  recordDetection(d: DetectionRecord): void;
  now(): number;
}

interface RequestGuardState {
  profile: CompiledProfile;
  vault: Vault;
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

  /** /v1/guard/analyze: a named profile on given segments; findings are recorded like any other. */
  async analyze(name: string, segments: Segment[], principal: Principal, requestId: string): Promise<Verdict> {
    const profile = this.#d.profiles.names().includes(name) ? this.#d.profiles.get(name) : null;
    if (!profile) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `profile: '${name}' is unknown or off (known: ${this.#d.profiles.names().join(', ')})`, param: 'profile' });
    }
    const verdict = await scan(profile, segments, new Vault());
    this.#record({ requestId, principal, deployment: '', operation: 'chat.completions', notes: {} }, verdict);
    return verdict;
  }

  #record(ctx: GuardContext, verdict: Verdict): void {
    for (const f of verdict.findings) {
      this.#d.metrics.detections.inc({ detector: f.detector, category: f.category, action: f.action });
      this.#d.recordDetection(toRecord(ctx, verdict.profile, f, this.#d.now()));
    }
  }

  async inspect(body: Record<string, unknown>, ctx: GuardContext): Promise<Record<string, unknown>> {
    const profile = this.#d.profiles.select(ctx.deployment, ctx.principal);
    if (!profile) return body;
    const state = { profile, vault: new Vault() };
    this.#state.set(ctx, state);
    if (!profile.input) return body;
    const verdict = await scan(profile, requestSegments(ctx.operation, body), state.vault);
    ctx.notes.guardInput = verdictNote(verdict);
    this.#record(ctx, verdict);
    if (verdict.blocked) throw blockError(verdict, false);
    return applyAtPaths(body, verdict.rewrites);
  }

  async inspectAnswer(answer: unknown, ctx: GuardContext): Promise<unknown> {
    const state = this.#state.get(ctx);
    if (!state) return answer;
    let out = answer;
    if (state.profile.output) {
      const verdict = await scan(state.profile, answerSegments(ctx.operation, answer), state.vault);
      ctx.notes.guardOutput = verdictNote(verdict);
      this.#record(ctx, verdict);
      if (verdict.blocked) throw blockError(verdict, true);
      out = applyAtPaths(answer, verdict.rewrites);
    }
    if (state.vault.size === 0) return out;
    // Pseudonymized values come back in the answer the caller sees.
    const restore = new Map(answerSegments(ctx.operation, out).map((s) => [s.path, state.vault.restore(s.text)]));
    return applyAtPaths(out, restore);
  }

  wrapStream(events: AsyncIterable<SseOut>, ctx: GuardContext): AsyncIterable<SseOut> {
    const state = this.#state.get(ctx);
    if (!state) return events;
    const { profile, vault } = state;
    if (!profile.output && vault.size === 0) return events;
    const opts: StreamGuardOptions = profile.output
      ? {
          holdBack: profile.stream.holdBackChars,
          context: profile.stream.contextChars,
          scan: (text, path) => scan(profile, [{ path, channel: 'output', text }], vault),
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
        }
      : // Output scanning is off, but pseudonyms from the input must come back: hold back only
        // as much as the longest placeholder, and scan nothing.
        {
          holdBack: Math.max(16, vault.longest),
          context: 0,
          scan: async () => EMPTY_VERDICT(profile.name),
          rewrite: (text) => text,
          report: () => {},
          blockError: (verdict) => blockError(verdict, true),
          vault,
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

const EMPTY_VERDICT = (profile: string): Verdict => ({ profile, blocked: false, blockedBy: null, findings: [], failures: [], rewrites: new Map(), durationMs: 0 });

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
