/**
 * Reads the Cedar schema and policies the engine evaluates, and checks them once, at start-up:
 * every file parses, every policy validates against the schema (strict mode), every policy id is
 * unique. A problem stops start-up with RAMPART_CONFIG_INVALID naming the file and the line and
 * column (`policies/team.cedar:12:5: policy 'team-a': attribute `nope` ...`).
 *
 * A policy's id is its `@id("...")` annotation, or `<file>#<n>` (its place in the file, from 1).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { ConfigError, type ConfigProblem } from '../config/load.ts';
import type { PolicyConfig } from '../config/policy.ts';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'cedar');
export const DEFAULT_SCHEMA_FILE = join(HERE, 'rampart.cedarschema');
export const BUILTIN_POLICY_FILE = join(HERE, 'builtin.cedar');

/** A text of Cedar policies and where it came from, for error messages. */
export interface PolicyText {
  /** As shown in messages and generated ids: the path the config gave, or a label. */
  readonly file: string;
  readonly text: string;
  /** The config path problems are reported under (`policy.policyFiles[2]`). */
  readonly configPath: string;
}

export interface PolicySource {
  readonly id: string;
  readonly text: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface CedarSources {
  readonly schema: string;
  readonly schemaFile: string;
  /** By policy id, in load order. */
  readonly policies: ReadonlyMap<string, PolicySource>;
  /** Validation warnings (e.g. a policy that can never apply): worth showing, not fatal. */
  readonly warnings: readonly string[];
}

const MAX_ID = 128;

/** Line and column (from 1) of a Cedar source offset; Cedar counts bytes of UTF-8. */
export function position(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function describeError(e: cedar.DetailedError): string {
  const label = e.sourceLocations?.find((l) => l.label)?.label;
  // Cedar repeats the policy id the message is already prefixed with.
  return [e.message.replace(/^for policy `[^`]*`, /, ''), label ? `(${label})` : '', e.help ? `(${e.help})` : ''].filter(Boolean).join(' ');
}

function at(file: string, text: string, byteOffset: number | undefined): string {
  if (byteOffset === undefined) return file;
  const p = position(text, byteOffset);
  return `${file}:${p.line}:${p.column}`;
}

function readText(file: string, configPath: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('RAMPART_CONFIG_INVALID', [{ path: configPath, message: `cannot read ${file}` }]);
  }
}

/** policyFiles entries: a file is itself; a directory is its *.cedar files, in name order. */
export function expandPolicyFiles(entries: readonly string[]): PolicyText[] {
  const out: PolicyText[] = [];
  entries.forEach((entry, i) => {
    const configPath = `policy.policyFiles[${i}]`;
    let isDir: boolean;
    try {
      isDir = statSync(entry).isDirectory();
    } catch {
      throw new ConfigError('RAMPART_CONFIG_INVALID', [{ path: configPath, message: `cannot read ${entry}` }]);
    }
    const files = isDir
      ? readdirSync(entry, { withFileTypes: true })
          .filter((d) => d.isFile() && d.name.endsWith('.cedar'))
          .map((d) => join(entry, d.name))
          .sort()
      : [entry];
    for (const file of files) out.push({ file, text: readText(file, configPath), configPath });
  });
  return out;
}

export function readSchema(cfg: PolicyConfig): { schema: string; schemaFile: string } {
  const schemaFile = cfg.schemaFile ?? DEFAULT_SCHEMA_FILE;
  const schema = readText(schemaFile, 'policy.schemaFile');
  const parsed = cedar.checkParseSchema(schema);
  if (parsed.type === 'failure') {
    throw new ConfigError(
      'RAMPART_CONFIG_INVALID',
      parsed.errors.map((e) => ({ path: 'policy.schemaFile', message: `${at(schemaFile, schema, e.sourceLocations?.[0]?.start)}: ${describeError(e)}` })),
    );
  }
  return { schema, schemaFile };
}

interface Located extends PolicySource {
  readonly offset: number;
  readonly source: PolicyText;
}

/** Splits one text into its policies, with ids and positions. */
function splitPolicies(src: PolicyText): Located[] {
  const parts = cedar.policySetTextToParts(src.text);
  if (parts.type === 'failure') {
    throw new ConfigError('RAMPART_CONFIG_INVALID', parts.errors.map((e) => ({ path: src.configPath, message: `${at(src.file, src.text, e.sourceLocations?.[0]?.start)}: ${describeError(e)}` })));
  }
  if (parts.policy_templates.length > 0) {
    throw new ConfigError('RAMPART_CONFIG_INVALID', [{ path: src.configPath, message: `${src.file}: policy templates (?principal, ?resource) are not supported; write static policies` }]);
  }
  const out: Located[] = [];
  let cursor = 0;
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  parts.policies.forEach((text, i) => {
    const found = src.text.indexOf(text, cursor);
    const charOffset = found >= 0 ? found : cursor;
    if (found >= 0) cursor = found + text.length;
    const offset = bytes(src.text.slice(0, charOffset));
    const json = cedar.policyToJson(text);
    const annotated = json.type === 'success' ? json.json.annotations?.id : undefined;
    const where = position(src.text, offset);
    if (annotated !== undefined && (annotated.length === 0 || annotated.length > MAX_ID || /[\u0000-\u001f]/.test(annotated))) {
      throw new ConfigError('RAMPART_CONFIG_INVALID', [{ path: src.configPath, message: `${src.file}:${where.line}:${where.column}: @id must be 1-${MAX_ID} printable characters` }]);
    }
    out.push({ id: annotated ?? `${src.file}#${i + 1}`, text, file: src.file, line: where.line, column: where.column, offset, source: src });
  });
  return out;
}

/**
 * Parses and validates policy texts against the schema. Throws a ConfigError listing every
 * problem; returns the policies by id.
 */
export function compileSources(schema: { schema: string; schemaFile: string }, texts: readonly PolicyText[]): CedarSources {
  const located = new Map<string, Located>();
  const problems: ConfigProblem[] = [];
  for (const src of texts) {
    for (const p of splitPolicies(src)) {
      const prev = located.get(p.id);
      if (prev) problems.push({ path: src.configPath, message: `${p.file}:${p.line}:${p.column}: duplicate policy id '${p.id}' (also ${prev.file}:${prev.line}:${prev.column})` });
      else located.set(p.id, p);
    }
  }
  if (problems.length > 0) throw new ConfigError('RAMPART_CONFIG_INVALID', problems);

  const answer = cedar.validate({
    schema: schema.schema,
    policies: { staticPolicies: Object.fromEntries([...located].map(([id, p]) => [id, p.text])) },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') {
    throw new ConfigError('RAMPART_CONFIG_INVALID', answer.errors.map((e) => ({ path: 'policy', message: `${schema.schemaFile}: ${describeError(e)}` })));
  }
  const describe = (v: cedar.ValidationError): ConfigProblem => {
    const p = located.get(v.policyId);
    if (!p) return { path: 'policy', message: `policy '${v.policyId}': ${describeError(v.error)}` };
    const start = v.error.sourceLocations?.[0]?.start;
    return { path: p.source.configPath, message: `${at(p.file, p.source.text, p.offset + (start ?? 0))}: policy '${p.id}': ${describeError(v.error)}` };
  };
  if (answer.validationErrors.length > 0) throw new ConfigError('RAMPART_CONFIG_INVALID', answer.validationErrors.map(describe));

  const policies = new Map<string, PolicySource>();
  for (const [id, p] of located) policies.set(id, { id, text: p.text, file: p.file, line: p.line, column: p.column });
  const warnings = [...answer.validationWarnings.map((w) => describe(w).message), ...answer.otherWarnings.map(describeError)];
  return { ...schema, policies, warnings };
}
