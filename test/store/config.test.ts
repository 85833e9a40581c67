import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { countersSchema, storageSchema } from '../../src/config/storage.ts';
import { redactUrl, scrubPassword } from '../../src/store/sql-errors.ts';

describe('storage and counters config', () => {
  it('defaults to the embedded store in ./data and memory counters', () => {
    assert.deepEqual(storageSchema.parse({ kind: 'embedded' }), { kind: 'embedded', dataDir: './data', threadPriority: 'background' });
    assert.deepEqual(storageSchema.parse({ kind: 'embedded', threadPriority: 'normal' }), { kind: 'embedded', dataDir: './data', threadPriority: 'normal' });
    assert.throws(() => storageSchema.parse({ kind: 'embedded', threadPriority: 'high' }));
    assert.deepEqual(countersSchema.parse({ kind: 'memory' }), { kind: 'memory', maxKeys: 1_000_000 });
  });

  it('fills PostgreSQL and Redis defaults with bounded timeouts', () => {
    assert.deepEqual(storageSchema.parse({ kind: 'postgres', url: 'postgres://db/rampart' }), {
      kind: 'postgres',
      url: 'postgres://db/rampart',
      poolSize: 10,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 30_000,
    });
    assert.deepEqual(countersSchema.parse({ kind: 'redis', url: 'rediss://cache:6380' }), {
      kind: 'redis',
      url: 'rediss://cache:6380',
      keyPrefix: 'rampart:',
      connectTimeoutMs: 2_000,
      commandTimeoutMs: 500,
    });
  });

  it('rejects wrong URL schemes, unsafe schema names and unknown fields', () => {
    const bad = [
      storageSchema.safeParse({ kind: 'postgres', url: 'mysql://db/x' }),
      storageSchema.safeParse({ kind: 'postgres', url: 'postgres://db/x', schema: 'public; DROP TABLE x' }),
      storageSchema.safeParse({ kind: 'postgres', url: 'postgres://db/x', schema: 'Upper' }),
      storageSchema.safeParse({ kind: 'embedded', datadir: './x' }),
      storageSchema.safeParse({ kind: 'sqlite' }),
      countersSchema.safeParse({ kind: 'redis', url: 'http://cache' }),
      countersSchema.safeParse({ kind: 'redis', url: 'redis://cache', keyPrefix: 'has space' }),
      countersSchema.safeParse({ kind: 'redis', url: 'redis://cache', commandTimeoutMs: 0 }),
    ];
    bad.forEach((r, i) => assert.equal(r.success, false, `case ${i}`));
  });

  it('describes every field, for the generated reference', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as { properties?: Record<string, { description?: string }>; anyOf?: unknown[]; oneOf?: unknown[] };
      for (const [key, prop] of Object.entries(n.properties ?? {})) {
        if (!prop.description) missing.push(`${path}.${key}`);
        walk(prop, `${path}.${key}`);
      }
      for (const alt of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) walk(alt, path);
    };
    walk(z.toJSONSchema(storageSchema, { io: 'input' }), 'storage');
    walk(z.toJSONSchema(countersSchema, { io: 'input' }), 'counters');
    assert.deepEqual(missing, []);
  });
});

describe('credential redaction', () => {
  it('removes passwords and secret query parameters from URLs', () => {
    assert.equal(redactUrl('postgres://rampart:s3cr%40t@db:5432/x?sslmode=require&password=p'), 'postgres://rampart:***@db:5432/x?sslmode=require&password=***');
    assert.equal(redactUrl('rediss://:hunter2@cache:6380/0'), 'rediss://:***@cache:6380/0');
    assert.equal(redactUrl('not a url'), '[unparseable URL]');
  });

  it('scrubs the password from driver messages', () => {
    assert.equal(scrubPassword('auth failed for s3cr@t', 'postgres://u:s3cr%40t@db/x'), 'auth failed for ***');
  });
});
