/**
 * The typed list of detectors. Checked when built: duplicate ids stop start-up with a coded error,
 * and a profile naming an unknown id fails with the list of known ones.
 */
import { RampartError } from '../core/errors.ts';
import type { DetectorDescriptor } from './types.ts';

export class DetectorRegistry {
  readonly #byId = new Map<string, DetectorDescriptor<unknown>>();

  constructor(descriptors: readonly DetectorDescriptor<never>[]) {
    for (const d of descriptors) {
      if (this.#byId.has(d.id)) throw new RampartError('RAMPART_GUARD_DUPLICATE_DETECTOR', { detail: `Detector id '${d.id}'.` });
      this.#byId.set(d.id, d as unknown as DetectorDescriptor<unknown>);
    }
  }

  get(id: string, where: string): DetectorDescriptor<unknown> {
    const d = this.#byId.get(id);
    if (!d) {
      throw new RampartError('RAMPART_GUARD_UNKNOWN_DETECTOR', { detail: `${where}: '${id}' (known: ${[...this.#byId.keys()].sort().join(', ')}).` });
    }
    return d;
  }

  list(): DetectorDescriptor<unknown>[] {
    return [...this.#byId.values()];
  }
}
