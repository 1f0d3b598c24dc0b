/**
 * Collects parameter values while SQL text is built and hands out their placeholders.
 * Values never enter SQL text; identifiers go through quoteIdent.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder, e.g. `$3`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Adds a value with an explicit cast, e.g. `$3::uuid`. The cast is a type name we generate, never input. */
  typed(value: unknown, sqlType: string): string {
    return `${this.add(value)}::${sqlType}`;
  }
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}
