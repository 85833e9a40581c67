/**
 * The deploy gate: a deployment that names a registered model (`deployments[].model`) is served
 * only while that model meets what the deployment requires (`require`, default `models.require`):
 * a clean scan, a signature by a trusted signer, a trusted publisher, an admin's approval. Until
 * then every call is refused with RAMPART_MODEL_NOT_VERIFIED naming what is missing, and the admin
 * API shows the same. Registry reads are cached for `models.cacheTtlMs`; a registry change on
 * this instance drops the cache at once.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { RampartError } from '../core/errors.ts';
import type { DeploymentModelConfig, ModelRequirement, ModelsConfig } from '../config/models.ts';
import type { ModelRecord, ModelRepo } from '../store/types.ts';
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

interface Cached {
  readonly until: number;
  readonly status: GateStatus;
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
  readonly #cache = new Map<string, Cached>();
  #epoch = 0;

  constructor(opts: { repo: ModelRepo; deployments: readonly { name: string; model?: DeploymentModelConfig | undefined }[]; models: ModelsConfig; clock?: Clock }) {
    this.#repo = opts.repo;
    this.#gated = gatedModels(opts.deployments, opts.models);
    this.#publishers = opts.models.publishers;
    this.#ttlMs = opts.models.cacheTtlMs;
    this.#clock = opts.clock ?? systemClock;
  }

  /** Deployments that name a model. */
  get deployments(): readonly string[] {
    return [...this.#gated.keys()];
  }

  /** Null for a deployment that names no model (not gated). */
  async status(deployment: string): Promise<GateStatus | null> {
    const model = this.#gated.get(deployment);
    if (model === undefined) return null;
    const now = this.#clock.now();
    const hit = this.#cache.get(deployment);
    if (hit !== undefined && hit.until > now) return hit.status;
    const epoch = this.#epoch;
    const rec = await this.#repo.find(model.name, model.digest);
    const status: GateStatus = { deployment, model, record: rec && { id: rec.id, name: rec.name, digest: rec.digest }, ...gateVerdict(rec, model.require, this.#publishers) };
    if (epoch === this.#epoch) this.#cache.set(deployment, { until: now + this.#ttlMs, status });
    return status;
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
  }
}
