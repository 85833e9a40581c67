/**
 * The model registry: registering a model artifact hashes it (the OpenSSF model-signing root
 * digest), verifies its signature against the trusted signers of `models.signers`, scans its files
 * statically, and stores all of it with the model's source; an admin then approves or rejects it.
 * The deploy gate (deploy-gate.ts) reads these records. Every result is computed here, from the
 * files, never taken from the caller: a client cannot claim that its model is signed or clean.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { MODEL_NAME, ROOT_DIGEST, type ModelRequirement, type ModelsConfig, type TrustedSignerConfig } from '../config/models.ts';
import type { ModelApproval, ModelRecord, ModelRepo, ModelScanFinding, ModelScanResult, ModelSignatureResult, Page } from '../store/types.ts';

/** How one trusted signer is asked to verify (the signing module's verification methods). */
export type VerifyMethod =
  | { kind: 'key'; publicKeyPem: string }
  | { kind: 'certificate'; trustedRootsPem: string[] }
  | { kind: 'sigstore'; trustedRootPath: string; identity: string; issuer: string };

export interface ModelProgress {
  readonly phase: 'hashing' | 'verifying' | 'scanning';
  readonly bytes: number;
  readonly totalBytes: number;
}

/** The signing and scanning functions the registry runs (models/signing, models/scan). */
export interface ModelTools {
  hash(path: string, onProgress?: (bytes: number, total: number) => void): Promise<{ rootDigest: string; files: number; bytes: number }>;
  /** Throws a coded error (code, message) when the signature does not verify with `method`. */
  verify(path: string, signaturePath: string, method: VerifyMethod, onProgress?: (bytes: number, total: number) => void): Promise<{ rootDigest: string; files: number; bytes: number; identity: ModelSignatureResult['identity'] }>;
  scan(path: string, onProgress?: (bytes: number, total: number) => void): Promise<{ verdict: ModelScanResult['verdict']; findings: readonly ModelScanFinding[]; scanner: string }>;
}

const text = (max: number) => z.string().min(1).max(max);

export const registerModelSchema = z.strictObject({
  name: z.string().regex(MODEL_NAME, 'letters, digits and . _ / - (up to 128)'),
  path: text(4096).describe('The model directory (or single file) on the machine that registers it.'),
  signature: text(4096).optional().describe('The signature file; default <path>/model.sig when it exists.'),
  source: z
    .strictObject({
      hub: text(64).nullable().default(null),
      repository: text(256).nullable().default(null),
      revision: text(128).nullable().default(null),
      publisher: text(128).nullable().default(null),
      url: z.url({ protocol: /^https?$/ }).max(2048).nullable().default(null),
    })
    .prefault({}),
});

export type RegisterModelInput = z.input<typeof registerModelSchema>;

const decisionSchema = z.strictObject({ note: z.string().max(1024).optional() });
export type ModelDecisionInput = z.input<typeof decisionSchema>;

const MAX_FINDINGS = 100;
const SEVERITY_ORDER = { malicious: 0, error: 1, suspicious: 2, info: 3 } as const;
const MODEL_ID = /^mdl_[A-Za-z0-9_-]{1,64}$/;

export interface GateVerdict {
  readonly allowed: boolean;
  /** The requirements not met, each with why (`approval (pending)`). */
  readonly missing: readonly string[];
}

/**
 * Which of `require` a record meets. A suspicious scan passes `clean-scan` only once an admin
 * approved the model (they accepted the findings); malicious or unparseable content never does.
 */
export function gateVerdict(rec: ModelRecord | null, require: readonly ModelRequirement[], publishers: readonly string[]): GateVerdict {
  if (rec === null) return { allowed: false, missing: ['registered (no such model or digest in the registry)'] };
  const missing: string[] = [];
  for (const r of require) {
    if (r === 'clean-scan' && !(rec.scan.verdict === 'clean' || (rec.scan.verdict === 'suspicious' && rec.approval.status === 'approved'))) {
      missing.push(`clean-scan (scan: ${rec.scan.verdict})`);
    }
    if (r === 'trusted-signature' && rec.signature.status !== 'verified') missing.push(`trusted-signature (signature: ${rec.signature.status})`);
    if (r === 'trusted-publisher' && (rec.source.publisher === null || !publishers.includes(rec.source.publisher))) {
      missing.push(`trusted-publisher (publisher: ${rec.source.publisher ?? 'unknown'})`);
    }
    if (r === 'approval' && rec.approval.status !== 'approved') missing.push(`approval (${rec.approval.status})`);
  }
  return { allowed: missing.length === 0, missing };
}

