import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ConfigError, resolveReferences } from '../../src/config/load.ts';
import { getProvider } from '../../src/gateway/providers/registry.ts';
import { parseConfig } from '../../src/server/config.ts';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail('expected the config to be refused');
}

const target = (extra: string) => `deployments:\n  - name: a\n    targets:\n      - { provider: openai, model: m${extra} }\n`;

describe('config loading', () => {
  it('accepts an empty file with secure defaults', () => {
    const cfg = parseConfig('');
    assert.equal(cfg.server.host, '127.0.0.1');
    assert.equal(cfg.storage.kind, 'embedded');
    assert.equal(cfg.counters.kind, 'memory');
    assert.equal(cfg.audit.capturePayloads, false);
    assert.deepEqual(cfg.deployments, []);
  });

  it('names the path of a bad upstream URL', () => {
    const text = `deployments:\n  - { name: a, targets: [{ provider: echo }] }\n  - { name: b, targets: [{ provider: echo }] }\n  - name: c\n    targets:\n      - { provider: openai, model: m, baseUrl: "http://api.example.com/v1" }\n`;
    const found = problems(() => parseConfig(text));
    assert.ok(found.some((p) => p.startsWith('deployments[2].targets[0].baseUrl: must be an https URL or a loopback http URL')), found.join('\n'));
  });

  it('allows loopback http for local models', () => {
    const cfg = parseConfig(target(', baseUrl: "http://127.0.0.1:11434/v1"'));
    assert.equal(cfg.deployments[0]!.targets[0]!.provider, 'openai');
  });

  it('refuses unknown fields, wrong types and unknown providers, all at once', () => {
    const found = problems(() => parseConfig('server: { port: "x", prot: 1 }\ndeployments:\n  - { name: a, targets: [{ provider: nope }] }\n'));
    assert.ok(found.includes('server.port: must be a number, not a string'), found.join('\n'));
    assert.ok(found.includes('server.prot: unknown field'), found.join('\n'));
    assert.ok(found.some((p) => p.startsWith("deployments[0].targets[0].provider: must be one of 'openai'")), found.join('\n'));
  });

  it('refuses duplicate deployments and roles naming unknown deployments', () => {
    const found = problems(() =>
      parseConfig('roles: { r: { deployments: [ghost] } }\ndeployments:\n  - { name: a, targets: [{ provider: echo }] }\n  - { name: a, targets: [{ provider: echo }] }\n'),
    );
    assert.ok(found.some((p) => p.startsWith('deployments[1].name: duplicate')), found.join('\n'));
    assert.ok(found.includes("roles.r.deployments[0]: unknown deployment 'ghost'"), found.join('\n'));
  });

  it('resolves ${env:} and ${file:} references without echoing their values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-cfg-'));
    writeFileSync(join(dir, 'key.txt'), 'sk-from-file\n');
    const tree = resolveReferences({ a: '${env:TEST_KEY}', b: ['${file:key.txt}'], c: 'lit $${env:X}' }, { env: { TEST_KEY: 'sk-from-env' }, baseDir: dir });
    assert.deepEqual(tree, { a: 'sk-from-env', b: ['sk-from-file'], c: 'lit ${env:X}' });
    const found = problems(() => resolveReferences({ deployments: [{ k: '${env:MISSING_ONE}' }, { k: '${file:nope.txt}' }] }, { env: {}, baseDir: dir }));
    assert.deepEqual(found, ['deployments[0].k: environment variable MISSING_ONE is not set', 'deployments[1].k: file nope.txt could not be read']);
  });

  it('never puts a resolved secret into an error message', () => {
    try {
      parseConfig(target(', apiKey: "${env:SECRET_K}", baseUrl: "ftp://x"'), process.cwd(), { env: { SECRET_K: 'sk-very-secret-value' } });
      assert.fail('should refuse');
    } catch (e) {
      assert.ok(!String((e as Error).message).includes('sk-very-secret-value'));
    }
  });

  it('reports YAML syntax errors with a line number and refuses duplicate keys', () => {
    assert.match(problems(() => parseConfig('server:\n  port: 1\n  port: 2\n'))[0]!, /line 3/);
    assert.match(problems(() => parseConfig('server: [\n'))[0]!, /YAML/);
  });

  it('passes a target\'s streamIdleTimeoutMs to its provider and bounds it', () => {
    const cfg = parseConfig(target(', streamIdleTimeoutMs: 300000'));
    const t = cfg.deployments[0]!.targets[0]!;
    const built = getProvider(t.provider).create(t as never, { logger: pino({ level: 'silent' }), deployment: 'a', index: 0 });
    assert.equal(built.options.streamIdleTimeoutMs, 300_000);
    const found = problems(() => parseConfig(target(', streamIdleTimeoutMs: 10')));
    assert.ok(found.some((p) => p.startsWith('deployments[0].targets[0].streamIdleTimeoutMs:')), found.join('\n'));
  });

  it('bounds YAML alias expansion', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    assert.throws(() => parseConfig(bomb));
  });
});
