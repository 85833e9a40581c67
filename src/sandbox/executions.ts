/**
 * One execution, orchestrated (issue 7, points 1, 4, 5): resolve the caller's policy, check the
 * language, hash the code, apply approved-code-only (enforce: refuse and raise a detection;
 * audit: run and flag), settle the limits (a request may lower the caller's, not raise them), run
 * it in the caller's session, and put everything on the record: the audit details, the metrics,
 * and detections for network attempts and repeated limit kills.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { DetectionRecord } from '../core/detection.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { PartialSandboxLimits, SandboxConfig } from '../config/sandbox.ts';
import { agentOf } from '../identity/agents.ts';
import type { Metrics } from '../monitor/metrics.ts';
import { SandboxRunError, type ExecResult, type SandboxFile, type SandboxLanguage, type SandboxLimits } from './backend.ts';
import { codeSha256, MAX_CODE_BYTES, type ApprovalRegistry } from './approvals.ts';
import type { Availability } from './availability.ts';
import { requestLimits, type CallerPolicyResolver } from './caller-policy.ts';
import { KillTracker, limitAbuseDetection, networkAttemptDetection, unapprovedCodeDetection, type DetectionContext } from './detections.ts';
import type { ExecutionOutcome, SandboxMetrics } from './metrics.ts';
import type { SessionManager } from './sessions.ts';

export interface ExecuteInput {
  readonly language: string;
  readonly code: string;
  readonly limits?: PartialSandboxLimits | undefined;
}

/** Where the record goes while the call runs: the audit event's details, the request id. */
export interface ExecutionContext {
  readonly requestId: string;
  note(details: Record<string, unknown>): void;
}

export interface FilesTouched {
  readonly created: string[];
  readonly modified: string[];
  readonly deleted: string[];
  /** True when the lists were cut at MAX_LISTED each. */
  readonly truncated: boolean;
}

/** What the audit log keeps of one execution: never the code or its output. */
export interface ExecutionRecord {
  readonly session: string;
  readonly principalId: string;
  readonly agentId: string | null;
  readonly policy: string;
  readonly codeSha256: string;
  readonly codeBytes: number;
  readonly language: string;
  readonly approval: 'approved' | 'unapproved' | 'not-checked';
  readonly approvalMode: string;
  readonly limits: SandboxLimits;
  readonly outcome: ExecutionOutcome;
  readonly durationMs?: number;
  readonly cpuMs?: number | null;
  readonly peakMemoryBytes?: number | null;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly killedBy?: string | null;
  readonly stdoutBytes?: number;
  readonly stderrBytes?: number;
  readonly truncated?: boolean;
  readonly filesTouched?: FilesTouched;
  readonly network?: NetworkRecord;
}

/**
 * The execution's network attempts: counts of allowed and refused ones (those the backend only
 * counted included), the first refused hosts, and how many attempts the backend did not list.
 */
export interface NetworkRecord {
  readonly mode: string;
  readonly allowed: number;
  readonly refusedCount: number;
  readonly refused: readonly { host: string; port: number }[];
  readonly dropped: number;
}

const MAX_LISTED = 100;
const MAX_REFUSED_LISTED = 20;
/** Kills that say something about the caller's program (an ended session's abort does not). */
const LIMIT_KILLS = new Set(['timeout', 'memory', 'output', 'pids', 'disk']);
/** Past the backend's own timeout, the plane aborts the execution itself. */
const WATCHDOG_GRACE_MS = 5_000;

export interface ExecutionServiceOptions {
  config: SandboxConfig;
  sessions: SessionManager;
  approvals: ApprovalRegistry;
  policyOf: CallerPolicyResolver;
  availability: Availability;
  metrics: SandboxMetrics;
  /** The server's metrics (its detections counter). */
  baseMetrics: Metrics;
  recordDetection(d: DetectionRecord): void;
  clock: Clock;
  logger: Logger;
}

export class ExecutionService {
  readonly #o: ExecutionServiceOptions;
  readonly #languages: ReadonlySet<string>;
  readonly #kills: KillTracker;

