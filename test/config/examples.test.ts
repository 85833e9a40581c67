import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseYaml, resolveReferences, validateConfig } from '../../src/config/load.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';

function load(file: string) {
  const tree = resolveReferences(parseYaml(readFileSync(file, 'utf8')), {
    env: new Proxy({}, { get: (_t, name) => (name === 'RAMPART_DATABASE_URL' ? 'postgres://r@db/r' : name === 'RAMPART_REDIS_URL' ? 'redis://cache:6379' : 'test-secret') }),
    baseDir: '.',
    readFile: () => 'secret-from-file\n',
  });
  return validateConfig(rampartConfigSchema(), tree);
}

describe('shipped example configurations', () => {
  it('quickstart.yaml is valid and runs offline on the embedded store', () => {
    const cfg = load('examples/quickstart.yaml');
    assert.equal(cfg.storage.kind, 'embedded');
    assert.ok(cfg.deployments.every((d) => d.targets.every((t) => t.provider === 'echo')));
  });

  it('rampart.full.yaml is valid', () => {
    const cfg = load('examples/rampart.full.yaml');
    assert.equal(cfg.storage.kind, 'postgres');
    assert.equal(cfg.counters.kind, 'redis');
    assert.deepEqual(new Set(cfg.deployments.flatMap((d) => d.targets.map((t) => t.provider))), new Set(['openai', 'azure-openai', 'anthropic']));
  });
});
