/**
 * Just-in-time elevations, written once against SqlClient for both backends. Every state change
 * is one conditional UPDATE (`WHERE status = ...`), so two administrators, or two instances,
 * racing on one elevation cannot both win: the loser gets null.
 */
import { RampartError } from '../core/errors.ts';
import type { PrincipalKind } from '../core/principal.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { isUniqueViolation } from './sql-errors.ts';
import { Where } from './sql-where.ts';
import type { ElevationFilter, ElevationRecord, ElevationRepo, ElevationStatus, Page, SqlClient } from './types.ts';

interface ElevationRow {
  id: string;
  principal_id: string;
  principal_kind: string;
  role: string;
  justification: string;
  duration_ms: number | string;
  approval: string;
  status: string;
  requested_at: number | string;
  decided_at: number | string | null;
  decided_by: string | null;
  decision_note: string | null;
  starts_at: number | string | null;
  expires_at: number | string | null;
  revoked_at: number | string | null;
  revoked_by: string | null;
}

const COLUMNS =
  'id, principal_id, principal_kind, role, justification, duration_ms, approval, status, requested_at, decided_at, decided_by, decision_note, starts_at, expires_at, revoked_at, revoked_by';

export class SqlElevationRepo implements ElevationRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async insert(rec: ElevationRecord): Promise<void> {
    try {
      await this.#sql.query(
        `INSERT INTO elevations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          rec.id,
          rec.principalId,
          rec.principalKind,
          rec.role,
          rec.justification,
          rec.durationMs,
          rec.approval,
          rec.status,
          rec.requestedAt,
          rec.decidedAt,
          rec.decidedBy,
          rec.decisionNote,
          rec.startsAt,
          rec.expiresAt,
          rec.revokedAt,
          rec.revokedBy,
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new RampartError('RAMPART_CONFLICT', { detail: 'An elevation with this id already exists.', cause: e });
      throw e;
    }
  }

  async get(id: string): Promise<ElevationRecord | null> {
    const r = await this.#sql.query<ElevationRow>(`SELECT ${COLUMNS} FROM elevations WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async list(filter: ElevationFilter): Promise<Page<ElevationRecord>> {
    const limit = clampLimit(filter.limit);
    const w = new Where().add(filter.principalId, (p) => `principal_id = ${p}`).add(filter.status, (p) => `status = ${p}`);
    if (filter.cursor) w.before(['requested_at', 'id'], decodeCursor(filter.cursor, ['number', 'string']));
    const q = w.finish(limit + 1);
    const r = await this.#sql.query<ElevationRow>(`SELECT ${COLUMNS} FROM elevations ${q.where} ORDER BY requested_at DESC, id DESC ${q.limit}`, w.params);
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.requestedAt, last.id]) : null };
  }

  async decide(id: string, d: { status: 'approved' | 'denied'; at: number; by: string; note: string | null; startsAt: number | null; expiresAt: number | null }): Promise<ElevationRecord | null> {
    const r = await this.#sql.query<ElevationRow>(
      `UPDATE elevations SET status = $2, decided_at = $3, decided_by = $4, decision_note = $5, starts_at = $6, expires_at = $7
       WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
      [id, d.status, d.at, d.by, d.note, d.startsAt, d.expiresAt],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async revoke(id: string, at: number, by: string): Promise<ElevationRecord | null> {
    const r = await this.#sql.query<ElevationRow>(
      `UPDATE elevations SET status = 'revoked', revoked_at = $2, revoked_by = $3
       WHERE id = $1 AND (status = 'pending' OR (status = 'approved' AND expires_at > $2)) RETURNING ${COLUMNS}`,
      [id, at, by],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async active(now: number): Promise<ElevationRecord[]> {
    const r = await this.#sql.query<ElevationRow>(
      `SELECT ${COLUMNS} FROM elevations WHERE status = 'approved' AND expires_at > $1 ORDER BY expires_at LIMIT 100000`,
      [now],
    );
    return r.rows.map(toRecord);
  }

  async expire(now: number): Promise<ElevationRecord[]> {
    const r = await this.#sql.query<ElevationRow>(
      `UPDATE elevations SET status = 'expired' WHERE status = 'approved' AND expires_at <= $1 RETURNING ${COLUMNS}`,
      [now],
    );
    return r.rows.map(toRecord);
  }
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toRecord(r: ElevationRow): ElevationRecord {
  return {
    id: r.id,
    principalId: r.principal_id,
    principalKind: r.principal_kind as PrincipalKind,
    role: r.role,
    justification: r.justification,
    durationMs: Number(r.duration_ms),
    approval: r.approval === 'auto' ? 'auto' : 'required',
    status: r.status as ElevationStatus,
    requestedAt: Number(r.requested_at),
    decidedAt: num(r.decided_at),
    decidedBy: r.decided_by,
    decisionNote: r.decision_note,
    startsAt: num(r.starts_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
    revokedBy: r.revoked_by,
  };
}
