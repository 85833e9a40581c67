/**
 * The ordered list of format scanners, checked once when built: a duplicate id is a programming
 * error and fails. Order matters for sniffing: the first scanner whose `sniff` accepts the head
 * gets the file, so strong magic numbers come before weak, content-shaped guesses (a protocol-0
 * pickle is ASCII text, so `pickle` precedes `text`).
 */
import { RampartError } from '../../core/errors.ts';
import type { ScannerDescriptor, SniffInfo } from './scanner.ts';

export class ScannerRegistry {
  readonly #list: readonly ScannerDescriptor[];
  readonly #byId = new Map<string, ScannerDescriptor>();

  constructor(scanners: readonly ScannerDescriptor[]) {
    for (const s of scanners) {
      if (this.#byId.has(s.id)) throw new RampartError('RAMPART_INTERNAL', { detail: `Two model scanners share the id '${s.id}'.` });
      if (!/^[a-z][a-z0-9-]*$/.test(s.id)) throw new RampartError('RAMPART_INTERNAL', { detail: `Model scanner id '${s.id}' is not kebab-case.` });
      this.#byId.set(s.id, s);
    }
    this.#list = Object.freeze([...scanners]);
  }

  /** The first scanner that claims the content, or undefined. */
  sniff(head: Buffer, info: SniffInfo): ScannerDescriptor | undefined {
    for (const s of this.#list) if (s.sniff(head, info)) return s;
    return undefined;
  }

  get(id: string): ScannerDescriptor | undefined {
    return this.#byId.get(id);
  }

  list(): readonly ScannerDescriptor[] {
    return this.#list;
  }
}
