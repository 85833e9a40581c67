/**
 * The `policy` section of rampart.yaml: which authorization engine decides, and for the Cedar
 * engine, the schema and the policy files. The files themselves are read, parsed and validated
 * when the engine is built (src/policy/cedar-sources.ts), so a bad policy stops start-up with its
 * file and position.
 */
import { z } from 'zod';

export const POLICY_ENGINES = ['roles', 'cedar'] as const;
export type PolicyEngineKind = (typeof POLICY_ENGINES)[number];

const PATH = z.string().min(1).max(4_096);

export const policySchema = z
  .strictObject({
    engine: z
      .enum(POLICY_ENGINES)
      .default('roles')
      .describe("'roles': the role tables of roles.<name>. 'cedar': Cedar policies (the built-in roles, the config roles turned into policies, and policyFiles)."),
    schemaFile: PATH.optional().describe(
      'Cedar schema (.cedarschema) the policies are validated against. Default: the shipped rampart.cedarschema; a replacement must keep its entity types, attributes and actions. Relative to the working directory.',
    ),
    policyFiles: z
      .array(PATH)
      .max(1_000)
      .default([])
      .describe('Cedar policy files, or directories whose *.cedar files are read (not recursively, in name order). Relative to the working directory.'),
    builtinPolicies: z.boolean().default(true).describe('Load the shipped built-in role policies (admin, auditor, model-user, agent, app-owner, security-reader, security-admin, platform-admin).'),
  })
  .superRefine((p, ctx) => {
    if (p.engine !== 'cedar') {
      if (p.schemaFile !== undefined) ctx.addIssue({ code: 'custom', path: ['schemaFile'], message: "only used with engine: 'cedar'" });
      if (p.policyFiles.length > 0) ctx.addIssue({ code: 'custom', path: ['policyFiles'], message: "only used with engine: 'cedar'" });
    }
  })
  .describe('Authorization: who may invoke which deployment and use which admin permission.');

export type PolicyConfig = z.output<typeof policySchema>;
