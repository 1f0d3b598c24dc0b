import type { FieldIR } from "@tessera/schema";

/** Converts a validated JS value into what the driver sends for the field's SQL type. */
export function toParam(field: Pick<FieldIR, "type">, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === "json") return JSON.stringify(value);
  return value;
}