  constructor(opts: ExecutionServiceOptions) {
    this.#o = opts;
    this.#languages = new Set(opts.config.languages);
    this.#kills = new KillTracker(opts.config.abuse.kills, opts.config.abuse.windowSeconds * 1000);
  }

  /**
   * Runs `input` in the caller's session `identifier` (started when it does not exist).
   *
   * @example
   *   const { result, record } = await executions.execute(principal, 'job-42', { language: 'python', code: 'print(1)' }, { requestId, note });
   */
  async execute(principal: Principal, identifier: string, input: ExecuteInput, ctx: ExecutionContext): Promise<{ result: ExecResult; record: ExecutionRecord }> {
    await this.#o.availability.assert();
    const { language, code } = input;
    if (!this.#languages.has(language)) {
      this.#o.metrics.executions.inc({ language: 'other', outcome: 'refused' });
      throw new RampartError('RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED', { detail: `Enabled: ${[...this.#languages].join(', ')}.`, param: 'language' });
    }
    const codeBytes = Buffer.byteLength(code, 'utf8');
    if (codeBytes === 0 || codeBytes > MAX_CODE_BYTES) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `code: 1 to ${MAX_CODE_BYTES} bytes`, param: 'code' });

    const agentId = agentOf(principal)?.id ?? null;
    const policy = this.#o.policyOf(principal, agentId);
    const limits = requestLimits(policy.limits, input.limits);
    const sha256 = codeSha256(code);
    const det: DetectionContext = { requestId: ctx.requestId, principalId: principal.id, identifier, sha256, language, time: this.#o.clock.now() };
    let record: ExecutionRecord = {
      session: identifier,
      principalId: principal.id,
      agentId,
      policy: policy.name,
      codeSha256: sha256,
      codeBytes,
      language,
      approval: 'not-checked',
      approvalMode: policy.approvedCodeOnly,
      limits,
      outcome: 'refused',
    };
    const note = () => ctx.note({ sandbox: record });

    if (policy.approvedCodeOnly !== 'off') {
      const verdict = await this.#o.approvals.check(sha256, language, principal.id);
      record = { ...record, approval: verdict.approved ? 'approved' : 'unapproved' };
      if (!verdict.approved && policy.approvedCodeOnly === 'enforce') {
        note();
        this.#o.metrics.executions.inc({ language, outcome: 'refused' });
        this.#detect(unapprovedCodeDetection(det, verdict.reason, policy.name));
        throw new RampartError('RAMPART_SANDBOX_CODE_NOT_APPROVED', { detail: `sha256 ${sha256} (${REASONS[verdict.reason]}).` });
      }
    }

    let run: { result: ExecResult; touched: FilesTouched };
    try {
      run = await this.#o.sessions.run(principal.id, identifier, { create: true, limits: policy.limits }, async (s) => {
        const before = await s.env.listFiles();
        const signal = AbortSignal.any([s.signal, AbortSignal.timeout(limits.timeoutMs + WATCHDOG_GRACE_MS)]);
        const result = await s.env.exec({ language: language as SandboxLanguage, code, limits, network: policy.network, signal });
        const after = await s.env.listFiles().catch(() => before);
        return { result, touched: diffFiles(before, after) };
      });
    } catch (e) {
      const code = e instanceof RampartError ? e.code : null;
      // Refusals of the session (its cap, a shutdown) are not executions that failed.
      const outcome: ExecutionOutcome = code === 'RAMPART_SANDBOX_SESSION_LIMIT' || code === 'RAMPART_SANDBOX_UNAVAILABLE' ? 'refused' : 'error';
      // A host-side failure after the program ran still says what it tried to reach.
      const seen = e instanceof SandboxRunError ? networkRecord(policy.network.mode, e) : undefined;
      record = { ...record, outcome, ...(seen && { network: seen }) };
      note();
      this.#o.metrics.executions.inc({ language, outcome });
      if (seen && seen.refusedCount > 0) this.#detect(networkAttemptDetection({ ...det, time: this.#o.clock.now() }, seen.refused, seen.refusedCount, policy.name));
      throw e;
    }
    this.#o.sessions.countExecution(principal.id, identifier);
    const { result, touched } = run;
    const network = networkRecord(policy.network.mode, result);
    const outcome: ExecutionOutcome = result.killedBy !== null ? 'killed' : result.exitCode === 0 ? 'succeeded' : 'failed';
    record = {
      ...record,
      outcome,
      durationMs: result.durationMs,
      cpuMs: result.cpuMs,
      peakMemoryBytes: result.peakMemoryBytes,
      exitCode: result.exitCode,
      signal: result.signal,
      killedBy: result.killedBy,
      stdoutBytes: result.stdoutBytes,
      stderrBytes: result.stderrBytes,
      truncated: result.truncated,
      filesTouched: touched,
      network,
    };
    note();
    this.#observe(language, record, result);
    const time = this.#o.clock.now();
    if (network.refusedCount > 0) this.#detect(networkAttemptDetection({ ...det, time }, network.refused, network.refusedCount, policy.name));
    if (result.killedBy !== null && LIMIT_KILLS.has(result.killedBy)) {
      const abuse = this.#kills.record(principal.id, result.killedBy, time);
      if (abuse) this.#detect(limitAbuseDetection({ ...det, time }, abuse.count, this.#o.config.abuse.windowSeconds, abuse.reasons));
    }
    return { result, record };
  }

  #observe(language: string, record: ExecutionRecord, result: ExecResult): void {
    const m = this.#o.metrics;
    m.executions.inc({ language, outcome: record.outcome });
    m.duration.observe({ language }, result.durationMs / 1000);
    m.outputBytes.inc({ language }, result.stdoutBytes + result.stderrBytes);
    if (result.killedBy !== null) m.kills.inc({ reason: result.killedBy });
  }

  #detect(d: DetectionRecord): void {
    this.#o.baseMetrics.detections.inc({ detector: d.detector, category: d.category, action: d.action });
    try {
      this.#o.recordDetection(d);
    } catch (err) {
      this.#o.logger.error({ err, category: d.category }, 'sandbox: recording a detection failed');
    }
  }
}

