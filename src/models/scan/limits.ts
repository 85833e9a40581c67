/**
 * Limits against hostile input, checked once per scan (never mutating the caller's options).
 * Defaults are sized for real checkpoints (tens of GB of tensors in a few hundred entries) while
 * stopping bombs: 64 GiB decompressed per archive, ratio 200:1 past 16 MiB, depth 6.
 */
import { z } from 'zod';
import { RampartError } from '../../core/errors.ts';
import type { ScanLimits } from './types.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: ScanLimits = Object.freeze({
  maxDepth: 6,
  maxFiles: 200_000,
  maxEntries: 100_000,
  maxArchiveBytes: 64 * GiB,
  maxRatio: 200,
  ratioFloorBytes: 16 * MiB,
  maxInMemoryBytes: 256 * MiB,
  maxHeaderBytes: 100 * MiB,
  maxHdf5Bytes: 512 * MiB,
  hdf5TimeoutMs: 30_000,
});

const positiveInt = z.number().int().positive();
const limitsSchema = z
  .object({
    maxDepth: z.number().int().min(1).max(64),
    maxFiles: positiveInt,
    maxEntries: positiveInt,
    maxArchiveBytes: positiveInt,
    maxRatio: z.number().min(1),
    ratioFloorBytes: z.number().int().min(0),
    maxInMemoryBytes: positiveInt.max(2 * GiB),
    maxHeaderBytes: positiveInt.max(2 * GiB),
    maxHdf5Bytes: positiveInt.max(2 * GiB),
    hdf5TimeoutMs: positiveInt,
  })
  .strict()
  .partial();

/** Defaults overlaid with the caller's overrides; invalid overrides fail with RAMPART_INVALID_REQUEST. */
export function resolveLimits(overrides: Partial<ScanLimits> | undefined): ScanLimits {
  if (overrides === undefined) return DEFAULT_LIMITS;
  const parsed = limitsSchema.safeParse(overrides);
  if (!parsed.success) {
    throw new RampartError('RAMPART_INVALID_REQUEST', {
      detail: `Model scan limits: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    });
  }
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) out[k] = v;
  return Object.freeze(out as unknown as ScanLimits);
}
