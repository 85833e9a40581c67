/** Every error code is documented in docs/model-signing.md, and every documented code exists. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MODEL_SIGNATURE_ERRORS, ModelSignatureError } from '../../../src/models/signing/errors.ts';

const doc = readFileSync(new URL('../../../docs/model-signing.md', import.meta.url), 'utf8');

describe('model signing error codes', () => {
  it('are all in the docs error table', () => {
    const missing = Object.keys(MODEL_SIGNATURE_ERRORS).filter((code) => !doc.includes(`| \`${code}\` |`));
    assert.deepEqual(missing, []);
  });

  it('has no documented code that does not exist', () => {
    const documented = [...doc.matchAll(/\| `(MODEL_[A-Z_]+)` \|/g)].map((m) => m[1]!);
    assert.deepEqual(documented.filter((c) => !(c in MODEL_SIGNATURE_ERRORS)), []);
  });

  it('puts the code, the detail and the file on the error', () => {
    const e = new ModelSignatureError('MODEL_FILE_CHANGED', 'changed: "a".', { file: 'a' });
    assert.equal(e.code, 'MODEL_FILE_CHANGED');
    assert.equal(e.file, 'a');
    assert.equal(e.message, 'A model file differs from the signed manifest. changed: "a".');
    assert.equal(e.name, 'ModelSignatureError');
  });
});
