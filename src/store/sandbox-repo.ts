/**
 * Sandbox code approvals, written once against SqlClient for both backends. One row per SHA-256:
 * approving a hash whose approval was revoked replaces that row in one statement, so two admins
 * approving at once cannot both win.
 */
import { RampartError } from '../core/errors.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
import type { Page, SandboxApprovalRecord, SandboxApprovalRepo, SqlClient } from './types.ts';

interface ApprovalRow {
  id: string;
  sha256: string;
  language: string;
  reviewer: string;
  approved_at: number | string;
  revision_url: string;
  note: string | null;
  revoked_at: number | string | null;
  revoked_by: string | null;
}

const COLUMNS = 'id, sha256, language, reviewer, approved_at, revision_url, note, revoked_at, revoked_by';

export class SqlSandboxApprovalRepo implements SandboxApprovalRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async approve(rec: SandboxApprovalRecord): Promise<SandboxApprovalRecord> {
    // ON CONFLICT ... WHERE: the existing row is replaced only when it was revoked; an approval in
    // force makes the statement return no row.
    const r = await this.#sql.query<ApprovalRow>(
      `INSERT INTO sandbox_approvals (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)
       ON CONFLICT (sha256) DO UPDATE SET id = EXCLUDED.id, language = EXCLUDED.language, reviewer = EXCLUDED.reviewer,
         approved_at = EXCLUDED.approved_at, revision_url = EXCLUDED.revision_url, note = EXCLUDED.note, revoked_at = NULL, revoked_by = NULL
       WHERE sandbox_approvals.revoked_at IS NOT NULL
       RETURNING ${COLUMNS}`,
      [rec.id, rec.sha256, rec.language, rec.reviewer, rec.approvedAt, rec.revisionUrl, rec.note],
    );
    if (!r.rows[0]) throw new RampartError('RAMPART_CONFLICT', { detail: 'This code is approved already: revoke the approval first to approve it again.' });
    return toRecord(r.rows[0]);
  }

  async get(sha256: string): Promise<SandboxApprovalRecord | null> {
    const r = await this.#sql.query<ApprovalRow>(`SELECT ${COLUMNS} FROM sandbox_approvals WHERE sha256 = $1`, [sha256]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<SandboxApprovalRecord>> {
    const limit = clampLimit(opts.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (!opts.includeRevoked) where.push('revoked_at IS NULL');
    if (opts.cursor) {
      const [approvedAt, id] = decodeCursor(opts.cursor, ['number', 'string']);
      params.push(approvedAt, id);
      where.push(`(approved_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const r = await this.#sql.query<ApprovalRow>(
      `SELECT ${COLUMNS} FROM sandbox_approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY approved_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.approvedAt, last.id]) : null };
  }

  async revoke(sha256: string, at: number, by: string): Promise<SandboxApprovalRecord | null> {
    const r = await this.#sql.query<ApprovalRow>(
      `UPDATE sandbox_approvals SET revoked_at = $2, revoked_by = $3 WHERE sha256 = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [sha256, at, by],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }
}

function toRecord(row: ApprovalRow): SandboxApprovalRecord {
  return {
    id: row.id,
    sha256: row.sha256,
    language: row.language,
    reviewer: row.reviewer,
    approvedAt: Number(row.approved_at),
    revisionUrl: row.revision_url,
    note: row.note,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokedBy: row.revoked_by,
  };
}
