import type { CompiledQuery } from "./SqlParams.ts";

/** Rows as the database drivers return them. */
export type ResultRow = Record<string, unknown>;

/** One SQL statement plus the function that turns its result rows into the typed result. */
export interface CompiledRead<T> extends CompiledQuery {
  decode(rows: readonly ResultRow[]): T;
}

/** Both drivers parse `json` columns; this also accepts text in case a driver does not. */
export function parseJsonColumn(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}
