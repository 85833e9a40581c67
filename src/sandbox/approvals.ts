/**
 * The code approval registry (issue 7, point 4): code whose SHA-256 is approved may run for
 * callers whose policy is `approvedCodeOnly: enforce`. The hash is over the program's exact UTF-8
 * bytes, so a reviewer gets it with `sha256sum file.py` and one changed byte is another program.
 * An approval records its reviewer (the admin principal who approved), the time, and a link to the
 * reviewed revision in version control (https), where the code review itself happened.
 *
 * Four eyes: there is no separate "submit" step whose author could be told apart, so the rule
 * applies where it matters, at execution: an approval does not count for executions by its own
 * reviewer (unless `sandbox.approvals.selfApproval`). Nobody can approve code and then run it as
 * approved themselves.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { SANDBOX_LANGUAGES } from '../config/sandbox.ts';
import { parseInput } from '../config/load.ts';
import type { Page, SandboxApprovalRecord, SandboxApprovalRepo } from '../store/types.ts';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Largest program accepted (execution and approval alike). */
export const MAX_CODE_BYTES = 512 * 1024;

/** SHA-256 (lower-case hex) of the program's exact UTF-8 bytes. */
export function codeSha256(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** An https link without credentials (a link is shown to everyone who reads the registry). */
const revisionUrl = z
  .string()
  .max(2048)
  .superRefine((raw, ctx) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a URL' });
      return;
    }
    if (u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an https link to the reviewed revision' });
    else if (u.username !== '' || u.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
    else if (u.hostname === '') ctx.addIssue({ code: 'custom', message: 'has no host' });
  })
  .describe('The reviewed revision in version control, e.g. https://git.example.com/acme/jobs/-/blob/3f2c1d0/etl.py');

export const approveSchema = z
  .strictObject({
    sha256: z.string().regex(SHA256_HEX, '64 lower-case hex digits').optional().describe('SHA-256 of the program (sha256sum); or send `code`.'),
    code: z.string().min(1).max(MAX_CODE_BYTES).optional().describe('The program text; its SHA-256 is computed here.'),
    language: z.enum(SANDBOX_LANGUAGES),
    revisionUrl,
    note: z.string().max(1024).optional(),
  })
  .refine((a) => (a.sha256 === undefined) !== (a.code === undefined), { message: 'send exactly one of sha256 and code', path: ['sha256'] });

export type ApproveInput = z.input<typeof approveSchema>;

export type ApprovalVerdict =
  | { readonly approved: true; readonly approval: SandboxApprovalRecord }
  | { readonly approved: false; readonly approval: SandboxApprovalRecord | null; readonly reason: 'not-approved' | 'revoked' | 'other-language' | 'own-approval' };

export interface ApprovalRegistryOptions {
  repo: SandboxApprovalRepo;
  clock?: Clock;
  /** `sandbox.approvals.selfApproval`. */
  selfApproval?: boolean;
}

export class ApprovalRegistry {
  readonly #repo: SandboxApprovalRepo;
  readonly #clock: Clock;
  readonly #selfApproval: boolean;

  constructor(opts: ApprovalRegistryOptions) {
    this.#repo = opts.repo;
    this.#clock = opts.clock ?? systemClock;
    this.#selfApproval = opts.selfApproval ?? false;
  }

  /**
   * Approves a program. `input` (an ApproveInput: the admin API's body, the CLI's) is validated
   * here, once. RAMPART_CONFLICT while an approval of the same hash is in force.
   *
   * @example
   *   await approvals.approve({ code, language: 'python', revisionUrl: 'https://github.com/acme/jobs/blob/3f2c1d0/etl.py' }, principal.id);
   */
  async approve(input: ApproveInput | Readonly<Record<string, unknown>>, reviewer: string): Promise<SandboxApprovalRecord> {
    const a = parseInput(approveSchema, input);
    return this.#repo.approve({
      id: newId('sba'),
      sha256: a.sha256 ?? codeSha256(a.code!),
      language: a.language,
      reviewer,
      approvedAt: this.#clock.now(),
      revisionUrl: a.revisionUrl,
      note: a.note ?? null,
      revokedAt: null,
      revokedBy: null,
    });
  }

  /** Ends an approval at once: enforcing callers can no longer run the code. */
  async revoke(sha256: string, by: string): Promise<SandboxApprovalRecord> {
    const rec = SHA256_HEX.test(sha256) ? await this.#repo.revoke(sha256, this.#clock.now(), by) : null;
    if (rec === null) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No approval of this code is in force.' });
    return rec;
  }

  async get(sha256: string): Promise<SandboxApprovalRecord> {
    const rec = SHA256_HEX.test(sha256) ? await this.#repo.get(sha256) : null;
    if (rec === null) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No approval of this code.' });
    return rec;
  }

  list(opts: { includeRevoked?: boolean; limit: number; cursor?: string | null }): Promise<Page<SandboxApprovalRecord>> {
    return this.#repo.list(opts);
  }

  /** Whether `sha256` may run as `language` for `principalId` as approved code. */
  async check(sha256: string, language: string, principalId: string): Promise<ApprovalVerdict> {
    const approval = await this.#repo.get(sha256);
    if (approval === null) return { approved: false, approval, reason: 'not-approved' };
    if (approval.revokedAt !== null) return { approved: false, approval, reason: 'revoked' };
    // The same bytes run by another interpreter are another program than the one reviewed.
    if (approval.language !== language) return { approved: false, approval, reason: 'other-language' };
    if (!this.#selfApproval && approval.reviewer === principalId) return { approved: false, approval, reason: 'own-approval' };
    return { approved: true, approval };
  }
}
