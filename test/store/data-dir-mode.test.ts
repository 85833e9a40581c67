/**
 * The embedded store's directory is 0700 whoever made it: PGlite writes its files 0666, so the
 * directory is what keeps other local users from the audit log and the key hashes. Also the
 * bootstrap admin key file: always a fresh 0600 file, never a leftover's mode or a symlink's target.
 */
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { startApp } from '../../src/server/app.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { validateConfig } from '../../src/config/load.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the embedded data directory', () => {
  it('is tightened to 0700 when it existed with wider permissions, and the bootstrap key file is fresh and 0600', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rampart-mode-'));
    dirs.push(root);
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    // A leftover key file readable by everyone, and a symlink planted where the key goes.
    const elsewhere = join(root, 'elsewhere');
    writeFileSync(elsewhere, 'old\n', { mode: 0o644 });
    symlinkSync(elsewhere, join(dataDir, 'bootstrap-admin-key'));
    const config = validateConfig(rampartConfigSchema(), { storage: { kind: 'embedded', dataDir }, server: { port: 0 }, deployments: [{ name: 'x', targets: [{ provider: 'echo' }] }] });
    const app = await startApp(config, { logger: pino({ level: 'silent' }), defaultMetrics: false });
    try {
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      const key = join(dataDir, 'bootstrap-admin-key');
      assert.equal(lstatSync(key).isSymbolicLink(), false, 'the symlink was replaced, not followed');
      assert.equal(statSync(key).mode & 0o777, 0o600);
      assert.match(readFileSync(key, 'utf8'), /^rk_/);
      assert.equal(readFileSync(elsewhere, 'utf8'), 'old\n', 'the link target is untouched');
    } finally {
      await app.close();
    }
  });
});
