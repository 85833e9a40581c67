/**
 * Builds the Store from the `storage` config: opens the backend, applies migrations, and wires
 * the repositories. Fails at start-up, with a coded error, rather than on the first request.
 */
import type { Logger } from 'pino';
import { SqlAgentRepo } from './agent-repo.ts';
import { SqlApiKeyRepo } from './api-key-repo.ts';
import { SqlAuditRepo } from './audit-repo.ts';
import { SqlDetectionRepo } from './detection-repo.ts';
import { SqlPinRepo } from './pin-repo.ts';
import { SqlModelRepo } from './model-repo.ts';
import { SqlElevationRepo } from './elevation-repo.ts';
import { SqlSandboxApprovalRepo } from './sandbox-repo.ts';
import type { StorageConfig, StorageConfigInput } from '../config/storage.ts';
import { migrate } from './migrate.ts';
import { openPgliteClient } from './pglite-client.ts';
import { checkPostgres, createPostgresClient } from './postgres-client.ts';
import type { SqlClient, Store } from './types.ts';

/** What openStore reads: the parsed config, where the embedded store's thread priority may be left out (background). */
export type OpenStoreConfig = StorageConfig | (Extract<StorageConfigInput, { kind: 'embedded' }> & { dataDir: string });

export interface OpenStoreDeps {
  logger: Logger;
}

/**
 * @example
 * const store = await openStore({ kind: 'embedded', dataDir: './data' }, { logger });
 * await store.keys.get('key_123');
 * await store.close();
 */
export async function openStore(config: OpenStoreConfig, deps: OpenStoreDeps): Promise<Store> {
  const logger = deps.logger.child({ component: 'store' });
  let sql: SqlClient;
  if (config.kind === 'embedded') {
    sql = await openPgliteClient({ dataDir: config.dataDir, logger, background: config.threadPriority !== 'normal' });
  } else {
    sql = createPostgresClient({ ...config, logger });
    try {
      await checkPostgres(sql, config.url);
    } catch (e) {
      await sql.close().catch(() => undefined);
      throw e;
    }
  }
  try {
    await migrate(sql, { logger, schema: config.kind === 'postgres' ? config.schema : undefined });
  } catch (e) {
    await sql.close().catch(() => undefined);
    throw e;
  }
  return storeOn(sql);
}

/** A Store over an already-migrated SqlClient. */
export function storeOn(sql: SqlClient): Store {
  return {
    sql,
    keys: new SqlApiKeyRepo(sql),
    agents: new SqlAgentRepo(sql),
    audit: new SqlAuditRepo(sql),
    detections: new SqlDetectionRepo(sql),
    pins: new SqlPinRepo(sql),
    elevations: new SqlElevationRepo(sql),
    models: new SqlModelRepo(sql),
    sandboxApprovals: new SqlSandboxApprovalRepo(sql),
    async ping() {
      await sql.query('SELECT 1');
    },
    close: () => sql.close(),
  };
}
