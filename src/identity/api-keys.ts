/**
 * Rampart API keys over an `ApiKeyRepo`: create (plaintext shown once), list, revoke, rotate with
 * an overlap window, and verify on the request path.
 *
 * Principal binding: a key created without `principalId` is its own principal, `key:<id>` (a
 * service credential). A key created with `principalId` (e.g. `oidc:https://idp#alice`) acts as
 * that principal, so limits and audit follow the person or app, not the credential. Either way the
 * key carries its own roles and kind, and `Principal.apiKeyId` says which key was used. Rotation
 * copies the principal id, so a rotated service key stays the same principal (`key:<first id>`).
 *
 * Verification order matters: the secret is checked before revocation or expiry is reported, so
 * only holders of the real key learn its status; unknown id and wrong secret give the same error.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import { Secret } from '../core/secret.ts';
import type { ApiKeyRecord, ApiKeyRepo, LimitValues, Page } from '../store/types.ts';
import { generateApiKey, isKeyId, parseApiKey, secretMatches, storedDigest } from './api-key-format.ts';
import {
  createKeyInputSchema,
  rotateKeyInputSchema,
  toView,
  type ApiKeyView,
  type CreateKeyInput,
  type RotateKeyInput,
} from './api-key-input.ts';
import type { ApiKeyPolicy, ApiKeysSettings } from '../config/auth.ts';
import { networkMatcher } from '../config/cidr.ts';
import { parseInput } from '../config/load.ts';
import { LastUsedTracker, type WarnLogger } from './last-used.ts';
import { REFRESH_SHARE, TtlCache } from './ttl-cache.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ApiKeyServiceOptions {
  repo: ApiKeyRepo;
  clock?: Clock;
  /** The parsed `auth.apiKeys` settings; defaults as in the config schema. */
  settings?: Partial<ApiKeysSettings>;
  logger?: WarnLogger;
  /** The parsed `auth.apiKeyPolicy`: lifetime rules, network binding, hygiene thresholds. */
  policy?: Partial<ApiKeyPolicy>;
  /** Bound of the verified-record cache (default 10 000). */
  cacheMaxEntries?: number;
}

interface CacheEntry {
  readonly record: ApiKeyRecord;
  readonly principal: Principal;
  /** SHA-256 of the secret as bytes (null: the stored hash is malformed and nothing matches it). */
  readonly digest: Buffer | null;
  /** The key's own network binding, compiled once per cached record; null: anywhere. */
  readonly networks: ((ip: string | null) => boolean) | null;
}

/** What the request path knows about where a key is used from. */
export interface VerifyContext {
  /** The client address (server/client-ip.ts: trusted proxies applied); null when unknown. */
  readonly sourceIp?: string | null;
}

/** One key in the hygiene report, with why it is listed. */
export interface KeyHygieneItem {
  readonly key: ApiKeyView;
  readonly reasons: readonly ('unused' | 'never-used' | 'expiring' | 'expired' | 'no-expiry')[];
}

export interface KeyHygieneReport {
  readonly unusedDays: number;
  readonly expiringDays: number;
  readonly items: readonly KeyHygieneItem[];
}

function entryOf(rec: ApiKeyRecord): CacheEntry {
  return { record: rec, principal: principalOf(rec), digest: storedDigest(rec.secretHash), networks: rec.allowedNetworks ? networkMatcher(rec.allowedNetworks) : null };
}

export interface IssuedKey {
  readonly record: ApiKeyView;
  /** The full key. Shown to the caller once; Rampart keeps only its hash. */
  readonly plaintext: Secret;
}

/** Limits carried by the key a principal authenticated with (read by the meter, no store read). */
const keyLimits = new WeakMap<Principal, LimitValues | null>();

export function apiKeyLimitsOf(principal: Principal): LimitValues | null {
  return keyLimits.get(principal) ?? null;
}

function principalOf(rec: ApiKeyRecord): Principal {
  const principal: Principal = Object.freeze({
    id: rec.principalId,
    kind: rec.principalKind,
    roles: Object.freeze([...rec.roles]),
    groups: Object.freeze([]),
    authMethod: 'api-key',
    apiKeyId: rec.id,
    ...(rec.createdBy !== null ? { apiKeyCreatedBy: rec.createdBy } : {}),
    displayName: rec.name,
  } satisfies Principal);
  keyLimits.set(principal, rec.limits);
  return principal;
}

