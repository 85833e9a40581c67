/**
 * First start on the embedded store: nobody can call the admin API yet. When the key store is
 * empty, Rampart creates one `admin` key and writes its plaintext to `<dataDir>/bootstrap-admin-key`
 * (mode 0600) — never to the log — the way self-hosted tools hand over their first credential.
 * Delete the file after creating your own keys; revoke the key when an IdP admin exists.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { RampartConfig } from '../config/schema.ts';
import type { Identity } from './identity.ts';

export async function ensureBootstrapKey(config: RampartConfig, identity: Identity, logger: Logger): Promise<string | null> {
  if (config.storage.kind !== 'embedded' || !identity.keysEnabled) return null;
  const existing = await identity.keys.list({ includeRevoked: true, limit: 1 });
  if (existing.items.length > 0) return null;
  const policy = config.auth.apiKeyPolicy;
  const { record, plaintext } = await identity.keys.create({
    name: 'bootstrap-admin',
    principalKind: 'user',
    roles: ['admin'],
    // Under a lifetime policy (auth.apiKeyPolicy) the bootstrap key must expire too: a week at most.
    ...(policy.requireExpiry || policy.maxLifetimeDays !== undefined ? { expiresAt: Date.now() + Math.min(policy.maxLifetimeDays ?? 7, 7) * 86_400_000 } : {}),
    createdBy: 'rampart:bootstrap',
  });
  const file = resolve(join(config.storage.dataDir, 'bootstrap-admin-key'));
  // A fresh file: a leftover one would keep its mode (0644) and a symlink would be followed.
  rmSync(file, { force: true });
  writeFileSync(file, `${plaintext.reveal()}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn({ keyId: record.id, file }, 'created a bootstrap admin API key; its plaintext is in the file (mode 0600) — create your own keys, then revoke it');
  return file;
}
