/**
 * JSON Schemas of tool arguments (`toolPolicies.<name>.tools[].parameters`), compiled with Ajv
 * (JSON Schema 2020-12) the one way both config validation and the tool policy use:
 *
 * - strict mode: an unknown keyword (`requried`), a `properties` without `type: object`, a
 *   `required` name that no property defines or an unknown `format` is a config error at start-up,
 *   not a schema that silently lets everything through;
 * - `pattern` runs on RE2 (linear time), because it is tested against model output: a pattern
 *   such as `(a+)+$` cannot hang the process (STYLE.md habit 7);
 * - no remote `$ref` (nothing is fetched), no defaults, no coercion, no removal: validation
 *   never changes the arguments;
 * - first error only (`allErrors: false`).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { RE2JS } from 're2js';
import { canonicalHost } from './host-pattern.ts';

const re2: ((pattern: string, flags: string) => { test(s: string): boolean }) & { code: string } = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(pattern);
    // Ajv caches compiled patterns per instance under toString(): it must differ per pattern.
    return { test: (s: string) => re.test(s), toString: () => `re2js:${pattern}` };
  },
  // Only used by Ajv's standalone code generation, which Rampart does not use.
  { code: 're2js' },
);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** RFC 3339 §5.6 formats and a few common ones, written without backtracking-prone regexes. */
const FORMATS: Record<string, (s: string) => boolean> = {
  date: validDate,
  time: (s) => TIME.test(s),
  'date-time': (s) => {
    const t = s.search(/[Tt ]/);
    return t === 10 && validDate(s.slice(0, 10)) && TIME.test(s.slice(11));
  },
  email: (s) => {
    const at = s.lastIndexOf('@');
    if (at < 1 || at > 64 || /\s/.test(s)) return false;
    const domain = canonicalHost(s.slice(at + 1));
    return domain !== null && domain.includes('.');
  },
  hostname: (s) => s.length <= 253 && canonicalHost(s) !== null && !/[/:@\s]/.test(s),
  uri: (s) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s),
  'uri-reference': (s) => URL.canParse(s, 'http://base.invalid/'),
  uuid: (s) => UUID.test(s),
  ipv4: (s) => isIPv4(s),
  ipv6: (s) => isIPv6(s),
};

/** A fresh Ajv per schema, so two tools' `$id`s cannot collide. */
function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: false, logger: false, code: { regExp: re2 } });
  for (const [name, fn] of Object.entries(FORMATS)) ajv.addFormat(name, fn);
  return ajv;
}

/**
 * Compiles an arguments schema; throws an Error whose message says what is wrong with the
 * schema (never with the arguments, which it has not seen).
 * @example
 *   const v = compileArgumentsSchema({ type: 'object', properties: { to: { type: 'string', format: 'email' } } });
 *   v({ to: 'bob@example.org' }); // true
 */
export function compileArgumentsSchema(schema: Record<string, unknown>): ValidateFunction {
  if (schema.type !== undefined && schema.type !== 'object') throw new Error('tool arguments are a JSON object: the schema\'s type must be "object"');
  return newAjv().compile(schema);
}

export const SUPPORTED_FORMATS: readonly string[] = Object.keys(FORMATS);