export class ApiKeyService {
  readonly #repo: ApiKeyRepo;
  readonly #clock: Clock;
  readonly #maxLifetimeMs: number | null;
  readonly #overlapMs: number;
  readonly #cacheTtlMs: number;
  readonly #cache: TtlCache<string, CacheEntry>;
  readonly #loading = new Map<string, Promise<ApiKeyRecord | null>>();
  readonly #lastUsed: LastUsedTracker;
  readonly #logger: WarnLogger | undefined;
  readonly #policy: ApiKeyPolicy;
  readonly #policyNetworks: ((ip: string | null) => boolean) | null;
  /** Bumped by revoke/rotate so a store read that started before them is not cached after them. */
  #epoch = 0;

  constructor(opts: ApiKeyServiceOptions) {
    const s = opts.settings ?? {};
    this.#repo = opts.repo;
    this.#clock = opts.clock ?? systemClock;
    this.#maxLifetimeMs = s.maxLifetimeDays !== undefined ? s.maxLifetimeDays * DAY_MS : null;
    this.#overlapMs = (s.rotationOverlapHours ?? 24) * HOUR_MS;
    this.#cacheTtlMs = s.cacheTtlMs ?? 2_000;
    this.#cache = new TtlCache(this.#cacheTtlMs > 0 ? (opts.cacheMaxEntries ?? 10_000) : 0, this.#clock);
    this.#policy = { requireExpiry: false, warnUnusedDays: 30, warnExpiringDays: 14, ...opts.policy };
    this.#policyNetworks = this.#policy.allowedNetworks ? networkMatcher(this.#policy.allowedNetworks) : null;
    this.#lastUsed = new LastUsedTracker(opts.repo, { intervalMs: s.lastUsedFlushMs ?? 10_000, logger: opts.logger });
    this.#logger = opts.logger;
  }

  /**
   * Creates a key. The plaintext is in the result only; store it nowhere.
   *
   * @example
   *   const { record, plaintext } = await keys.create({ name: 'ci', roles: ['model-user'], createdBy: admin.id });
   */
  async create(input: CreateKeyInput): Promise<IssuedKey> {
    const now = this.#clock.now();
    const req = parseInput(createKeyInputSchema, input);
    const expiresAt = this.#checkExpiry(req.expiresAt ?? null, now);
    this.#checkPolicy(expiresAt, now);
    const { id, plaintext, secretHash } = generateApiKey();
    const record: ApiKeyRecord = {
      id,
      name: req.name,
      secretHash,
      principalId: req.principalId ?? `key:${id}`,
      principalKind: req.principalKind,
      roles: [...new Set(req.roles)],
      limits: req.limits ?? null,
      createdAt: now,
      createdBy: req.createdBy ?? null,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFrom: null,
      ...(req.allowedNetworks ? { allowedNetworks: [...new Set(req.allowedNetworks)] } : {}),
    };
    await this.#repo.insert(record);
    return { record: toView(record, now), plaintext };
  }

