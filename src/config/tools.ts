/**
 * The `toolPolicies` section of rampart.yaml: named tool policies that deployments (and
 * overrides per principal or app) refer to. A policy is an allow-list of the tools a model may
 * be offered and may call, with a JSON Schema for each tool's arguments, the hosts URL-valued
 * arguments may point at, what happens on a violation (block the whole answer, or strip the
 * offending calls), and pins of the tool definitions clients send (tool-poisoning detection).
 *
 * Every arguments schema is compiled here, so a bad one stops start-up with its path.
 */
import { z } from 'zod';
import { compileArgumentsSchema } from './arguments-schema.ts';
import { parseHostPattern } from './host-pattern.ts';

export const TOOL_ACTIONS = ['block', 'strip'] as const;
export type ToolAction = (typeof TOOL_ACTIONS)[number];

const POLICY_NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, . _ -');
/** OpenAI and Anthropic function names are [A-Za-z0-9_-]{1,64}; MCP-style names add . and :. */
const TOOL_NAME = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, _ . : - (exactly as the model calls it)');
const CATEGORY_KEY = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'must be a finding category such as secret or pii.payment_card');
const PIN = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lower-case hex digits> (rampart prints it for a definition)');

const HOST_PATTERN = z
  .string()
  .min(1)
  .max(260)
  .superRefine((p, ctx) => {
    try {
      parseHostPattern(p);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

export const toolSchema = z
  .strictObject({
    name: TOOL_NAME.describe('The tool (function) name, matched exactly: a call to "Send_Email " is not a call to send_email.'),
    description: z.string().max(2_000).optional().describe('What the tool is for (documentation only).'),
    parameters: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'JSON Schema (2020-12) the call arguments must satisfy, checked in strict mode at start-up (unknown keywords and formats are errors; ' +
          '`pattern` is RE2 syntax). Absent: any JSON object.',
      ),
    allowHosts: z
      .array(HOST_PATTERN)
      .max(1_000)
      .optional()
      .describe(
        'Hosts that URLs and host names in the arguments may name: exact (api.example.com), every sub-domain (*.example.com), or * for any. ' +
          "Replaces the policy's allowHosts for this tool. Absent: the policy's list.",
      ),
  })
  .describe('A tool the model may be offered and may call.');

export const toolPolicySchema = z
  .strictObject({
    description: z.string().max(2_000).optional(),
    tools: z.array(toolSchema).max(1_000).default([]).describe('The allow-list. A tool not listed here is an unlisted tool (see unlistedTools).'),
    onViolation: z
      .enum(TOOL_ACTIONS)
      .default('block')
      .describe(
        'When a call to a listed tool breaks the policy (arguments that do not parse or fit the schema, a host not allowed, a secret in the arguments) ' +
          'or a client-sent definition differs from its pin: block refuses the whole answer (or request); strip removes the offending calls ' +
          '(or tool definitions) and reports them.',
      ),
    unlistedTools: z
      .enum(TOOL_ACTIONS)
      .default('block')
      .describe('A call to, or a client-sent definition of, a tool not in tools: block refuses the whole answer (or request); strip removes it.'),
    allowHosts: z
      .array(HOST_PATTERN)
      .max(1_000)
      .optional()
      .describe('Hosts every tool\'s arguments may name, for tools without their own allowHosts. Absent: hosts are not checked.'),
    scanCategories: z
      .array(CATEGORY_KEY)
      .max(100)
      .default(['secret'])
      .describe(
        'Guard finding categories (or prefixes) that, found in a string argument by the guard profile\'s detectors, make the call a violation ' +
          '(tool.secret_in_arguments). Add pii or pii.payment_card to keep personal data out of tool calls too.',
      ),
    maxArgumentsChars: z
      .int()
      .min(16)
      .max(16 * 1024 * 1024)
      .default(256 * 1024)
      .describe('Longest arguments string checked; a longer one is a violation rather than checked in part.'),
    pinDefinitions: z
      .boolean()
      .default(false)
      .describe(
        'Pin the tool definitions clients send: the first definition seen of a listed tool (per deployment and caller) is remembered, ' +
          'and a later different one (a changed description is how tools get poisoned) is a violation. Pins in `pins` are always enforced.',
      ),
    pins: z
      .record(TOOL_NAME, PIN)
      .default({})
      .describe('Fixed pins: the hash (sha256 over the canonical name, description and parameters) each client-sent definition must have.'),
  })
  .superRefine((policy, ctx) => {
    const seen = new Map<string, number>();
    policy.tools.forEach((tool, i) => {
      // Names differing only by case are refused: some agent frameworks fold case when they dispatch.
      const key = tool.name.toLowerCase();
      const prev = seen.get(key);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['tools', i, 'name'], message: `duplicate tool name (also tools[${prev}])` });
      seen.set(key, i);
      if (tool.parameters !== undefined) {
        try {
          compileArgumentsSchema(tool.parameters);
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: ['tools', i, 'parameters'], message: `invalid JSON Schema: ${(e as Error).message}` });
        }
      }
    });
    const listed = new Set(policy.tools.map((t) => t.name));
    for (const name of Object.keys(policy.pins)) {
      if (!listed.has(name)) ctx.addIssue({ code: 'custom', path: ['pins', name], message: 'pins a tool that is not in tools' });
    }
  })
  .describe('A tool policy: which tools a model may be offered and call, with what arguments.');

export const toolPoliciesSchema = z
  .record(POLICY_NAME, toolPolicySchema)
  .default({})
  .describe('Tool policies by name, for deployments and overrides to refer to.');

export type ToolConfig = z.output<typeof toolSchema>;
export type ToolPolicyConfig = z.output<typeof toolPolicySchema>;
export type ToolPolicyConfigInput = z.input<typeof toolPolicySchema>;
export type ToolPoliciesConfig = z.output<typeof toolPoliciesSchema>;
