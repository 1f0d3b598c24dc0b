// How a column becomes an API value inside the JSON PostgreSQL builds: decimals as strings,
// dates as YYYY-MM-DD, date-times as ISO 8601 in UTC with microseconds, the rest as JSON natively.
import { quoteIdent, quoteLiteral } from "@tessera/db";
import type { FieldIR } from "@tessera/schema";

/** `alias.column`, both quoted. */
export function columnRef(alias: string, column: string): string {
  return `${quoteIdent(alias)}.${quoteIdent(column)}`;
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** SQL expression for the API value of an expression `sql` of the field's type. */
export function outputValueSql(field: FieldIR, sql: string): string {
  switch (field.type) {
    case "decimal":
    case "money":
      return `(${sql})::text`;
    case "date":
      return `to_char(${sql}, 'YYYY-MM-DD')`;
    case "datetime":
      return `to_char((${sql}) AT TIME ZONE 'UTC', ${ISO_UTC})`;
    case "enum":
      // The same JSON string, but as text: json_build_object looks up a cast to json for every value
      // of a user-defined type (such as an enum), once per row, and for none of a built-in one.
      return `(${sql})::text`;
    case "array":
      if (field.items?.type === "decimal" || field.items?.type === "money") return `(${sql})::text[]`;
      if (field.items?.type === "date") return `(${sql})::text[]`;
      return sql;
    default:
      return sql;
  }
}

/**
 * Text form of a sort key stored in cursors: exact, and accepted back by a cast to the
 * column's type (date-times in UTC with microseconds, floats in shortest exact form).
 */
export function cursorValueSql(field: FieldIR, sql: string): string {
  switch (field.type) {
    case "date":
      return `to_char(${sql}, 'YYYY-MM-DD')`;
    case "datetime":
      return `to_char((${sql}) AT TIME ZONE 'UTC', ${ISO_UTC})`;
    default:
      return `(${sql})::text`;
  }
}

/**
 * `json_build_object` takes at most 50 key/value pairs (100 arguments); wider objects are
 * built in chunks and merged as jsonb.
 */
/** Keys are API names from the validated schema IR, never request input. */
export function jsonObjectSql(pairs: readonly [key: string, valueSql: string][]): string {
  const MAX_PAIRS = 50;
  const render = (chunk: readonly [string, string][]): string => chunk.map(([k, v]) => `${quoteLiteral(k)}, ${v}`).join(", ");
  if (pairs.length <= MAX_PAIRS) return `json_build_object(${render(pairs)})`;
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += MAX_PAIRS) chunks.push(`jsonb_build_object(${render(pairs.slice(i, i + MAX_PAIRS))})`);
  return `(${chunks.join(" || ")})::json`;
}
