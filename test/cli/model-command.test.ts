/**
 * `rampart model sign|verify|hash|register|list|approve` as an operator runs them: sign a model
 * with a key, verify it, tamper with a file and see verification fail naming it (exit 2), then
 * register it in the embedded store and see the four-eyes rule on approval.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'rampart-model-cli-'));
const BIN = join(process.cwd(), 'bin', 'rampart.js');
const model = join(dir, 'tiny');

function rampart(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'model', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  writeFileSync(join(dir, 'signer.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'signer.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  writeFileSync(join(dir, 'other.pub'), other.export({ type: 'spki', format: 'pem' }));
  mkdirSync(join(model, 'sub'), { recursive: true });
  writeFileSync(join(model, 'config.json'), '{"architectures":["Tiny"]}');
  writeFileSync(join(model, 'sub', 'weights.bin'), Buffer.alloc(4096, 7));
  writeFileSync(
    join(dir, 'rampart.yaml'),
    [`storage: { kind: embedded, dataDir: ${JSON.stringify(join(dir, 'data'))} }`, 'log: { level: silent }', 'models:', '  signers:', `    - { name: ml, publicKey: ${JSON.stringify(publicKey.export({ type: 'spki', format: 'pem' }).toString())} }`, ''].join('\n'),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart model', () => {
  it('signs, verifies, and names the file that changed', () => {
    const signed = rampart(['sign', model, '--key', 'signer.pem']);
    assert.equal(signed.code, 0, signed.stderr);
    const digest = /root digest (sha256:[0-9a-f]{64})/.exec(signed.stdout)?.[1];
    assert.ok(digest, signed.stdout);
    const hashed = rampart(['hash', model]);
    assert.equal(hashed.code, 0);
    assert.ok(hashed.stdout.startsWith(digest), 'hash gives the digest the signature signs');

    const ok = rampart(['verify', model, '--key', 'signer.pub']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^VERIFIED/);
    const wrongKey = rampart(['verify', model, '--key', 'other.pub']);
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /MODEL_SIGNATURE_INVALID|MODEL_KEY/);

    writeFileSync(join(model, 'sub', 'weights.bin'), Buffer.alloc(4096, 8));
    const tampered = rampart(['verify', model, '--key', 'signer.pub']);
    assert.equal(tampered.code, 2);
    assert.match(tampered.stderr, /MODEL_FILE_CHANGED/);
    assert.match(tampered.stderr, /sub\/weights\.bin/);
    writeFileSync(join(model, 'sub', 'weights.bin'), Buffer.alloc(4096, 7));
    writeFileSync(join(model, 'extra.txt'), 'not signed');
    const extra = rampart(['verify', model, '--key', 'signer.pub']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /MODEL_FILE_EXTRA.*extra\.txt/s);
    rmSync(join(model, 'extra.txt'));
  });

  it('refuses bad arguments with exit 1', () => {
    assert.equal(rampart(['verify', model]).code, 1, 'no verification method');
    assert.equal(rampart(['verify', model, '--key', 'signer.pub', '--cert-roots', 'x.pem']).code, 1, 'two methods');
    assert.equal(rampart(['sign', model, '--key', 'missing.pem']).code, 1);
  });

  it('registers into the embedded store, lists it, and keeps four eyes on approval', () => {
    const reg = rampart(['register', model, '--name', 'tiny', '--publisher', 'acme', '--json', '-c', 'rampart.yaml']);
    assert.equal(reg.code, 0, reg.stderr);
    const rec = JSON.parse(reg.stdout) as { id: string; signature: { status: string; signer: string }; scan: { verdict: string }; approval: { status: string } };
    assert.deepEqual([rec.signature.status, rec.signature.signer, rec.scan.verdict, rec.approval.status], ['verified', 'ml', 'clean', 'pending']);
    const list = rampart(['list', '-c', 'rampart.yaml']);
    assert.match(list.stdout, new RegExp(`${rec.id}\\s+tiny`));
    const self = rampart(['approve', rec.id, '-c', 'rampart.yaml']);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /RAMPART_FORBIDDEN.*four eyes/);
    // Both changes are in the hash-chained audit log, refusal included, and the chain verifies.
    const audit = spawnSync(process.execPath, [BIN, 'audit', 'tail', '-n', '10', '--json', '-c', 'rampart.yaml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(audit.status, 0, audit.stderr);
    const events = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; decision: string; status: number; code: string | null; reason: string | null });
    assert.deepEqual(events.filter((e) => e.action.startsWith('models.')).map((e) => [e.action, e.decision, e.status, e.code]), [
      ['models.register', 'allow', 200, null],
      // A 403 is a refusal, recorded as the admin API records one.
      ['models.approve', 'deny', 403, 'RAMPART_FORBIDDEN'],
    ]);
    const verified = spawnSync(process.execPath, [BIN, 'audit', 'verify', '-c', 'rampart.yaml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });
});
