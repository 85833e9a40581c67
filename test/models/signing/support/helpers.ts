/** Shared test helpers: temporary models, EC keys, and "rejects with this code". */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelSignatureError } from '../../../../src/models/signing/errors.ts';
import type { ModelSignatureErrorCode } from '../../../../src/models/signing/errors.ts';

export const FIXTURES = new URL('../../../fixtures/model-signing/', import.meta.url).pathname;
export const REFERENCE = join(FIXTURES, 'reference');

/** A temporary directory removed by `cleanup()`. */
export function tempDir(prefix = 'rampart-msig-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes files (POSIX names relative to `root`) and returns `root`. */
export function writeModel(root: string, files: Record<string, string | Buffer>): string {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

export type Curve = 'P-256' | 'P-384' | 'P-521';

export function ecKeyPair(curve: Curve = 'P-256'): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export async function rejectsWith(p: Promise<unknown>, code: ModelSignatureErrorCode): Promise<ModelSignatureError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ModelSignatureError, `expected a ModelSignatureError (${code}), got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}, but it resolved`);
}
