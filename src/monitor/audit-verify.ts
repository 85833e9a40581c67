/**
 * Verifies the audit hash chains (`rampart audit verify`). Every chain is walked in seq order
 * from its first record; the first broken place of each chain is reported:
 * - `hash-mismatch`: the record's content no longer gives its hash: it was edited;
 * - `prev-hash-mismatch`: the record does not link to the one before it: a record before it was
 *   removed and the rest renumbered, replaced, or records were reordered;
 * - `seq-gap`: a seq is missing: records were deleted;
 * - `anchor-mismatch` / `anchor-missing`: the chain disagrees with, or ends before, a head
 *   exported earlier (see below).
 *
 * Limit: a chain alone cannot reveal that its newest records were deleted (the shorter chain is
 * still consistent), nor a full rewrite by someone holding database write access. Export the
 * heads regularly (`exportHeads`) to somewhere the database's writers cannot change (a SIEM, a
 * signed file, a ticket), and pass them back as `anchors`: a chain that ends before an anchor,
 * or differs from it, is reported.
 */
import { z } from 'zod';
import type { StoredAuditEvent } from '../core/audit-event.ts';
import { RampartError } from '../core/errors.ts';
import type { AuditRepo } from '../store/types.ts';
import { eventHash, GENESIS_HASH } from '../core/audit-hash.ts';

export interface AuditHead {
  chainId: string;
  seq: number;
  hash: string;
}

export type ChainProblemKind = 'hash-mismatch' | 'prev-hash-mismatch' | 'seq-gap' | 'anchor-mismatch' | 'anchor-missing';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** Where the chain breaks: the first seq that does not verify. */
  seq: number;
  message: string;
}

export interface ChainReport {
  chainId: string;
  /** Records checked (up to the break, if any). */
  checked: number;
  head: AuditHead | null;
  problem: ChainProblem | null;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  checked: number;
  /** Anchors (heads exported earlier) the chains were checked against. */
  anchors: number;
  /** What this run could not detect, when it had no anchors. */
  limitation?: string;
}

/** Said by every report without anchors: what a chain alone cannot show. */
export const UNANCHORED =
  'No anchors were given: deleting the newest records of a chain, or a whole chain, leaves a consistent chain and is not detected. ' +
  'Keep exported heads (`rampart audit heads`, GET /admin/v1/audit/heads, or the "audit chain heads" log line) where the database\'s ' +
  'writers cannot change them, and pass them back with `rampart audit verify --anchors <file>`.';

/** Anchors as a user hands them back (a file of exported heads, or a request body). */
export const anchorsSchema = z
  .array(z.strictObject({ chainId: z.string().min(1).max(128), seq: z.int().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/) }))
  .max(100_000);

export interface VerifyOptions {
  /** Heads exported earlier; each must still be in its chain, unchanged. */
  anchors?: readonly AuditHead[];
  /** Records read per query; default 1000. */
  pageSize?: number;
  onProgress?: (p: { chainId: string; seq: number; checked: number }) => void;
}

/** Records below seq 1 should not exist; reading from here makes them show up as breaks. */
const FIRST_POSSIBLE_SEQ = -Number.MAX_SAFE_INTEGER;

export async function verifyAudit(repo: AuditRepo, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const anchors = new Map<string, AuditHead[]>();
  for (const a of opts.anchors ?? []) anchors.set(a.chainId, [...(anchors.get(a.chainId) ?? []), a]);
  const chainIds = new Set(await repo.chains());
  // A chain that was anchored but has no records left is reported too.
  for (const id of anchors.keys()) chainIds.add(id);
  const chains: ChainReport[] = [];
  for (const chainId of [...chainIds].sort()) {
    chains.push(await verifyChain(repo, chainId, anchors.get(chainId) ?? [], opts));
  }
  const given = opts.anchors?.length ?? 0;
  return {
    ok: chains.every((c) => c.problem === null),
    chains,
    checked: chains.reduce((n, c) => n + c.checked, 0),
    anchors: given,
    ...(given === 0 ? { limitation: UNANCHORED } : {}),
  };
}

async function verifyChain(repo: AuditRepo, chainId: string, anchors: readonly AuditHead[], opts: VerifyOptions): Promise<ChainReport> {
  const pageSize = opts.pageSize ?? 1000;
  const bySeq = new Map(anchors.map((a) => [a.seq, a]));
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let from = FIRST_POSSIBLE_SEQ;
  const report = (problem: ChainProblem | null): ChainReport => ({
    chainId,
    checked,
    head: checked > 0 ? { chainId, seq: expected - 1, hash: prevHash } : null,
    problem,
  });
  for (;;) {
    const page = await repo.readChain(chainId, from, pageSize);
    for (const e of page) {
      const problem = checkLink(e, expected, prevHash, chainId) ?? checkAnchor(e, bySeq.get(e.seq));
      if (problem) return report(problem);
      prevHash = e.hash;
      expected++;
      checked++;
    }
    if (page.length > 0) opts.onProgress?.({ chainId, seq: expected - 1, checked });
    if (page.length < pageSize) break;
    from = page.at(-1)!.seq + 1;
  }
  const missing = anchors.filter((a) => a.seq >= expected).sort((a, b) => a.seq - b.seq)[0];
  if (missing) {
    return report({
      kind: 'anchor-missing',
      seq: expected,
      message: `the chain ends at seq ${expected - 1} but an exported head has seq ${missing.seq}: newer records were deleted`,
    });
  }
  return report(null);
}

function checkLink(e: StoredAuditEvent, expected: number, prevHash: string, chainId: string): ChainProblem | null {
  if (e.seq !== expected) {
    return e.seq > expected
      ? { kind: 'seq-gap', seq: expected, message: `records ${expected}..${e.seq - 1} are missing: deleted` }
      : { kind: 'seq-gap', seq: e.seq, message: `unexpected record with seq ${e.seq} (expected ${expected}): inserted` };
  }
  if (e.prevHash !== prevHash) {
    return { kind: 'prev-hash-mismatch', seq: e.seq, message: 'does not link to the record before it: records were removed, replaced or reordered' };
  }
  if (eventHash(prevHash, e, chainId, e.seq) !== e.hash) {
    return { kind: 'hash-mismatch', seq: e.seq, message: 'its content does not match its hash: the record was edited' };
  }
  return null;
}

function checkAnchor(e: StoredAuditEvent, anchor: AuditHead | undefined): ChainProblem | null {
  if (!anchor || anchor.hash === e.hash) return null;
  return { kind: 'anchor-mismatch', seq: e.seq, message: 'differs from the exported head: the chain was rewritten up to here' };
}

/** The current head of every chain, to store outside the database as anchors for later runs. */
export async function exportHeads(repo: AuditRepo): Promise<AuditHead[]> {
  const heads: AuditHead[] = [];
  for (const chainId of await repo.chains()) {
    const h = await repo.head(chainId);
    if (h) heads.push({ chainId, ...h });
  }
  return heads;
}

/** RAMPART_AUDIT_CHAIN_BROKEN naming every broken place, or null when the report is ok. */
export function brokenChainError(report: VerifyReport): RampartError | null {
  const broken = report.chains.filter((c) => c.problem);
  if (broken.length === 0) return null;
  const detail = broken.map((c) => `chain ${c.chainId} at seq ${c.problem!.seq}: ${c.problem!.kind} (${c.problem!.message})`).join('; ');
  return new RampartError('RAMPART_AUDIT_CHAIN_BROKEN', { detail });
}