function methodOf(s: TrustedSignerConfig): VerifyMethod {
  if (s.publicKey !== undefined) return { kind: 'key', publicKeyPem: s.publicKey };
  if (s.certificateRoots !== undefined) return { kind: 'certificate', trustedRootsPem: [s.certificateRoots] };
  return { kind: 'sigstore', trustedRootPath: s.sigstore!.trustedRoot, identity: s.sigstore!.identity, issuer: s.sigstore!.issuer };
}

function coded(e: unknown): { code: string; message: string } {
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'MODEL_SIGNATURE_INVALID';
  return { code, message: e instanceof Error ? e.message.slice(0, 2048) : String(e).slice(0, 2048) };
}

/** A content problem (a file changed, missing, extra) says more than "this key did not sign it". */
const CONTENT_CODES = new Set(['MODEL_FILE_CHANGED', 'MODEL_FILE_MISSING', 'MODEL_FILE_EXTRA', 'MODEL_PATH_REFUSED', 'MODEL_SIGNATURE_MALFORMED']);

export interface ModelRegistryOptions {
  repo: ModelRepo;
  config: ModelsConfig;
  tools: ModelTools;
  clock?: Clock;
  /** Called after every write (the gate drops its cache). */
  changed?: () => void;
}

export class ModelRegistry {
  readonly #repo: ModelRepo;
  readonly #config: ModelsConfig;
  readonly #tools: ModelTools;
  readonly #clock: Clock;
  readonly #changed: () => void;

  constructor(opts: ModelRegistryOptions) {
    this.#repo = opts.repo;
    this.#config = opts.config;
    this.#tools = opts.tools;
    this.#clock = opts.clock ?? systemClock;
    this.#changed = opts.changed ?? (() => {});
  }

  get config(): ModelsConfig {
    return this.#config;
  }

