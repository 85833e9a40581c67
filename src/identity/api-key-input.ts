/**
 * Validation of what admins send to create or rotate an API key, and the public view of a key
 * (its record without the secret hash). Used by the service, so the CLI and the admin API get the
 * same checks and the same coded errors.
 */
import { z } from 'zod';
import type { ApiKeyRecord } from '../store/types.ts';
import { PRINCIPAL_KINDS, roleNameSchema } from '../config/auth.ts';
import { networkListSchema } from '../config/cidr.ts';

// Printable text, no control characters (they could forge log lines or confuse terminals).
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]+$/u, { error: 'must not contain control characters' });

const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const createKeyInputSchema = z.strictObject({
  name: text(128).describe('Label shown in lists, e.g. "ci-pipeline".'),
  principalId: text(512)
    .refine((v) => !v.startsWith('key:'), { error: "ids starting with 'key:' are assigned by Rampart" })
    .nullish()
    .describe('Principal the key acts as. Absent: the key is its own principal, `key:<id>`.'),
  principalKind: z.enum(PRINCIPAL_KINDS).default('app'),
  roles: z.array(roleNameSchema).max(64).default([]),
  limits: z
    .strictObject({ requestsPerMinute: limit.optional(), tokensPerMinute: limit.optional(), tokensPerMonth: limit.optional() })
    .nullish(),
  expiresAt: z.number().int().positive().nullish().describe('Expiry, ms since the epoch.'),
  allowedNetworks: networkListSchema.nullish().describe('Networks (CIDRs) the key may be used from; absent: anywhere the key policy allows.'),
  createdBy: text(512).nullish(),
});

export type CreateKeyInput = z.input<typeof createKeyInputSchema>;
export type CreateKeyParsed = z.output<typeof createKeyInputSchema>;

export const rotateKeyInputSchema = z.strictObject({
  overlapMs: z.number().int().min(0).max(30 * 24 * 3_600_000).optional(),
  expiresAt: z.number().int().positive().nullish(),
  createdBy: text(512).nullish(),
});

export type RotateKeyInput = z.input<typeof rotateKeyInputSchema>;

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

/** An API key as the admin API and the CLI show it: no secret hash, with its status. */
export type ApiKeyView = Omit<ApiKeyRecord, 'secretHash'> & { readonly status: ApiKeyStatus };

export function keyStatus(rec: Pick<ApiKeyRecord, 'revokedAt' | 'expiresAt'>, now: number): ApiKeyStatus {
  if (rec.revokedAt !== null) return 'revoked';
  if (rec.expiresAt !== null && now >= rec.expiresAt) return 'expired';
  return 'active';
}

export function toView(rec: ApiKeyRecord, now: number, pendingLastUsed?: number): ApiKeyView {
  const { secretHash: _omitted, ...rest } = rec;
  const lastUsedAt = Math.max(rec.lastUsedAt ?? 0, pendingLastUsed ?? 0) || null;
  return { ...rest, roles: [...rec.roles], lastUsedAt, status: keyStatus(rec, now) };
}
