/**
 * Shapes of data-plane request bodies. Fields the gateway reads or that decide where content goes
 * (model, messages and their roles, stream, token limits, tools) are checked strictly; other
 * top-level fields are passed to the upstream untouched, because OpenAI adds parameters often and
 * the upstream validates its own.
 */
import { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import { formatPath } from '../config/load.ts';

const model = z.string().min(1).max(256);
const positiveInt = z.int().positive().max(10_000_000);

const contentPart = z.looseObject({ type: z.string().min(1).max(64) });
const content = z.union([z.string(), z.array(contentPart).max(10_000), z.null()]);

const toolCall = z.looseObject({
  id: z.string().max(512).optional(),
  type: z.string().max(64).optional(),
  function: z.looseObject({ name: z.string().max(256), arguments: z.string() }).optional(),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content }),
  z.looseObject({ role: z.literal('developer'), content }),
  z.looseObject({ role: z.literal('user'), content }),
  z.looseObject({
    role: z.literal('assistant'),
    content: content.optional(),
    tool_calls: z.array(toolCall).max(1000).optional(),
    function_call: z.looseObject({ name: z.string().max(256), arguments: z.string() }).nullable().optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content, tool_call_id: z.string().max(512) }),
  z.looseObject({ role: z.literal('function'), content, name: z.string().max(256) }),
]);

const tool = z.looseObject({
  type: z.string().max(64),
  function: z.looseObject({ name: z.string().min(1).max(256) }).optional(),
});

export const chatCompletionRequest = z.looseObject({
  model,
  messages: z.array(message).min(1, 'must contain at least one message').max(100_000),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: positiveInt.nullable().optional(),
  max_completion_tokens: positiveInt.nullable().optional(),
  n: z.int().min(1).max(128).nullable().optional(),
  tools: z.array(tool).max(1000).optional(),
  // The legacy form of tools: bare function definitions, checked like tools (tool policy, agent allowedTools).
  functions: z.array(z.looseObject({ name: z.string().min(1).max(256) })).max(1000).optional(),
});

export const embeddingsRequest = z.looseObject({
  model,
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(10_000),
    z.array(z.int().nonnegative()).min(1),
    z.array(z.array(z.int().nonnegative())).min(1).max(10_000),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: positiveInt.optional(),
});

export const responsesRequest = z.looseObject({
  model,
  input: z.union([z.string(), z.array(z.looseObject({}))]).optional(),
  instructions: z.string().nullable().optional(),
  stream: z.boolean().optional(),
  max_output_tokens: positiveInt.nullable().optional(),
  // previous_response_id and background work tie state to the upstream; allowed, passed through.
});

/** Validates a body; the error names the first bad field as the OpenAI `param`. */
export function validateBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = formatPath(issue.path);
  const message =
    issue.code === 'invalid_type' && issue.input === undefined
      ? 'is required'
      : issue.code === 'invalid_union' && issue.path.at(-1) !== undefined && String(issue.path.at(-1)) === 'role'
        ? 'has an unknown role'
        : issue.message;
  throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${path || 'body'}: ${message}`, param: path || undefined });
}