  async get(id: string): Promise<ApiKeyView | null> {
    if (!isKeyId(id)) return null;
    const rec = await this.#repo.get(id);
    return rec === null ? null : toView(rec, this.#clock.now(), this.#lastUsed.pending(id));
  }

  async list(opts: { includeRevoked?: boolean; limit?: number; cursor?: string | null } = {}): Promise<Page<ApiKeyView>> {
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'limit: must be an integer from 1 to 1000', param: 'limit' });
    }
    const page = await this.#repo.list({ includeRevoked: opts.includeRevoked ?? false, limit, cursor: opts.cursor ?? null });
    const now = this.#clock.now();
    return { items: page.items.map((r) => toView(r, now, this.#lastUsed.pending(r.id))), nextCursor: page.nextCursor };
  }

  /**
   * Revokes a key; effective at once on this instance (other instances: within `cacheTtlMs`).
   * Returns false when there is no such key. Revoking twice keeps the first time and returns true.
   */
  async revoke(id: string): Promise<boolean> {
    if (!isKeyId(id)) return false;
    const found = await this.#repo.revoke(id, this.#clock.now());
    this.#invalidate(id);
    return found;
  }

  /**
   * Issues a successor of key `id` (same name, principal, kind, roles, limits; same lifetime length
   * unless `expiresAt` is given). The old key keeps working until now + overlap, then expires.
   */
  async rotate(id: string, input: RotateKeyInput = {}): Promise<IssuedKey & { previous: ApiKeyView }> {
    const req = parseInput(rotateKeyInputSchema, input);
    const old = isKeyId(id) ? await this.#repo.get(id) : null;
    if (old === null) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such API key.' });
    const now = this.#clock.now();
    if (old.revokedAt !== null) throw new RampartError('RAMPART_CONFLICT', { detail: 'A revoked key cannot be rotated.' });
    if (old.expiresAt !== null && now >= old.expiresAt) throw new RampartError('RAMPART_CONFLICT', { detail: 'An expired key cannot be rotated.' });

    const sameLifetime = old.expiresAt === null ? null : now + (old.expiresAt - old.createdAt);
    const expiresAt = this.#checkExpiry(req.expiresAt !== undefined ? req.expiresAt : sameLifetime, now);
    this.#checkPolicy(expiresAt, now);
    const { id: newId, plaintext, secretHash } = generateApiKey();
    const record: ApiKeyRecord = {
      ...old,
      id: newId,
      secretHash,
      roles: [...old.roles],
      createdAt: now,
      createdBy: req.createdBy ?? old.createdBy,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFrom: old.id,
    };
    await this.#repo.insert(record);
    // Only after the successor exists: a failure here leaves the old key valid, never neither.
    const overlapEnd = now + (req.overlapMs ?? this.#overlapMs);
    const oldEnd = old.expiresAt === null ? overlapEnd : Math.min(old.expiresAt, overlapEnd);
    if (!(await this.#repo.setExpiry(old.id, oldEnd))) {
      // Revoked (or removed) while this rotation ran: its successor must not outlive it.
      await this.#repo.revoke(newId, this.#clock.now());
      this.#invalidate(old.id);
      throw new RampartError('RAMPART_CONFLICT', { detail: 'The key was revoked while it was being rotated; the new key was revoked too.' });
    }
    this.#invalidate(old.id);
    return {
      record: toView(record, now),
      plaintext,
      previous: toView({ ...old, expiresAt: oldEnd }, now, this.#lastUsed.pending(old.id)),
    };
  }

  /**
   * Verifies a presented key and returns the principal it acts as, or throws
   * RAMPART_AUTH_MALFORMED / _INVALID_KEY / _KEY_REVOKED / _KEY_EXPIRED (or the store's error).
   */
  async verify(presented: Secret | string, ctx: VerifyContext = {}): Promise<Principal> {
    const raw = presented instanceof Secret ? presented.reveal() : presented;
    const { id, secret } = parseApiKey(raw);
    const entry = this.#cache.get(id, this.#refresh) ?? (await this.#load(id));
    // Same error for unknown id and wrong secret: the id alone must not reveal anything.
    if (entry === null || !secretMatches(secret, entry.digest)) throw new RampartError('RAMPART_AUTH_INVALID_KEY');
    const now = this.#clock.now();
    const { record } = entry;
    if (record.revokedAt !== null) throw new RampartError('RAMPART_AUTH_KEY_REVOKED');
    if (record.expiresAt !== null && now >= record.expiresAt) throw new RampartError('RAMPART_AUTH_KEY_EXPIRED');
    // Network binding after the secret check, so only the key's holder learns it is bound.
    const ip = ctx.sourceIp ?? null;
    if ((this.#policyNetworks !== null && !this.#policyNetworks(ip)) || (entry.networks !== null && !entry.networks(ip))) {
      throw new RampartError('RAMPART_AUTH_KEY_NETWORK');
    }
    this.#lastUsed.record(id, now);
    return entry.principal;
  }

  /**
   * Keys that need attention: not used for `unusedDays` (never used and older than that), expiring
   * within `expiringDays`, already expired but not revoked, or without an expiry. Revoked keys are
   * left out. Defaults come from `auth.apiKeyPolicy`.
   */
  async hygiene(opts: { unusedDays?: number; expiringDays?: number } = {}): Promise<KeyHygieneReport> {
    const unusedDays = opts.unusedDays ?? this.#policy.warnUnusedDays;
    const expiringDays = opts.expiringDays ?? this.#policy.warnExpiringDays;
    const now = this.#clock.now();
    const items: KeyHygieneItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.#repo.list({ includeRevoked: false, limit: 500, cursor });
      for (const rec of page.items) {
        const key = toView(rec, now, this.#lastUsed.pending(rec.id));
        const reasons: KeyHygieneItem['reasons'][number][] = [];
        if (key.lastUsedAt === null) {
          if (now - rec.createdAt >= unusedDays * DAY_MS) reasons.push('never-used');
        } else if (now - key.lastUsedAt >= unusedDays * DAY_MS) reasons.push('unused');
        if (rec.expiresAt === null) reasons.push('no-expiry');
        else if (rec.expiresAt <= now) reasons.push('expired');
        else if (rec.expiresAt - now <= expiringDays * DAY_MS) reasons.push('expiring');
        if (reasons.length > 0) items.push({ key, reasons });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return { unusedDays, expiringDays, items };
  }

  /** Writes collected last-used times now (also done on an interval). */
  flushLastUsed(): Promise<void> {
    return this.#lastUsed.flush();
  }

  /** Stops the flush timer and writes pending last-used times. */
  close(): Promise<void> {
    return this.#lastUsed.close();
  }

  #checkExpiry(requested: number | null, now: number): number | null {
    if (requested !== null && requested <= now) {
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'expiresAt: must be in the future', param: 'expiresAt' });
    }
    if (this.#maxLifetimeMs === null) return requested;
    const latest = now + this.#maxLifetimeMs;
    if (requested === null) return latest;
    if (requested > latest) {
      throw new RampartError('RAMPART_INVALID_REQUEST', {
        detail: 'expiresAt: is later than the configured maximum key lifetime allows',
        param: 'expiresAt',
      });
    }
    return requested;
  }

  /** `auth.apiKeyPolicy` lifetime rules: refused, never clamped, so the admin sees why. */
  #checkPolicy(expiresAt: number | null, now: number): void {
    const max = this.#policy.maxLifetimeDays;
    if (expiresAt === null && (this.#policy.requireExpiry || max !== undefined)) {
      throw new RampartError('RAMPART_KEY_POLICY', {
        detail: `expiresAt: keys must expire${max !== undefined ? ` within ${max} days` : ''} (auth.apiKeyPolicy); give an expiry.`,
        param: 'expiresAt',
      });
    }
    if (expiresAt !== null && max !== undefined && expiresAt > now + max * DAY_MS) {
      throw new RampartError('RAMPART_KEY_POLICY', {
        detail: `expiresAt: keys may live at most ${max} days (auth.apiKeyPolicy.maxLifetimeDays).`,
        param: 'expiresAt',
      });
    }
  }

  /** Drops every cached key record: another thread changed keys (server/threads.ts). */
  forgetAll(): void {
    this.#epoch++;
    this.#cache.clear();
    this.#loading.clear();
  }

  #invalidate(id: string): void {
    this.#epoch++;
    this.#cache.delete(id);
    // A read that started before the change must not answer verifications that start after it.
    this.#loading.delete(id);
  }

  /**
   * A key in use is read again from the store in the last fifth of its cache time, in the
   * background (ttl-cache.ts): its requests keep the cached record meanwhile instead of all
   * waiting for the read at expiry. A failed read leaves the entry to expire as before.
   */
  readonly #refresh = (id: string): void => {
    this.#load(id).catch((err: unknown) => this.#logger?.warn({ err, keyId: id }, 'API key refresh failed; the cached record expires as usual'));
  };

  /** One store read per id at a time; the record is cached for `cacheTtlMs` unless revoke/rotate raced it. */
  async #load(id: string): Promise<CacheEntry | null> {
    let pending = this.#loading.get(id);
    if (pending === undefined) {
      const epoch = this.#epoch;
      const read: Promise<ApiKeyRecord | null> = this.#repo.get(id).finally(() => {
        if (this.#loading.get(id) === read) this.#loading.delete(id);
      });
      pending = read;
      this.#loading.set(id, read);
      void read.then(
        (rec) => {
          if (epoch !== this.#epoch) return;
          if (rec === null) {
            this.#cache.delete(id); // deleted meanwhile: a background refresh must not leave it cached
            return;
          }
          const now = this.#clock.now();
          this.#cache.set(id, entryOf(rec), now + this.#cacheTtlMs, now + REFRESH_SHARE * this.#cacheTtlMs);
        },
        () => {},
      );
    }
    const rec = await pending;
    return rec === null ? null : (this.#cache.get(id) ?? entryOf(rec));
  }
}

/** Builds the API key service from the parsed `auth.apiKeys` settings. */
export function createApiKeyService(opts: ApiKeyServiceOptions): ApiKeyService {
  return new ApiKeyService(opts);
}
