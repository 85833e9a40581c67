/**
 * A tool policy compiled once, at start-up: arguments validators (Ajv, strict), host patterns
 * and pins, ready for `checkToolCalls` (answers) and `checkToolDefinitions` (requests).
 * A bad policy throws RAMPART_CONFIG_INVALID with the config path of every problem.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compileArgumentsSchema } from '../config/arguments-schema.ts';
import { parseHostPattern, type HostPattern } from '../config/host-pattern.ts';
import { ConfigError, formatPath, type ConfigProblem } from '../config/load.ts';
import { toolPolicySchema, type ToolAction, type ToolPolicyConfigInput } from '../config/tools.ts';

export interface CompiledTool {
  readonly name: string;
  /** Absent: any JSON object. */
  readonly validate: ValidateFunction | null;
  /** Hosts its arguments may name; null: not checked. */
  readonly allowHosts: readonly HostPattern[] | null;
}

export interface ToolPolicy {
  readonly name: string;
  /** Listed tools by exact name. */
  readonly tools: ReadonlyMap<string, CompiledTool>;
  readonly onViolation: ToolAction;
  readonly unlistedTools: ToolAction;
  /** Finding categories (or prefixes) that make a string argument a secret_in_arguments violation. */
  readonly scanCategories: readonly string[];
  readonly maxArgumentsChars: number;
  readonly pinDefinitions: boolean;
  /** Fixed pins by tool name (`sha256:<hex>`). */
  readonly pins: ReadonlyMap<string, string>;
  /** Hosts for arguments of unlisted tools (reported alongside unlisted_tool); null: not checked. */
  readonly allowHosts: readonly HostPattern[] | null;
  /** The listed name an unlisted one differs from only by case, spacing or width (`Send_Email ` → `send_email`), for hints. */
  readonly nearMiss: (name: string) => string | undefined;
}

/** For the "only differs by case or spacing" hint of an unlisted name. */
export function foldToolName(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u200b-\u200d\u2060\ufeff]+/gu, '').toLowerCase();
}

/**
 * Compiles one policy. `config` may be the parsed config section or raw input (it is parsed
 * again, without mutating it); `name` is the policy's key under `toolPolicies`, for error paths.
 * @example
 *   const policy = compileToolPolicy({ tools: [{ name: 'get_weather', parameters: { type: 'object' } }] }, 'weather');
 */
export function compileToolPolicy(config: ToolPolicyConfigInput, name = 'policy'): ToolPolicy {
  const parsed = toolPolicySchema.safeParse(config);
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((i) => ({ path: formatPath(['toolPolicies', name, ...i.path]), message: i.message }));
    throw new ConfigError('RAMPART_CONFIG_INVALID', problems);
  }
  const cfg = parsed.data;
  const policyHosts = cfg.allowHosts ? cfg.allowHosts.map(parseHostPattern) : null;
  const tools = new Map<string, CompiledTool>();
  for (const t of cfg.tools) {
    tools.set(t.name, {
      name: t.name,
      // Already compiled once by the schema's refinement; compiling again keeps this module free of shared state.
      validate: t.parameters ? compileArgumentsSchema(t.parameters) : null,
      allowHosts: t.allowHosts ? t.allowHosts.map(parseHostPattern) : policyHosts,
    });
  }
  const folded = new Map([...tools.keys()].map((n) => [foldToolName(n), n]));
  return {
    name,
    tools,
    onViolation: cfg.onViolation,
    unlistedTools: cfg.unlistedTools,
    scanCategories: cfg.scanCategories,
    maxArgumentsChars: cfg.maxArgumentsChars,
    pinDefinitions: cfg.pinDefinitions,
    pins: new Map(Object.entries(cfg.pins)),
    allowHosts: policyHosts,
    nearMiss: (n) => folded.get(foldToolName(n.slice(0, 512))),
  };
}

/** Every policy of the `toolPolicies` section, by name. */
export function compileToolPolicies(section: Readonly<Record<string, ToolPolicyConfigInput>>): ReadonlyMap<string, ToolPolicy> {
  return new Map(Object.entries(section).map(([name, cfg]) => [name, compileToolPolicy(cfg, name)]));
}
