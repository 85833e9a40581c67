/**
 * Generates docs/config-reference.md and docs/rampart.schema.json from the config schema, and
 * docs/errors.md from the error table. `--check` exits 1 when a committed file has drifted
 * (the test suite runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { ERROR_CODES } from '../src/core/errors.ts';
import { configJsonSchema } from '../src/server/config.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

type Json = Record<string, unknown>;

function typeOf(s: Json): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alts) return alts.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${typeOf((s.items ?? {}) as Json)}[]`;
  if (s.type === 'integer') return 'integer';
  if (typeof s.type === 'string') return s.type;
  return 'any';
}

function constraints(s: Json): string {
  const out: string[] = [];
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined && s.minLength !== 0) out.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) out.push(`max length ${s.maxLength}`);
  if (s.minItems !== undefined && s.minItems !== 0) out.push(`at least ${s.minItems}`);
  if (s.pattern !== undefined) out.push(`pattern \`${String(s.pattern).replace(/\|/g, '\\|')}\``);
  return out.join(', ');
}

function rows(s: Json, path: string, out: string[], required: boolean): void {
  const desc = String(s.description ?? '').replace(/\n/g, ' ').replace(/\|/g, '\\|');
  const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : '';
  if (path) out.push(`| \`${path}\` | ${typeOf(s)} | ${required ? 'yes' : ''} | ${def} | ${[desc, constraints(s)].filter(Boolean).join(' — ')} |`);
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alts) {
    for (const alt of alts) {
      const props = alt.properties as Record<string, Json> | undefined;
      const tag = props && Object.values(props).find((p) => p.const !== undefined);
      const label = tag ? ` (${Object.entries(props).find(([, p]) => p === tag)![0]}: ${JSON.stringify(tag.const)})` : '';
      if (props) rows({ ...alt, description: undefined, default: undefined }, `${path}${label}`, out, false);
    }
    return;
  }
  const props = s.properties as Record<string, Json> | undefined;
  if (props) {
    const req = new Set((s.required as string[] | undefined) ?? []);
    for (const [k, v] of Object.entries(props)) rows(v, path ? `${path}.${k}` : k, out, req.has(k));
  }
  if (s.type === 'array' && s.items) rows(s.items as Json, `${path}[]`, out, false);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') rows(s.additionalProperties as Json, `${path}.<name>`, out, false);
}

function configReference(): string {
  const out = [
    '# rampart.yaml reference',
    '',
    'Generated from the config schema by `npm run docs`; do not edit. The same schema is published as',
    'JSON Schema (`rampart config schema`, or [rampart.schema.json](rampart.schema.json)) for editor completion.',
    '',
    'Any string may contain `${env:NAME}` (an environment variable) or `${file:path}` (a file\'s content,',
    'trailing newline removed, relative to the config file). Write `$${` for a literal `${`. Errors name',
    'the path and the variable or file, never the value.',
    '',
    '| path | type | required | default | description |',
    '| --- | --- | --- | --- | --- |',
  ];
  rows(configJsonSchema(), '', out, false);
  return `${out.join('\n')}\n`;
}

function errorsReference(): string {
  const out = [
    '# Error codes',
    '',
    'Generated from `src/core/errors.ts` by `npm run docs`; do not edit. The data plane answers with',
    "OpenAI-style JSON (`{\"error\":{\"message\",\"type\",\"code\",\"param\"}}`), the admin API with RFC 9457",
    '`application/problem+json` whose `code` is the same. Messages never contain secrets or config values.',
    '',
    'A request that is not HTTP the server can parse gets a bare status line and the connection is closed,',
    'with no body and no code: 400 for malformed HTTP, 431 for headers over 16 KiB, 413 for oversize chunk',
    'extensions, 408 for a request whose headers do not arrive within `server.requestTimeoutMs` (at most 30 s).',
    '',
    '| code | HTTP status | type | message |',
    '| --- | --- | --- | --- |',
  ];
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    out.push(`| \`${code}\` | ${spec.status} | ${spec.type} | ${spec.message.replace(/\|/g, '\\|')} |`);
  }
  return `${out.join('\n')}\n`;
}

export const GENERATED: Record<string, () => string> = {
  'docs/config-reference.md': configReference,
  'docs/rampart.schema.json': () => `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
  'docs/errors.md': errorsReference,
};

export function drifted(): string[] {
  return Object.entries(GENERATED)
    .filter(([file, gen]) => {
      let current = '';
      try {
        current = readFileSync(join(root, file), 'utf8');
      } catch {
        return true;
      }
      return current !== gen();
    })
    .map(([file]) => file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = drifted();
    if (stale.length > 0) {
      process.stderr.write(`generated docs are stale, run npm run docs: ${stale.join(', ')}\n`);
      process.exit(1);
    }
  } else {
    for (const [file, gen] of Object.entries(GENERATED)) writeFileSync(join(root, file), gen());
    process.stdout.write(`wrote ${Object.keys(GENERATED).join(', ')}\n`);
  }
}
