/**
 * Builds the WHERE clause of a filtered, keyset-paginated list with numbered parameters, so
 * values never end up in the SQL text.
 */
export class Where {
  readonly params: unknown[] = [];
  readonly #clauses: string[] = [];

  /** Adds `clause` with one parameter when `value` is defined. */
  add(value: unknown, clause: (param: string) => string): this {
    if (value !== undefined) {
      this.params.push(value);
      this.#clauses.push(clause(`$${this.params.length}`));
    }
    return this;
  }

  /** `(a, b, c) < ($n, $n+1, $n+2)`: rows after the cursor in descending key order. */
  before(columns: readonly string[], values: readonly unknown[]): this {
    const first = this.params.length + 1;
    this.params.push(...values);
    this.#clauses.push(`(${columns.join(', ')}) < (${values.map((_, i) => `$${first + i}`).join(', ')})`);
    return this;
  }

  /** Adds the LIMIT parameter and returns `WHERE ... ` (or nothing) and `LIMIT $n`. */
  finish(limit: number): { where: string; limit: string } {
    this.params.push(limit);
    return { where: this.#clauses.length ? `WHERE ${this.#clauses.join(' AND ')}` : '', limit: `LIMIT $${this.params.length}` };
  }
}
