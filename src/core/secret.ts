import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A runtime secret (provider key, API key plaintext, token). It is not a string: assigning it to a
 * persisted record's string field is a compile error, and JSON, `inspect`, template literals and
 * loggers print `[REDACTED]`. `reveal()` is the one, greppable way to read it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
