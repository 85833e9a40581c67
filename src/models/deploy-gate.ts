/**
 * The deploy gate: a deployment that names a registered model (`deployments[].model`) is served
 * only while that model meets what the deployment requires (`require`, default `models.require`):
 * a clean scan, a signature by a trusted signer, a trusted publisher, an admin's approval. Until
 * then every call is refused with RAMPART_MODEL_NOT_VERIFIED naming what is missing, and the admin
 * API shows the same. Registry reads are cached for `models.cacheTtlMs` (one read at a time per
 * deployment, and read again in the background before the cache time ends while the deployment is
 * in use, so its calls do not all wait for the registry at expiry); a registry change on this
 * instance drops the cache at once.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { DeploymentModelConfig, ModelRequirement, ModelsConfig } from '../config/models.ts';
import type { ModelRecord, ModelRepo } from '../store/types.ts';
import { REFRESH_SHARE, TtlCache } from '../identity/ttl-cache.ts';
import { gateVerdict, type GateVerdict } from './registry.ts';

export interface GatedModel {
  readonly name: string;
  readonly digest: string | undefined;
  readonly require: readonly ModelRequirement[];
}

export interface GateStatus extends GateVerdict {
  readonly deployment: string;
  readonly model: GatedModel;
  /** The registry record the deployment serves, when there is one. */
  readonly record: Pick<ModelRecord, 'id' | 'name' | 'digest'> | null;
}


/** The gated model of each deployment that names one. */
export function gatedModels(deployments: readonly { name: string; model?: DeploymentModelConfig | undefined }[], models: ModelsConfig): Map<string, GatedModel> {
  const out = new Map<string, GatedModel>();
  for (const d of deployments) {
    if (d.model === undefined) continue;
    const m = typeof d.model === 'string' ? { name: d.model } : d.model;
    out.set(d.name, { name: m.name, digest: 'digest' in m ? m.digest : undefined, require: ('require' in m ? m.require : undefined) ?? models.require });
  }
  return out;
}

export class ModelGate {
  readonly #repo: ModelRepo;
  readonly #gated: ReadonlyMap<string, GatedModel>;
  readonly #publishers: readonly string[];
  readonly #ttlMs: number;
  readonly #clock: Clock;
  /** Gate status per gated deployment, refreshed ahead while in use (identity/ttl-cache.ts). */
  readonly #cache: TtlCache<string, GateStatus>;
  readonly #reading = new Map<string, Promise<GateStatus>>();
  #epoch = 0;

  constructor(opts: { repo: ModelRepo; deployments: readonly { name: string; model?: DeploymentModelConfig | undefined }[]; models: ModelsConfig; clock?: Clock }) {
    this.#repo = opts.repo;
    this.#gated = gatedModels(opts.deployments, opts.models);
    this.#publishers = opts.models.publishers;
    this.#ttlMs = opts.models.cacheTtlMs;
    this.#clock = opts.clock ?? systemClock;
    this.#cache = new TtlCache(this.#ttlMs > 0 ? this.#gated.size : 0, this.#clock);
  }

  /** Deployments that name a model. */
  get deployments(): readonly string[] {
    return [...this.#gated.keys()];
  }

  /** Null for a deployment that names no model (not gated). */
  async status(deployment: string): Promise<GateStatus | null> {
    const model = this.#gated.get(deployment);
    if (model === undefined) return null;
    // A failed background read leaves the entry to expire; the next read then fails the call.
    const hit = this.#cache.get(deployment, () => this.#read(deployment, model).catch(() => undefined));
    return hit ?? this.#read(deployment, model);
  }

  /** One registry read per deployment at a time, cached unless the registry changed meanwhile. */
  #read(deployment: string, model: GatedModel): Promise<GateStatus> {
    const pending = this.#reading.get(deployment);
    if (pending !== undefined) return pending;
    const epoch = this.#epoch;
    const read = this.#repo.find(model.name, model.digest).then((rec) => {
      const status: GateStatus = { deployment, model, record: rec && { id: rec.id, name: rec.name, digest: rec.digest }, ...gateVerdict(rec, model.require, this.#publishers) };
      const now = this.#clock.now();
      if (epoch === this.#epoch) this.#cache.set(deployment, status, now + this.#ttlMs, now + REFRESH_SHARE * this.#ttlMs);
      return status;
    });
    const settled = read.finally(() => {
      if (this.#reading.get(deployment) === settled) this.#reading.delete(deployment);
    });
    this.#reading.set(deployment, settled);
    return settled;
  }

  /**
   * The request-path check: resolves for deployments that are not gated or whose model passes;
   * throws RAMPART_MODEL_NOT_VERIFIED otherwise.
   * @example
   *   await gate.check('llama-3-8b'); // before routing the call upstream
   */
  check(deployment: string): Promise<void> | undefined {
    // Not gated: nothing to wait for (no promise on the hot path of ungated deployments).
    return this.#gated.has(deployment) ? this.#check(deployment) : undefined;
  }

  async #check(deployment: string): Promise<void> {
    const s = (await this.status(deployment))!;
    if (s.allowed) return;
    const which = s.record ? `${s.record.name} (${s.record.digest.slice(0, 19)}…)` : `'${s.model.name}'`;
    throw new RampartError('RAMPART_MODEL_NOT_VERIFIED', { detail: `Model ${which} lacks: ${s.missing.join('; ')}.` });
  }

  /** Drops the cache (a registry change on this instance). */
  invalidate(): void {
    this.#epoch++;
    this.#cache.clear();
    // A read that started before the change must not answer calls that start after it.
    this.#reading.clear();
  }
}
