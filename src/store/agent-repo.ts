/**
 * The agent inventory, written once against SqlClient for both backends. An agent's identity
 * binding is stored with one unique lookup key, so the request path finds the agent of a
 * principal with one indexed read.
 */
import { RampartError } from '../core/errors.ts';
import { nullableNumber } from './api-key-repo.ts';
import { clampLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { isUniqueViolation } from './sql-errors.ts';
import type { AgentBinding, AgentPatch, AgentRecord, AgentRepo, AgentStatus, Page, SqlClient } from './types.ts';

interface AgentRow {
  id: string;
  name: string;
  binding: AgentBinding;
  owner: string | null;
  sponsor: string | null;
  purpose: string | null;
  allowed_deployments: string[];
  allowed_tools: string[];
  datasets: string[];
  status: string;
  expires_at: number | string | null;
  created_at: number | string;
  created_by: string | null;
  updated_at: number | string;
  last_seen_at: number | string | null;
}

const COLUMNS =
  'id, name, binding, owner, sponsor, purpose, allowed_deployments, allowed_tools, datasets, status, expires_at, created_at, created_by, updated_at, last_seen_at';

/**
 * The lookup key of a binding. A token subject is keyed by the principal id Rampart builds for it
 * (`oidc:<issuer>#<subject>`), so token and API key bindings meet in one namespace.
 */
export function agentIdentityKey(binding: AgentBinding): string {
  switch (binding.type) {
    case 'token':
      return `principal:oidc:${binding.issuer}#${binding.subject}`;
    case 'client':
      return binding.issuer !== undefined ? `client:${binding.issuer}#${binding.clientId}` : `client:${binding.clientId}`;
    case 'principal':
      return `principal:${binding.principalId}`;
  }
}

/** Patch fields -> columns; JSONB ones are serialized. */
const PATCH_COLUMNS: Record<keyof AgentPatch, { column: string; json?: true }> = {
  name: { column: 'name' },
  owner: { column: 'owner' },
  sponsor: { column: 'sponsor' },
  purpose: { column: 'purpose' },
  allowedDeployments: { column: 'allowed_deployments', json: true },
  allowedTools: { column: 'allowed_tools', json: true },
  datasets: { column: 'datasets', json: true },
  status: { column: 'status' },
  expiresAt: { column: 'expires_at' },
};

export class SqlAgentRepo implements AgentRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async insert(rec: AgentRecord): Promise<void> {
    try {
      await this.#sql.query(
        `INSERT INTO agents (${COLUMNS}, identity_key)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16)`,
        [
          rec.id,
          rec.name,
          JSON.stringify(rec.binding),
          rec.owner,
          rec.sponsor,
          rec.purpose,
          JSON.stringify(rec.allowedDeployments),
          JSON.stringify(rec.allowedTools),
          JSON.stringify(rec.datasets),
          rec.status,
          rec.expiresAt,
          rec.createdAt,
          rec.createdBy,
          rec.updatedAt,
          rec.lastSeenAt,
          agentIdentityKey(rec.binding),
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new RampartError('RAMPART_CONFLICT', { detail: 'An agent with this id or identity binding already exists.', cause: e });
      throw e;
    }
  }

  async get(id: string): Promise<AgentRecord | null> {
    const r = await this.#sql.query<AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async findByIdentity(identityKeys: readonly string[]): Promise<AgentRecord | null> {
    if (identityKeys.length === 0) return null;
    const r = await this.#sql.query<AgentRow & { identity_key: string }>(
      `SELECT ${COLUMNS}, identity_key FROM agents WHERE identity_key = ANY($1::text[])`,
      [identityKeys],
    );
    for (const key of identityKeys) {
      const row = r.rows.find((x) => x.identity_key === key);
      if (row) return toRecord(row);
    }
    return null;
  }

  async list(opts: { status?: AgentStatus; limit: number; cursor?: string | null }): Promise<Page<AgentRecord>> {
    const limit = clampLimit(opts.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.status) {
      params.push(opts.status);
      where.push(`status = $${params.length}`);
    }
    if (opts.cursor) {
      const [createdAt, id] = decodeCursor(opts.cursor, ['number', 'string']);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const r = await this.#sql.query<AgentRow>(
      `SELECT ${COLUMNS} FROM agents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = r.rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  async update(id: string, patch: AgentPatch, at: number): Promise<AgentRecord | null> {
    const sets: string[] = [];
    const params: unknown[] = [id, at];
    for (const [field, value] of Object.entries(patch) as [keyof AgentPatch, unknown][]) {
      const spec = PATCH_COLUMNS[field];
      if (spec === undefined || value === undefined) continue;
      params.push(spec.json ? JSON.stringify(value) : value);
      sets.push(`${spec.column} = $${params.length}${spec.json ? '::jsonb' : ''}`);
    }
    const r = await this.#sql.query<AgentRow>(
      `UPDATE agents SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
      params,
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async touch(lastSeen: ReadonlyMap<string, number>): Promise<void> {
    if (lastSeen.size === 0) return;
    const rows = [...lastSeen].map(([id, t]) => ({ id, t: Math.trunc(t) }));
    // One statement per batch; GREATEST keeps the newest time when instances race.
    await this.#sql.query(
      `UPDATE agents AS a SET last_seen_at = GREATEST(COALESCE(a.last_seen_at, 0), v.t)
       FROM jsonb_to_recordset($1::jsonb) AS v(id TEXT, t BIGINT) WHERE a.id = v.id`,
      [JSON.stringify(rows)],
    );
  }
}

function toRecord(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    binding: row.binding,
    owner: row.owner,
    sponsor: row.sponsor,
    purpose: row.purpose,
    allowedDeployments: row.allowed_deployments,
    allowedTools: row.allowed_tools,
    datasets: row.datasets,
    status: row.status as AgentStatus,
    expiresAt: nullableNumber(row.expires_at),
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    updatedAt: Number(row.updated_at),
    lastSeenAt: nullableNumber(row.last_seen_at),
  };
}
