import { quoteIdent, SCALAR_SQL_TYPES } from "@tessera/db";
import type { EnumIR, FieldIR, ScalarType, SchemaIR } from "@tessera/schema";

/** A field's element type: the field's own type, or for arrays the type of their items. */
export interface ValueType {
  type: ScalarType | "enum";
  enum?: string;
}

/** The type of one value of the field (for arrays: one element). */
export function elementType(field: FieldIR): ValueType {
  if (field.type === "array") return { type: field.items?.type ?? "string", enum: field.items?.enum };
  return { type: field.type, enum: field.enum };
}

/** SQL type name (quoted for enums) of a value type, used in casts of parameters. */
export function sqlTypeOf(value: ValueType): string {
  if (value.type === "enum") return quoteIdent(value.enum ?? "");
  return SCALAR_SQL_TYPES[value.type];
}

/** SQL type of the field's column; arrays get `[]`. */
export function columnSqlType(field: FieldIR): string {
  const element = sqlTypeOf(elementType(field));
  return field.type === "array" ? `${element}[]` : element;
}

export function findEnum(schema: SchemaIR, name: string | undefined): EnumIR | undefined {
  return schema.enums.find((e) => e.name === name);
}

export const NUMERIC_TYPES: ReadonlySet<string> = new Set(["int", "float", "decimal", "money"]);
export const TEXT_TYPES: ReadonlySet<string> = new Set(["string", "text"]);
/** Types with a meaningful order: usable in `_lt`…`_gte`, orderBy, cursors, min and max. */
export const ORDERED_TYPES: ReadonlySet<string> = new Set(["int", "float", "decimal", "money", "date", "datetime", "string", "text"]);
/** Types orderBy accepts (enums sort by declaration order, booleans false < true, uuids bytewise). */
export const SORTABLE_TYPES: ReadonlySet<string> = new Set([...ORDERED_TYPES, "enum", "boolean", "id"]);
