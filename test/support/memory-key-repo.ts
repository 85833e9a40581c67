/**
 * In-memory ApiKeyRepo for unit tests, honest to the interface and to the SQL repo's semantics:
 * records are copied in and out (callers cannot mutate stored state), a duplicate id is a
 * RAMPART_CONFLICT, pages go newest first, setExpiry only sets or shortens, touch keeps the newest.
 */
import { RampartError } from '../../src/core/errors.ts';
import type { ApiKeyRecord, ApiKeyRepo, Page } from '../../src/store/types.ts';

export class MemoryKeyRepo implements ApiKeyRepo {
  readonly #rows = new Map<string, ApiKeyRecord>();
  /** Number of `get` calls: lets tests see whether a lookup reached the store. */
  gets = 0;
  /** Number of `touch` batches written. */
  touches = 0;

  async insert(rec: ApiKeyRecord): Promise<void> {
    if (this.#rows.has(rec.id)) throw new RampartError('RAMPART_CONFLICT', { detail: 'An API key with this id already exists.' });
    this.#rows.set(rec.id, structuredClone(rec));
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    this.gets++;
    const rec = this.#rows.get(id);
    return rec === undefined ? null : structuredClone(rec);
  }

  async list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<ApiKeyRecord>> {
    const all = [...this.#rows.values()]
      .filter((r) => opts.includeRevoked === true || r.revokedAt === null)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const start = opts.cursor ? all.findIndex((r) => `${r.createdAt}:${r.id}` === opts.cursor) + 1 : 0;
    const items = all.slice(start, start + opts.limit);
    const last = items.at(-1);
    const more = start + opts.limit < all.length;
    return { items: items.map((r) => structuredClone(r)), nextCursor: more && last ? `${last.createdAt}:${last.id}` : null };
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const rec = this.#rows.get(id);
    if (rec === undefined) return false;
    if (rec.revokedAt === null) rec.revokedAt = at;
    return true;
  }

  async setExpiry(id: string, at: number): Promise<boolean> {
    const rec = this.#rows.get(id);
    if (rec === undefined || rec.revokedAt !== null) return false;
    if (rec.expiresAt === null || rec.expiresAt > at) rec.expiresAt = at;
    return true;
  }

  async touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    this.touches++;
    for (const [id, at] of lastUsed) {
      const rec = this.#rows.get(id);
      if (rec !== undefined && (rec.lastUsedAt === null || at > rec.lastUsedAt)) rec.lastUsedAt = at;
    }
  }

  /** Every stored row, serialised: for tests that assert what is (not) persisted. */
  dump(): string {
    return JSON.stringify([...this.#rows.values()]);
  }
}