const REASONS = {
  'not-approved': 'not in the approval registry',
  revoked: 'its approval was revoked',
  'other-language': 'approved for another language',
  'own-approval': 'approved by this caller itself: an approval does not count for its own reviewer',
} as const;

/** The record of what a backend reported about the network: counts include what it did not list. */
export function networkRecord(mode: string, seen: Pick<ExecResult, 'network' | 'networkDropped'>): NetworkRecord {
  const refused = seen.network.filter((n) => !n.allowed).map((n) => ({ host: n.host, port: n.port }));
  const dropped = seen.networkDropped;
  return {
    mode,
    allowed: seen.network.length - refused.length + dropped.allowed,
    refusedCount: refused.length + dropped.refused,
    refused: refused.slice(0, MAX_REFUSED_LISTED),
    dropped: dropped.allowed + dropped.refused,
  };
}

/** Which files an execution created, changed and deleted (by size and modification time). */
export function diffFiles(before: readonly SandboxFile[], after: readonly SandboxFile[]): FilesTouched {
  const old = new Map(before.map((f) => [f.path, f]));
  const created: string[] = [];
  const modified: string[] = [];
  for (const f of after) {
    const was = old.get(f.path);
    if (was === undefined) created.push(f.path);
    else if (was.bytes !== f.bytes || was.modifiedAt !== f.modifiedAt) modified.push(f.path);
    old.delete(f.path);
  }
  const deleted = [...old.keys()];
  const truncated = created.length > MAX_LISTED || modified.length > MAX_LISTED || deleted.length > MAX_LISTED;
  const cut = (a: string[]) => a.sort().slice(0, MAX_LISTED);
  return { created: cut(created), modified: cut(modified), deleted: cut(deleted), truncated };
}
