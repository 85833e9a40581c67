/**
 * The model registry, written once against SqlClient for both backends. A model is one name at
 * one root digest; the newest registration of a name is what a deployment without a pinned digest
 * serves.
 */
import { RampartError } from '../core/errors.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { isUniqueViolation } from './sql-errors.ts';
import type { ModelApproval, ModelRecord, ModelRepo, ModelScanResult, ModelSignatureResult, ModelSource, Page, SqlClient } from './types.ts';

interface ModelRow {
  id: string;
  name: string;
  digest: string;
  source: ModelSource;
  location: string | null;
  files: number | string;
  bytes: number | string;
  signature: ModelSignatureResult;
  scan: ModelScanResult;
  approval: ModelApproval;
  created_at: number | string;
  created_by: string | null;
  updated_at: number | string;
}

const COLUMNS = 'id, name, digest, source, location, files, bytes, signature, scan, approval, created_at, created_by, updated_at';

export class SqlModelRepo implements ModelRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async insert(rec: ModelRecord): Promise<void> {
    try {
      await this.#sql.query(
        `INSERT INTO models (${COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13)`,
        [
          rec.id,
          rec.name,
          rec.digest,
          JSON.stringify(rec.source),
          rec.location,
          rec.files,
          rec.bytes,
          JSON.stringify(rec.signature),
          JSON.stringify(rec.scan),
          JSON.stringify(rec.approval),
          rec.createdAt,
          rec.createdBy,
          rec.updatedAt,
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new RampartError('RAMPART_CONFLICT', { detail: `Model '${rec.name}' is registered at this digest already.`, cause: e });
      throw e;
    }
  }

  async get(id: string): Promise<ModelRecord | null> {
    const r = await this.#sql.query<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async find(name: string, digest?: string): Promise<ModelRecord | null> {
    const r =
      digest === undefined
        ? await this.#sql.query<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE name = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [name])
        : await this.#sql.query<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE name = $1 AND digest = $2`, [name, digest]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async list(opts: { name?: string; limit: number; cursor?: string | null }): Promise<Page<ModelRecord>> {
    const limit = clampLimit(opts.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.name) {
      params.push(opts.name);
      where.push(`name = $${params.length}`);
    }
    if (opts.cursor) {
      const [createdAt, id] = decodeCursor(opts.cursor, ['number', 'string']);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const r = await this.#sql.query<ModelRow>(
      `SELECT ${COLUMNS} FROM models ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  async setApproval(id: string, approval: ModelApproval, at: number): Promise<ModelRecord | null> {
    const r = await this.#sql.query<ModelRow>(`UPDATE models SET approval = $2::jsonb, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, JSON.stringify(approval), at]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }
}

function toRecord(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    name: row.name,
    digest: row.digest,
    source: row.source,
    location: row.location,
    files: Number(row.files),
    bytes: Number(row.bytes),
    signature: row.signature,
    scan: row.scan,
    approval: row.approval,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    updatedAt: Number(row.updated_at),
  };
}
