/**
 * The toolPolicies and spotlight config sections: secure defaults, and a clear error with its
 * path for every mistake that would otherwise let tool calls through unchecked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toolPoliciesSchema, toolPolicySchema } from '../../src/config/tools.ts';
import { spotlightSchema } from '../../src/config/spotlight.ts';
import { formatPath } from '../../src/config/load.ts';
import { canonicalHost, hostMatches, parseHostPattern } from '../../src/config/host-pattern.ts';

function problems(input: unknown): string[] {
  const r = toolPoliciesSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

const one = (policy: unknown) => problems({ p: policy });

describe('toolPolicies config', () => {
  it('defaults to an empty allow-list that blocks, with secrets scanned and no pinning', () => {
    const p = toolPolicySchema.parse({});
    assert.deepEqual(p.tools, []);
    assert.equal(p.onViolation, 'block');
    assert.equal(p.unlistedTools, 'block');
    assert.deepEqual(p.scanCategories, ['secret']);
    assert.equal(p.pinDefinitions, false);
    assert.deepEqual(p.pins, {});
    assert.equal(p.allowHosts, undefined);
    assert.equal(p.maxArgumentsChars, 262_144);
    assert.deepEqual(toolPoliciesSchema.parse(undefined), {});
  });

  it('accepts a full policy', () => {
    assert.deepEqual(
      one({
        tools: [
          {
            name: 'send_email',
            parameters: {
              type: 'object',
              properties: { to: { type: 'string', format: 'email' }, body: { type: 'string', maxLength: 10_000 } },
              required: ['to'],
              additionalProperties: false,
            },
          },
          { name: 'fetch_url', allowHosts: ['*.example.com', 'api.partner.org'] },
          { name: 'github.create_issue' },
        ],
        onViolation: 'strip',
        unlistedTools: 'strip',
        allowHosts: ['intranet.example.com'],
        pinDefinitions: true,
        pins: { send_email: `sha256:${'a'.repeat(64)}` },
        scanCategories: ['secret', 'pii.payment_card'],
      }),
      [],
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown JSON Schema keyword', { tools: [{ name: 't', parameters: { type: 'object', properties: { a: { type: 'string', maxLenght: 3 } } } }] }, /^p\.tools\[0\]\.parameters: invalid JSON Schema: strict mode: unknown keyword: "maxLenght"/],
    ['properties without type object', { tools: [{ name: 't', parameters: { properties: { a: { type: 'string' } } } }] }, /^p\.tools\[0\]\.parameters: invalid JSON Schema: .*missing type "object"/],
    ['a top-level type other than object', { tools: [{ name: 't', parameters: { type: 'string' } }] }, /^p\.tools\[0\]\.parameters: invalid JSON Schema: tool arguments are a JSON object/],
    ['an unknown format', { tools: [{ name: 't', parameters: { type: 'object', properties: { a: { type: 'string', format: 'credit-card' } } } }] }, /unknown format "credit-card"/],
    ['a backtracking-only pattern (lookahead)', { tools: [{ name: 't', parameters: { type: 'object', properties: { a: { type: 'string', pattern: '^(?=a)a$' } } } }] }, /^p\.tools\[0\]\.parameters: invalid JSON Schema: .*(?:regexp|Perl)/],
    ['a remote $ref', { tools: [{ name: 't', parameters: { type: 'object', properties: { a: { $ref: 'https://schemas.example/a.json' } } } }] }, /can't resolve reference/],
    ['a dangling local $ref', { tools: [{ name: 't', parameters: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } } }] }, /can't resolve reference/],
    ['a required property that is not defined', { tools: [{ name: 't', parameters: { type: 'object', properties: {}, required: ['x'] } }] }, /required property "x" is not defined/],
    ['a duplicate tool name', { tools: [{ name: 'send_email' }, { name: 'send_email' }] }, /^p\.tools\[1\]\.name: duplicate tool name \(also tools\[0\]\)/],
    ['tool names differing only by case', { tools: [{ name: 'send_email' }, { name: 'Send_Email' }] }, /^p\.tools\[1\]\.name: duplicate tool name/],
    ['a tool name with a space', { tools: [{ name: 'send_email ' }] }, /^p\.tools\[0\]\.name: must be 1-128/],
    ['a pin for an unlisted tool', { tools: [{ name: 'a' }], pins: { b: `sha256:${'0'.repeat(64)}` } }, /^p\.pins\.b: pins a tool that is not in tools/],
    ['a malformed pin', { tools: [{ name: 'a' }], pins: { a: 'sha256:ABC' } }, /^p\.pins\.a: must be sha256:/],
    ['a host with a scheme', { allowHosts: ['https://example.com'] }, /^p\.allowHosts\[0\]: must be a host name/],
    ['a host with a path', { tools: [{ name: 'a', allowHosts: ['example.com/x'] }] }, /^p\.tools\[0\]\.allowHosts\[0\]: must be a host name/],
    ['a wildcard in the middle', { allowHosts: ['api.*.example.com'] }, /a wildcard may only be a leading/],
    ['an empty label', { allowHosts: ['a..example.com'] }, /is not a valid host name/],
    ['an unknown field (typo)', { tools: [{ name: 'a', allowHost: ['x.com'] }] }, /Unrecognized key/],
    ['an unknown action', { onViolation: 'warn' }, /^p\.onViolation: /],
    ['a bad category key', { scanCategories: ['Secret'] }, /must be a finding category/],
    ['a bad policy name', null, /^\["-bad"\]: Invalid key/],
  ];
  for (const [what, policy, want] of bad) {
    it(`rejects ${what}, naming the path`, () => {
      const got = policy === null ? problems({ '-bad': {} }) : one(policy);
      assert.ok(got.some((p) => want.test(p)), `${what}: ${JSON.stringify(got)}`);
    });
  }

  it('accepts $ref to $defs and definitions, and union types', () => {
    assert.deepEqual(
      one({
        tools: [
          {
            name: 't',
            parameters: {
              type: 'object',
              $defs: { addr: { type: 'string', format: 'email' } },
              definitions: { n: { type: ['integer', 'null'] } },
              properties: { to: { $ref: '#/$defs/addr' }, n: { $ref: '#/definitions/n' } },
            },
          },
        ],
      }),
      [],
    );
  });

  it('does not mutate the input', () => {
    const input = { tools: [{ name: 't', parameters: { type: 'object' } }] };
    const copy = structuredClone(input);
    toolPolicySchema.parse(input);
    assert.deepEqual(input, copy);
  });
});

describe('host patterns', () => {
  const cases: [string, string | null][] = [
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['EXÄMPLE.com', 'xn--exmple-cua.com'],
    ['xn--exmple-cua.com', 'xn--exmple-cua.com'],
    ['еxample.com', 'xn--xample-2of.com'], // Cyrillic е: not example.com
    ['evil\u3002com', 'evil.com'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['a..b', null],
    ['ex ample.com', null],
    ['', null],
  ];
  for (const [raw, want] of cases) {
    it(`canonicalizes ${JSON.stringify(raw)}`, () => assert.equal(canonicalHost(raw), want));
  }

  it('matches exact hosts, sub-domains for *. and anything for *', () => {
    const pats = ['api.example.com', '*.partner.org'].map(parseHostPattern);
    assert.ok(hostMatches('api.example.com', pats));
    assert.ok(hostMatches('a.partner.org', pats));
    assert.ok(hostMatches('a.b.partner.org', pats));
    assert.ok(!hostMatches('partner.org', pats), '*.partner.org does not include the apex');
    assert.ok(!hostMatches('evilpartner.org', pats));
    assert.ok(!hostMatches('api.example.com.evil.net', pats));
    assert.ok(!hostMatches('example.com', pats));
    assert.ok(!hostMatches(null, pats));
    assert.ok(hostMatches(null, [parseHostPattern('*')]));
  });
});

describe('spotlight config', () => {
  it('is off by default, for documents, with the paper\'s marker', () => {
    assert.deepEqual(spotlightSchema.parse({}), { mode: 'off', channels: ['document'], marker: 'ˆ' });
  });
  it('accepts every mode and random markers; rejects a space marker and unknown channels', () => {
    for (const mode of ['off', 'delimit', 'datamark', 'encode']) assert.ok(spotlightSchema.safeParse({ mode }).success);
    assert.ok(spotlightSchema.safeParse({ marker: 'random' }).success);
    assert.ok(spotlightSchema.safeParse({ marker: '\u{1F4CC}' }).success);
    assert.ok(!spotlightSchema.safeParse({ marker: ' ' }).success);
    assert.ok(!spotlightSchema.safeParse({ marker: 'ab' }).success);
    assert.ok(!spotlightSchema.safeParse({ channels: ['system'] }).success);
    assert.ok(!spotlightSchema.safeParse({ channels: [] }).success);
  });
});
