import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { drifted } from '../../scripts/gen-docs.ts';

describe('generated reference docs', () => {
  it('config reference, JSON Schema and error list match the code (run npm run docs)', () => {
    assert.deepEqual(drifted(), []);
  });

  it('every error code is documented', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`\`${code}\``), `${code} missing from docs/errors.md`);
  });

  it('every error code is used by some module (no dead codes in the table)', () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && f !== join('core', 'errors.ts'));
    const all = files.map((f) => readFileSync(join('src', f), 'utf8')).join('\n');
    for (const code of Object.keys(ERROR_CODES)) assert.ok(all.includes(`'${code}'`), `${code} is never raised`);
  });
});
