/**
 * Guard detections, written in batches (one INSERT from a JSONB recordset, like the audit log)
 * and listed newest first with filters and keyset pagination.
 */
import type { DetectionRecord } from '../core/detection.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { Where } from './sql-where.ts';
import type { DetectionFilter, DetectionRepo, Page, SqlClient } from './types.ts';

const COLUMN_TYPES = [
  ['id', 'TEXT', 'id'],
  ['time', 'BIGINT', 'time'],
  ['request_id', 'TEXT', 'requestId'],
  ['principal_id', 'TEXT', 'principalId'],
  ['deployment', 'TEXT', 'deployment'],
  ['profile', 'TEXT', 'profile'],
  ['detector', 'TEXT', 'detector'],
  ['detector_version', 'TEXT', 'detectorVersion'],
  ['category', 'TEXT', 'category'],
  ['severity', 'TEXT', 'severity'],
  ['score', 'DOUBLE PRECISION', 'score'],
  ['channel', 'TEXT', 'channel'],
  ['segment', 'TEXT', 'segment'],
  ['action', 'TEXT', 'action'],
  ['rule', 'TEXT', 'rule'],
  ['explanation', 'TEXT', 'explanation'],
  ['excerpt', 'TEXT', 'excerpt'],
] as const;

const COLUMNS = COLUMN_TYPES.map(([c]) => c).join(', ');
const RECORD_TYPE = COLUMN_TYPES.map(([c, t]) => `${c} ${t}`).join(', ');

type Row = Record<(typeof COLUMN_TYPES)[number][0], unknown>;

function toRow(d: DetectionRecord): Row {
  return Object.fromEntries(COLUMN_TYPES.map(([c, , f]) => [c, d[f]])) as Row;
}

function toRecord(r: Row): DetectionRecord {
  const out = Object.fromEntries(COLUMN_TYPES.map(([c, , f]) => [f, r[c]])) as Record<string, unknown>;
  out.time = Number(out.time);
  out.score = Number(out.score);
  return out as unknown as DetectionRecord;
}

export class SqlDetectionRepo implements DetectionRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async insertMany(records: readonly DetectionRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#sql.query(
      `INSERT INTO detections (${COLUMNS}) SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_TYPE}) ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(records.map(toRow))],
    );
  }

  async list(filter: DetectionFilter): Promise<Page<DetectionRecord>> {
    const limit = clampLimit(filter.limit);
    const category = filter.category;
    const w = new Where()
      .add(filter.from, (p) => `time >= ${p}`)
      .add(filter.to, (p) => `time < ${p}`)
      .add(filter.principalId, (p) => `principal_id = ${p}`)
      .add(filter.deployment, (p) => `deployment = ${p}`)
      .add(category, (p) => (category!.endsWith('.') ? `starts_with(category, ${p})` : `category = ${p}`))
      .add(filter.detector, (p) => `detector = ${p}`)
      .add(filter.action, (p) => `action = ${p}`)
      .add(filter.severity, (p) => `severity = ${p}`)
      .add(filter.requestId, (p) => `request_id = ${p}`);
    if (filter.cursor) w.before(['time', 'id'], decodeCursor(filter.cursor, ['number', 'string']));
    const q = w.finish(limit + 1);
    const r = await this.#sql.query<Row>(`SELECT ${COLUMNS} FROM detections ${q.where} ORDER BY time DESC, id DESC ${q.limit}`, w.params);
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.time, last.id]) : null };
  }
}
