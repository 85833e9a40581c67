/**
 * API key records, written once against SqlClient for both backends. Only hashes of key secrets
 * are ever stored (see ApiKeyRecord).
 */
import { RampartError } from '../core/errors.ts';
import type { PrincipalKind } from '../core/principal.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { isUniqueViolation } from './sql-errors.ts';
import type { ApiKeyRecord, ApiKeyRepo, LimitValues, Page, SqlClient } from './types.ts';

interface ApiKeyRow {
  id: string;
  name: string;
  secret_hash: string;
  principal_id: string;
  principal_kind: string;
  roles: string[];
  limits: LimitValues | null;
  created_at: number | string;
  created_by: string | null;
  expires_at: number | string | null;
  revoked_at: number | string | null;
  last_used_at: number | string | null;
  rotated_from: string | null;
  allowed_networks: string[] | null;
}

const COLUMNS =
  'id, name, secret_hash, principal_id, principal_kind, roles, limits, created_at, created_by, expires_at, revoked_at, last_used_at, rotated_from, allowed_networks';

export class SqlApiKeyRepo implements ApiKeyRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async insert(rec: ApiKeyRecord): Promise<void> {
    try {
      await this.#sql.query(
        `INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14::jsonb)`,
        [
          rec.id,
          rec.name,
          rec.secretHash,
          rec.principalId,
          rec.principalKind,
          JSON.stringify(rec.roles),
          rec.limits === null ? null : JSON.stringify(rec.limits),
          rec.createdAt,
          rec.createdBy,
          rec.expiresAt,
          rec.revokedAt,
          rec.lastUsedAt,
          rec.rotatedFrom,
          rec.allowedNetworks ? JSON.stringify(rec.allowedNetworks) : null,
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new RampartError('RAMPART_CONFLICT', { detail: 'An API key with this id already exists.', cause: e });
      throw e;
    }
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const r = await this.#sql.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<ApiKeyRecord>> {
    const limit = clampLimit(opts.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (!opts.includeRevoked) where.push('revoked_at IS NULL');
    if (opts.cursor) {
      const [createdAt, id] = decodeCursor(opts.cursor, ['number', 'string']);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const r = await this.#sql.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  async revoke(id: string, at: number): Promise<boolean> {
    // COALESCE keeps the first revocation time when revoked twice.
    const r = await this.#sql.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1', [id, at]);
    return r.rowCount > 0;
  }

  async setExpiry(id: string, at: number): Promise<boolean> {
    // Only sets or shortens: rotation's overlap window must never extend a key's life. A revoked
    // key is left alone, and the false answer tells a rotation that raced a revocation.
    const r = await this.#sql.query(
      'UPDATE api_keys SET expires_at = CASE WHEN expires_at IS NULL OR expires_at > $2 THEN $2 ELSE expires_at END WHERE id = $1 AND revoked_at IS NULL',
      [id, at],
    );
    return r.rowCount > 0;
  }

  async touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    if (lastUsed.size === 0) return;
    const rows = [...lastUsed].map(([id, t]) => ({ id, t: Math.trunc(t) }));
    // One statement for the whole batch; GREATEST keeps the newest time when writers race.
    await this.#sql.query(
      `UPDATE api_keys AS k SET last_used_at = GREATEST(COALESCE(k.last_used_at, 0), v.t)
       FROM jsonb_to_recordset($1::jsonb) AS v(id TEXT, t BIGINT) WHERE k.id = v.id`,
      [JSON.stringify(rows)],
    );
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    principalId: row.principal_id,
    principalKind: row.principal_kind as PrincipalKind,
    roles: row.roles,
    limits: row.limits,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    expiresAt: nullableNumber(row.expires_at),
    revokedAt: nullableNumber(row.revoked_at),
    lastUsedAt: nullableNumber(row.last_used_at),
    rotatedFrom: row.rotated_from,
    ...(row.allowed_networks ? { allowedNetworks: row.allowed_networks } : {}),
  };
}

/** `pg` returns BIGINT as a string (it may exceed 2^53); epoch milliseconds never do. */
export function nullableNumber(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}
