import type { ScalarType } from "../ir.ts";

/** The IR type of each alias exported from ./types.ts, keyed by the alias's exported name. */
export const SCALAR_ALIASES: Readonly<Record<string, ScalarType>> = {
  ID: "id",
  Text: "text",
  Int: "int",
  Float: "float",
  Decimal: "decimal",
  Money: "money",
  DateOnly: "date",
  DateTime: "datetime",
  Json: "json",
};

/** Module specifiers the aliases may be imported from. */
export const ALIAS_MODULES: readonly string[] = ["@tessera/schema"];
