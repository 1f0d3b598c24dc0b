// `required_if` rules, checked on the row as it will be stored, inside the write's own statement:
// a partial update knows only the fields it sets, so only the database (the locked existing row,
// overlaid with the new values) can tell whether "stage = lost" meets an empty lostReason.
import type { FieldIR, ModelIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import type { SqlParams } from "./SqlParams.ts";

/** One `required_if` rule of a model: `field` needs a value when `condition` holds one of `values`. */
export interface RequiredIfCheck {
  field: FieldIR;
  condition: FieldIR;
  values: string[];
  message: string;
}

/**
 * The model's `required_if` rules that a write can break. A create can break any; an update only
 * one whose field or condition it sets (`touched`): a row stored before the rule existed stays
 * editable in its other fields, and the rule is enforced the moment either side of it changes.
 */
export function requiredIfChecks(model: ModelIR, touched?: Iterable<FieldIR>): RequiredIfCheck[] {
  const set = touched === undefined ? undefined : new Set(touched);
  const checks: RequiredIfCheck[] = [];
  for (const field of model.fields) {
    for (const rule of field.rules) {
      if (rule.kind !== "required_if") continue;
      const condition = model.fields.find((f) => f.name === rule.field)!;
      if (set && !set.has(field) && !set.has(condition)) continue;
      const message = `${field.name} is required when ${condition.name} is ${rule.values.join(" or ")}`;
      checks.push({ field, condition, values: rule.values, message });
    }
  }
  return checks;
}

/**
 * SQL that is TRUE when the row image at `alias` (columns named as the table's) breaks the check.
 * "No value" is what `required` refuses: NULL, an empty string, an empty list.
 */
export function requiredIfBroken(check: RequiredIfCheck, params: SqlParams, alias: string): string {
  const value = `${alias}.${quoteIdent(check.field.column)}`;
  const empty =
    check.field.type === "string" || check.field.type === "text"
      ? `(${value} IS NULL OR ${value} = '')`
      : check.field.type === "array"
        ? `(${value} IS NULL OR cardinality(${value}) = 0)`
        : `${value} IS NULL`;
  // Compared as text: the loader only accepts conditions on enum, string, text, boolean and int
  // fields, with values written as PostgreSQL prints them (`true`, `42`).
  const condition = `${alias}.${quoteIdent(check.condition.column)}::text = ANY(${params.typed(check.values, "text[]")})`;
  return `(${condition} AND ${empty})`;
}

/**
 * Guard expressions for single-row and many-row writes: TRUE when no row of `images` (a SELECT of
 * row images) breaks the check.
 */
export function requiredIfGuard(check: RequiredIfCheck, params: SqlParams, images: string): string {
  return `NOT EXISTS (SELECT 1 FROM (${images}) AS ri WHERE ${requiredIfBroken(check, params, "ri")})`;
}
