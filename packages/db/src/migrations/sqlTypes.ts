// Column types and default literals for IR fields, and the tenant default shared by every
// tenant-scoped table. One place so model tables, join tables and system tables agree.
import type { FieldIR, ScalarType } from "@tessera/schema";
import { SCALAR_SQL_TYPES } from "../constraintNames.ts";
import { quoteIdent, quoteLiteral } from "../quoteIdent.ts";

/** `nullif(…)` because once set in a session the setting reads back as '' rather than NULL. */
export const TENANT_SETTING_SQL = `nullif(current_setting(${quoteLiteral("app.tenant_id")}, true), ${quoteLiteral("")})::uuid`;

/** The RLS predicate of tenant-scoped tables. */
export const TENANT_MATCH_SQL = `${quoteIdent("tenant_id")} = ${TENANT_SETTING_SQL}`;

// format_type() spells a few types differently from the short names the DDL uses.
const CANONICAL: Record<string, string> = { timestamptz: "timestamp with time zone" };

/** The catalog's spelling of a DDL type, for comparison with CatalogColumn.type. */
export function canonicalType(type: string): string {
  const array = type.endsWith("[]");
  const base = array ? type.slice(0, -2) : type;
  return (CANONICAL[base] ?? base) + (array ? "[]" : "");
}

function itemType(type: ScalarType | "enum", enumName: string | undefined, where: string): string {
  if (type === "enum") {
    if (!enumName) throw new Error(`${where}: enum field without an enum name`);
    return quoteIdent(enumName);
  }
  return SCALAR_SQL_TYPES[type];
}

/** DDL type of a field's column. */
export function fieldSqlType(field: FieldIR, where: string): string {
  if (field.type === "array") {
    if (!field.items) throw new Error(`${where}: array field without an item type`);
    return `${itemType(field.items.type, field.items.enum, where)}[]`;
  }
  return itemType(field.type, field.enum, where);
}

/** DDL default for a declared field default; enum literals carry a cast to their type. */
export function defaultLiteral(field: FieldIR, where: string): string | undefined {
  const value = field.default;
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${where}: default ${value} is not a finite number`);
    return String(value);
  }
  const literal = quoteLiteral(value);
  return field.type === "enum" ? `${literal}::${fieldSqlType(field, where)}` : literal;
}
