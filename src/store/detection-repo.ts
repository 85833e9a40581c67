/**
 * Guard detections, written in batches (one INSERT from a JSONB recordset, like the audit log)
 * and listed newest first with filters and keyset pagination.
 */
import type { DetectionRecord } from '../core/detection.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
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
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.from !== undefined) add((p) => `time >= ${p}`, filter.from);
    if (filter.to !== undefined) add((p) => `time < ${p}`, filter.to);
    if (filter.principalId !== undefined) add((p) => `principal_id = ${p}`, filter.principalId);
    if (filter.deployment !== undefined) add((p) => `deployment = ${p}`, filter.deployment);
    if (filter.category !== undefined) {
      if (filter.category.endsWith('.')) add((p) => `starts_with(category, ${p})`, filter.category);
      else add((p) => `category = ${p}`, filter.category);
    }
    if (filter.detector !== undefined) add((p) => `detector = ${p}`, filter.detector);
    if (filter.action !== undefined) add((p) => `action = ${p}`, filter.action);
    if (filter.severity !== undefined) add((p) => `severity = ${p}`, filter.severity);
    if (filter.requestId !== undefined) add((p) => `request_id = ${p}`, filter.requestId);
    if (filter.cursor) {
      const [time, id] = decodeCursor(filter.cursor, ['number', 'string']);
      params.push(time, id);
      where.push(`(time, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const r = await this.#sql.query<Row>(
      `SELECT ${COLUMNS} FROM detections ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.time, last.id]) : null };
  }
}
