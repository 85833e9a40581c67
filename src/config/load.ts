/**
 * Loads rampart.yaml: parse YAML, resolve `${env:NAME}` / `${file:path}` references, validate
 * against the schema, and report every problem with its path
 * (`deployments[2].targets[0].baseUrl: must be an https URL or a loopback http URL`).
 * Messages never contain resolved values: a reference may hold a secret.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import type { ConfigSchema, RampartConfig } from './schema.ts';

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends RampartError {
  readonly problems: readonly ConfigProblem[];
  constructor(code: 'RAMPART_CONFIG_INVALID' | 'RAMPART_CONFIG_REF_UNRESOLVED' | 'RAMPART_CONFIG_NOT_FOUND', problems: ConfigProblem[]) {
    super(code, { detail: problems.map(formatProblem).join('; ') });
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** `deployments[2].targets[0].baseUrl` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      out += /^[A-Za-z_$][\w$-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/**
 * What an admin or a client sent, against its schema: the first problem, with its path (also as the
 * OpenAI-style `param`), as RAMPART_INVALID_REQUEST. The admin API, the CLI and the services behind
 * both use it, so the same mistake gets the same message everywhere.
 */
export function parseInput<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = formatPath(issue.path);
  throw new RampartError('RAMPART_INVALID_REQUEST', {
    detail: `${path || 'body'}: ${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message}`,
    ...(path ? { param: path } : {}),
  });
}

export interface ResolveEnv {
  env: Readonly<Record<string, string | undefined>>;
  /** Directory `${file:relative}` paths are resolved against. */
  baseDir: string;
  readFile?: (path: string) => string;
}

const REF = /\$(\$?)\{(env|file):([^}]*)\}/g;

/**
 * Replaces references in every string of a parsed YAML tree. `$${...}` stays literal `${...}`.
 * Returns a new tree; the input is not mutated.
 */
export function resolveReferences(tree: unknown, ctx: ResolveEnv): unknown {
  const problems: ConfigProblem[] = [];
  const readFile = ctx.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(REF, (whole, escape: string, kind: string, arg: string) => {
        if (escape) return whole.slice(1);
        const name = arg.trim();
        if (kind === 'env') {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            problems.push({ path: formatPath(path), message: `\${env:${name}} is not a valid environment variable name` });
            return '';
          }
          const value = ctx.env[name];
          if (value === undefined || value === '') {
            problems.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
            return '';
          }
          return value;
        }
        try {
          // Secrets mounted as files usually end with a newline that is not part of the secret.
          return readFile(resolve(ctx.baseDir, name)).replace(/\r?\n$/, '');
        } catch {
          problems.push({ path: formatPath(path), message: `file ${name} could not be read` });
          return '';
        }
      });
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return node;
  };
  const out = walk(tree, []);
  if (problems.length > 0) throw new ConfigError('RAMPART_CONFIG_REF_UNRESOLVED', problems);
  return out;
}

/** Turns zod issues into path-first problems, most specific issue of a union first. */
export function zodProblems(error: z.ZodError): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        // Report the branch that got furthest (most specific), not "invalid input".
        const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!;
        visit(best, path);
        continue;
      }
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: 'unknown field' });
        continue;
      }
      out.push({ path: formatPath(path), message: humanMessage(issue) });
    }
  };
  visit(error.issues, []);
  return out;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

function humanMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    // zod does not keep the input (it may be a secret); its message says what it received.
    const received = /received (\w+)/.exec(issue.message)?.[1];
    return received === 'undefined' ? `is required (${issue.expected})` : `must be ${article(issue.expected)}${received ? `, not ${article(received)}` : ''}`;
  }
  const options = (issue as { options?: unknown }).options;
  if (issue.code === 'invalid_union' && Array.isArray(options)) {
    return `must be one of ${options.map((o) => `'${String(o)}'`).join(', ')}`;
  }
  return issue.message;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** Validates an already-parsed, reference-resolved tree. */
export function validateConfig(schema: ConfigSchema, tree: unknown): RampartConfig {
  const parsed = schema.safeParse(tree ?? {});
  if (!parsed.success) throw new ConfigError('RAMPART_CONFIG_INVALID', zodProblems(parsed.error));
  return parsed.data;
}

/** Parses YAML text; YAML syntax errors are reported with line and column. */
export function parseYaml(text: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      'RAMPART_CONFIG_INVALID',
      doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { path: '', message: `YAML ${e.code} at line ${at.line}, column ${at.col}` };
      }),
    );
  }
  // maxAliasCount bounds "billion laughs" alias expansion.
  return doc.toJS({ maxAliasCount: 100 });
}

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
}

export function loadConfigText(schema: ConfigSchema, text: string, baseDir: string, opts: LoadOptions = {}): RampartConfig {
  const tree = parseYaml(text);
  const resolved = resolveReferences(tree, { env: opts.env ?? process.env, baseDir });
  return validateConfig(schema, resolved);
}

export function loadConfigFile(schema: ConfigSchema, file: string, opts: LoadOptions = {}): RampartConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('RAMPART_CONFIG_NOT_FOUND', [{ path: '', message: `cannot read ${file}` }]);
  }
  return loadConfigText(schema, text, dirname(resolve(file)), opts);
}
