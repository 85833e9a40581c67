/**
 * Runs a compiled guard profile over the text segments of one request or answer: every enabled
 * detector on every segment of a channel it covers, together inside the profile's time budget.
 * A detector that throws or overruns the budget yields a `guard.error` finding whose action is the
 * profile's failure direction (block unless the profile says allow). Findings under their
 * threshold are dropped; the rest get the action of their most specific category key.
 */
import type { GuardAction } from '../config/guard.ts';
import type { SpotlightConfig } from '../config/spotlight.ts';
import type { Channel, DetectFn, Finding } from './types.ts';
import { applyRewrites, type Vault } from './rewrite.ts';

export interface Segment {
  /** Where the text is in the body, e.g. `messages[2].content` (for audit and rewriting). */
  readonly path: string;
  readonly channel: Channel;
  readonly text: string;
}

export interface AppliedFinding extends Finding {
  readonly segment: string;
  readonly channel: Channel;
  readonly action: GuardAction;
  /** Context around the finding with every sensitive span of the segment replaced by its type. */
  readonly excerpt: string;
}

export interface DetectorFailure {
  readonly detector: string;
  readonly kind: 'error' | 'timeout';
  readonly segment: string;
}

export interface Verdict {
  readonly profile: string;
  readonly blocked: boolean;
  /** The finding that decided the block (highest severity, then score). */
  readonly blockedBy: AppliedFinding | null;
  readonly findings: readonly AppliedFinding[];
  readonly failures: readonly DetectorFailure[];
  /** Rewritten text per segment path (mask, placeholder, pseudonymize); absent = unchanged. */
  readonly rewrites: ReadonlyMap<string, string>;
  readonly durationMs: number;
}

export interface CompiledDetector {
  readonly id: string;
  readonly version: string;
  readonly channels: ReadonlySet<Channel>;
  readonly threshold: (channel: Channel) => number;
  readonly detect: DetectFn;
  /** Told the cause when `detect` throws (not on timeouts); see DetectorContext.onError. */
  readonly onError?: (err: unknown) => void;
}

export interface CompiledProfile {
  readonly name: string;
  readonly detectors: readonly CompiledDetector[];
  readonly actionFor: (category: string) => GuardAction;
  readonly timeBudgetMs: number;
  readonly onError: 'block' | 'allow';
  readonly input: boolean;
  readonly output: boolean;
  readonly excerptChars: number;
  /** Streamed output: characters held back per stream, and characters of sent text rescanned as context. */
  readonly stream: { readonly holdBackChars: number; readonly contextChars: number };
  /** System-prompt leak checks and the canary (applied per request by the gateway). */
  readonly leak: { readonly systemPrompt: boolean; readonly canary: boolean; readonly minRunWords: number };
  /** How untrusted content is marked before it reaches the model (spotlight.ts). */
  readonly spotlight: SpotlightConfig;
  /** The tool policy (by name) that tool definitions and tool calls must satisfy; null: none. */
  readonly toolPolicy: string | null;
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/** Most specific key wins: `pii.email` over `pii` over `*`. */
export function actionResolver(actions: Readonly<Record<string, GuardAction>>): (category: string) => GuardAction {
  const cache = new Map<string, GuardAction>();
  return (category) => {
    let hit = cache.get(category);
    if (hit) return hit;
    let key = category;
    for (;;) {
      if (actions[key]) {
        hit = actions[key];
        break;
      }
      const dot = key.lastIndexOf('.');
      if (dot < 0) {
        hit = actions['*'] ?? 'annotate';
        break;
      }
      key = key.slice(0, dot);
    }
    cache.set(category, hit);
    return hit;
  };
}

type Outcome = { findings: readonly Finding[] } | { failure: 'error' | 'timeout' };

const TIMED_OUT: Outcome = { failure: 'timeout' };
const FAILED: Outcome = { failure: 'error' };

/**
 * One detector on one segment. A synchronous detector (every built-in one) is answered
 * synchronously: no promise, no timer, no microtask per detector, which was about a tenth of a
 * default-profile scan of a 2 KB prompt. Only a detector that returns a promise starts the
 * profile's budget timer (`budget`, shared by all of them) and is raced against it.
 */
function runOne(det: CompiledDetector, seg: Segment, signal: AbortSignal, deadline: number, overran: () => boolean, budget: () => Promise<'timeout'>): Outcome | Promise<Outcome> {
  let result: readonly Finding[] | Promise<readonly Finding[]>;
  try {
    result = det.detect({ text: seg.text, channel: seg.channel, signal });
  } catch (err) {
    if (signal.aborted) return TIMED_OUT;
    det.onError?.(err);
    return FAILED;
  }
  if (result instanceof Promise) return settle(det, result, signal, deadline, budget());
  // A detector that answers with anything but a list has failed, like one that throws (a
  // thenable that is not a Promise included): the profile's failure direction applies.
  if (!Array.isArray(result)) {
    det.onError?.(new TypeError(`detector ${det.id} answered ${typeof result}, not a list of findings`));
    return FAILED;
  }
  // A synchronous detector cannot be interrupted; if it overran the budget it still failed it.
  return overran() ? TIMED_OUT : { findings: result };
}

async function settle(det: CompiledDetector, result: Promise<readonly Finding[]>, signal: AbortSignal, deadline: number, budget: Promise<'timeout'>): Promise<Outcome> {
  try {
    const findings = await Promise.race([result, budget]);
    if (findings === 'timeout' || performance.now() > deadline) return TIMED_OUT;
    if (!Array.isArray(findings)) {
      det.onError?.(new TypeError(`detector ${det.id} resolved to ${typeof findings}, not a list of findings`));
      return FAILED;
    }
    return { findings };
  } catch (err) {
    if (signal.aborted) return TIMED_OUT;
    det.onError?.(err);
    return FAILED;
  }
}

/**
 * This thread's CPU time in ms; null where Node cannot tell (before 23.9). The kernel brings a
 * running thread's count up to date at its scheduler tick, so a reading may lag by one (1–4 ms).
 */
const threadCpuMs: (() => number) | null =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const u = process.threadCpuUsage();
        return (u.user + u.system) / 1000;
      }
    : null;

