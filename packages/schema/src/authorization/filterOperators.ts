// The operators of the where language per field type. Shared by load-time validation of row rules
// and policies (here) and by the engine's where compiler, so both accept exactly the same filters.
import type { FieldIR } from "../ir.ts";

export type FilterOperator =
  | "eq" | "not" | "in" | "not_in" | "lt" | "lte" | "gt" | "gte"
  | "contains" | "not_contains" | "starts_with" | "not_starts_with" | "ends_with" | "not_ends_with"
  | "contains_all" | "contains_some" | "contains_none";

/** Operators written as a suffix (`value_gte`), longest match not needed: names are checked against fields. */
export const SUFFIX_OPERATORS: readonly FilterOperator[] = [
  "not", "in", "not_in", "lt", "lte", "gt", "gte",
  "contains", "not_contains", "starts_with", "not_starts_with", "ends_with", "not_ends_with",
  "contains_all", "contains_some", "contains_none",
];

export const TO_MANY_SUFFIXES = ["some", "every", "none"] as const;

/** Operators whose value is a list. */
export const LIST_OPERATORS: ReadonlySet<FilterOperator> = new Set(["in", "not_in", "contains_all", "contains_some", "contains_none"]);

const TEXT: ReadonlySet<string> = new Set(["string", "text"]);
const ORDERED: ReadonlySet<string> = new Set(["int", "float", "decimal", "money", "date", "datetime", "string", "text"]);

/** Operators a field of this type accepts. */
export function filterOperatorsFor(field: FieldIR): readonly FilterOperator[] {
  if (field.type === "array") return ["eq", "not", "contains_all", "contains_some", "contains_none"];
  if (field.type === "json" || field.type === "boolean") return ["eq", "not"];
  const ops: FilterOperator[] = ["eq", "not", "in", "not_in"];
  if (ORDERED.has(field.type)) ops.push("lt", "lte", "gt", "gte");
  if (TEXT.has(field.type)) ops.push("contains", "not_contains", "starts_with", "not_starts_with", "ends_with", "not_ends_with");
  return ops;
}