  /**
   * Hashes, verifies and scans the model at `input.path` and records the results (approval
   * pending). A model that fails is recorded too, so the registry shows why it may not be
   * deployed; RAMPART_CONFLICT when this name is registered at this digest already.
   *
   * @example
   *   const rec = await registry.register({ name: 'llama-3-8b', path: '/models/llama', source: { publisher: 'meta-llama' } }, 'oidc:...#alice');
   */
  async register(input: RegisterModelInput, by: string, onProgress?: (p: ModelProgress) => void): Promise<ModelRecord> {
    const parsed = registerModelSchema.safeParse(input);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${i.path.join('.') || 'body'}: ${i.message}` });
    }
    const req = parsed.data;
    if (!isAbsolute(req.path)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'path: must be absolute' });
    const info = await stat(req.path).catch(() => null);
    if (info === null || !(info.isDirectory() || info.isFile())) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'path: no such model directory or file' });
    const sigPath = req.signature ?? (info.isDirectory() ? join(req.path, 'model.sig') : `${req.path}.sig`);
    const hasSignature = existsSync(sigPath);
    const progress = (phase: ModelProgress['phase']) => (bytes: number, totalBytes: number) => onProgress?.({ phase, bytes, totalBytes });

    let signature: ModelSignatureResult = { status: 'unsigned', signer: null, identity: null, error: null, checkedAt: this.#clock.now() };
    let digest: { rootDigest: string; files: number; bytes: number } | null = null;
    if (hasSignature) ({ signature, digest } = await this.#verify(req.path, sigPath, progress('verifying')));
    // Verification hashed every file already; otherwise hash them now.
    digest ??= await this.#tools.hash(req.path, progress('hashing'));
    if (!ROOT_DIGEST.test(digest.rootDigest)) throw new RampartError('RAMPART_INTERNAL', { detail: 'the model hash is not a sha256 digest' });
    const report = await this.#tools.scan(req.path, progress('scanning'));
    const now = this.#clock.now();
    const rec: ModelRecord = {
      id: newId('mdl'),
      name: req.name,
      digest: digest.rootDigest,
      source: req.source,
      location: req.path,
      files: digest.files,
      bytes: digest.bytes,
      signature,
      scan: scanResult(report, now),
      approval: { status: 'pending', by: null, at: null, note: null },
      createdAt: now,
      createdBy: by,
      updatedAt: now,
    };
    await this.#repo.insert(rec);
    this.#changed();
    return rec;
  }

  /** Tries every trusted signer; the first that verifies names the signer. */
  async #verify(
    path: string,
    sigPath: string,
    onProgress: (bytes: number, total: number) => void,
  ): Promise<{ signature: ModelSignatureResult; digest: { rootDigest: string; files: number; bytes: number } | null }> {
    const now = () => this.#clock.now();
    if (this.#config.signers.length === 0) {
      const error = { code: 'MODEL_NO_TRUSTED_SIGNER', message: 'The model is signed, but models.signers lists no trusted signer to verify it with.' };
      return { signature: { status: 'invalid', signer: null, identity: null, error, checkedAt: now() }, digest: null };
    }
    let best: { code: string; message: string } | null = null;
    for (const signer of this.#config.signers) {
      try {
        const v = await this.#tools.verify(path, sigPath, methodOf(signer), onProgress);
        return { signature: { status: 'verified', signer: signer.name, identity: v.identity, error: null, checkedAt: now() }, digest: v };
      } catch (e) {
        const err = coded(e);
        if (best === null || (CONTENT_CODES.has(err.code) && !CONTENT_CODES.has(best.code))) best = err;
        // A changed or refused file fails for every signer alike: no need to hash again.
        if (CONTENT_CODES.has(err.code)) break;
      }
    }
    return { signature: { status: 'invalid', signer: null, identity: null, error: best, checkedAt: now() }, digest: null };
  }

  async get(id: string): Promise<ModelRecord> {
    const rec = MODEL_ID.test(id) ? await this.#repo.get(id) : null;
    if (rec === null) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such model.' });
    return rec;
  }

  find(name: string, digest?: string): Promise<ModelRecord | null> {
    return this.#repo.find(name, digest);
  }

  list(opts: { name?: string; limit: number; cursor?: string | null }): Promise<Page<ModelRecord>> {
    return this.#repo.list(opts);
  }

  /**
   * Approves a model for deployment. Refused for malicious or unparseable content (nothing makes
   * that deployable), and for the principal who registered it unless `models.selfApproval`.
   */
  async approve(id: string, by: string, input: ModelDecisionInput = {}): Promise<ModelRecord> {
    const rec = await this.get(id);
    if (rec.scan.verdict === 'malicious' || rec.scan.verdict === 'error') {
      throw new RampartError('RAMPART_CONFLICT', { detail: `The scan of this model found ${rec.scan.verdict === 'malicious' ? 'malicious' : 'unparseable'} content: it cannot be approved. Register a clean artifact.` });
    }
    if (!this.#config.selfApproval && rec.createdBy === by) {
      throw new RampartError('RAMPART_FORBIDDEN', { detail: 'The principal who registered a model may not approve it (four eyes; models.selfApproval).' });
    }
    return this.#decide(rec, { status: 'approved', by, at: this.#clock.now(), note: decisionSchema.parse(input).note ?? null });
  }

  /** Rejects a model (or withdraws an approval): deployments of it are refused from now on. */
  async reject(id: string, by: string, input: ModelDecisionInput = {}): Promise<ModelRecord> {
    const rec = await this.get(id);
    return this.#decide(rec, { status: 'rejected', by, at: this.#clock.now(), note: decisionSchema.parse(input).note ?? null });
  }

  async #decide(rec: ModelRecord, approval: ModelApproval): Promise<ModelRecord> {
    const updated = await this.#repo.setApproval(rec.id, approval, this.#clock.now());
    if (updated === null) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such model.' });
    this.#changed();
    return updated;
  }
}

/** What the registry keeps of a scan report: verdict, counts, the worst findings. */
function scanResult(report: { verdict: ModelScanResult['verdict']; findings: readonly ModelScanFinding[]; scanner: string }, now: number): ModelScanResult {
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  const findings = [...report.findings]
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])
    .slice(0, MAX_FINDINGS)
    .map((f) => ({ severity: f.severity, file: f.file, rule: f.rule, message: f.message.slice(0, 1024), ...(f.offset !== undefined ? { offset: f.offset } : {}), ...(f.callable !== undefined ? { callable: f.callable.slice(0, 256) } : {}) }));
  return { verdict: report.verdict, counts, findings, scanner: report.scanner, scannedAt: now };
}