interface CpuSample {
  readonly wall: number;
  readonly cpu: number;
}
/** This thread's CPU time as last read, and when (module state is per thread). */
let lastCpu: CpuSample | null = null;

/**
 * A reading of this thread's CPU time taken at most `maxAgeMs` before `now`: reading the CPU
 * clock is a system call (about 1.5 µs, and it slows the code after it), too dear for every scan.
 */
function recentCpu(now: number, maxAgeMs: number): CpuSample | null {
  if (threadCpuMs === null) return null;
  if (lastCpu === null || now - lastCpu.wall > maxAgeMs) lastCpu = { wall: now, cpu: threadCpuMs() };
  return lastCpu;
}

/** The verdict on nothing: no findings, nothing rewritten. */
export function emptyVerdict(profile: string): Verdict {
  return { profile, blocked: false, blockedBy: null, findings: [], failures: [], rewrites: new Map(), durationMs: 0 };
}

export async function scan(profile: CompiledProfile, segments: readonly Segment[], vault: Vault | null): Promise<Verdict> {
  const t0 = performance.now();
  // Nothing to read (no text, or no detector for its channels): no budget timer, no rewrites.
  if (!segments.some((seg) => seg.text.length > 0 && profile.detectors.some((d) => d.channels.has(seg.channel)))) {
    return emptyVerdict(profile.name);
  }
  const deadline = t0 + profile.timeBudgetMs;
  // Synchronous detectors run on this thread, start to end: they overran the budget when the
  // scan's own CPU time did, not when the clock did. A paused machine (a virtual CPU descheduled
  // by its host, a stopped process) must not turn into a block of a request that was scanned in
  // full. Once the clock says the deadline passed, the CPU time since a reading taken at most a
  // quarter of the budget before the scan bounds the scan's from above: at most the budget, and
  // the scan did not overrun it; more, and it counts as overrun (as it always did by the clock).
  const cpu = recentCpu(t0, profile.timeBudgetMs / 4);
  const overran = (): boolean => performance.now() > deadline && (cpu === null || threadCpuMs!() - cpu.cpu > profile.timeBudgetMs);
  const controller = new AbortController();
  // The budget timer is armed by the first detector that answers with a promise, for what is left
  // of the budget then (synchronous detectors are checked with `overran` as they return).
  let timer: NodeJS.Timeout | undefined;
  let budget: Promise<'timeout'> | undefined;
  const armBudget = () =>
    (budget ??= new Promise<'timeout'>((resolve) => {
      timer = setTimeout(
        () => {
          controller.abort();
          resolve('timeout');
        },
        Math.max(0, deadline - performance.now()),
      );
    }));
  const results: (Outcome | Promise<Outcome>)[] = [];
  const owners: { det: CompiledDetector; seg: Segment }[] = [];
  for (const seg of segments) {
    if (seg.text.length === 0) continue;
    for (const det of profile.detectors) {
      if (!det.channels.has(seg.channel)) continue;
      results.push(runOne(det, seg, controller.signal, deadline, overran, armBudget));
      owners.push({ det, seg });
    }
  }
  const outcomes = budget ? await Promise.all(results) : (results as Outcome[]);
  clearTimeout(timer);

  const raw: { finding: Finding; seg: Segment; action: GuardAction }[] = [];
  const failures: DetectorFailure[] = [];
  outcomes.forEach((o, i) => {
    const { det, seg } = owners[i]!;
    if ('failure' in o) {
      failures.push({ detector: det.id, kind: o.failure, segment: seg.path });
      raw.push({
        seg,
        action: profile.onError === 'block' ? 'block' : 'annotate',
        finding: {
          detector: det.id,
          detectorVersion: det.version,
          category: 'guard.error',
          start: 0,
          end: seg.text.length,
          verdict: true,
          score: 1,
          severity: 'high',
          rule: o.failure,
          explanation: `Detector ${det.id} ${o.failure === 'timeout' ? `did not finish within ${profile.timeBudgetMs} ms` : 'failed'}; the profile ${profile.onError === 'block' ? 'fails closed' : 'lets the text through'}.`,
        },
      });
      return;
    }
    const threshold = det.threshold(seg.channel);
    for (const f of o.findings) {
      if (f.score >= threshold) raw.push({ finding: f, seg, action: profile.actionFor(f.category) });
    }
  });

  const { rewrites, excerpts } = applyRewrites(segments, raw, vault, profile.excerptChars);
  const findings: AppliedFinding[] = raw.map((r, i) => ({ ...r.finding, segment: r.seg.path, channel: r.seg.channel, action: r.action, excerpt: excerpts[i]! }));
  const blocking = findings.filter((f) => f.action === 'block');
  const blockedBy =
    blocking.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.score - a.score)[0] ?? null;
  return { profile: profile.name, blocked: blockedBy !== null, blockedBy, findings, failures, rewrites: blockedBy ? new Map() : rewrites, durationMs: performance.now() - t0 };
}
