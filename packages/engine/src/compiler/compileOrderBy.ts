// Sort keys from `orderBy` ("value_DESC" or a list), with the primary key appended so the order
// is total. NULLs sort as the largest value: ASC NULLS LAST, DESC NULLS FIRST (PostgreSQL's default),
// which keeps DESC the exact reverse of ASC; cursors rely on that.
import { findField, type FieldIR, type ModelIR } from "@tessera/schema";
import type { CompileContext } from "./CompileContext.ts";
import { columnRef } from "./fieldOutput.ts";
import { primaryKeyField } from "./relationLink.ts";
import { SORTABLE_TYPES } from "./sqlTypes.ts";

export type SortDirection = "ASC" | "DESC";

export interface SortKey {
  /** The sorted field; for a computed key, a stand-in naming and typing it (see compileSearch.ts). */
  field: FieldIR;
  direction: SortDirection;
  /** A computed key's SQL over the read's root alias (search relevance), instead of the field's column. */
  expression?: string;
}

/** The SQL a key sorts by: its expression, or its field's column on `alias`. */
export function sortKeySql(key: SortKey, alias: string): string {
  return key.expression ?? columnRef(alias, key.field.column);
}

const ORDER_PATTERN = /^(.+)_(ASC|DESC)$/;
/** Without an orderBy, rows come in creation order. */
const DEFAULT_ORDER_FIELD = "createdAt";

/** Parses `orderBy` into sort keys; the primary key always ends the list. */
export function parseOrderBy(cc: CompileContext, model: ModelIR, orderBy: unknown, path: (string | number)[] = ["orderBy"]): SortKey[] {
  const keys: SortKey[] = [];
  const pk = primaryKeyField(model);
  if (orderBy === undefined || orderBy === null) {
    const created = findField(model, DEFAULT_ORDER_FIELD);
    if (created) keys.push({ field: created, direction: "ASC" });
  } else {
    const list = Array.isArray(orderBy) ? orderBy : [orderBy];
    list.forEach((item, i) => {
      const itemPath = Array.isArray(orderBy) ? [...path, i] : path;
      const match = typeof item === "string" ? ORDER_PATTERN.exec(item) : null;
      if (!match) {
        cc.error(itemPath, "type", `must look like 'field_ASC' or 'field_DESC'`);
        return;
      }
      const field = findField(model, match[1]);
      if (!field) {
        cc.error(itemPath, "unknown_field", `${model.name} has no field '${match[1]}'`);
        return;
      }
      cc.requireReadable(model, field, itemPath);
      if (!SORTABLE_TYPES.has(field.type)) {
        cc.error(itemPath, "type", `${field.type} field '${field.name}' cannot be sorted`);
        return;
      }
      if (keys.some((k) => k.field.name === field.name)) {
        cc.error(itemPath, "duplicate", `'${field.name}' is already ordered by`);
        return;
      }
      keys.push({ field, direction: match[2] as SortDirection });
    });
  }
  if (!keys.some((k) => k.field.name === pk.name)) keys.push({ field: pk, direction: "ASC" });
  return keys;
}

function flip(direction: SortDirection): SortDirection {
  return direction === "ASC" ? "DESC" : "ASC";
}

/** `ORDER BY` items for `alias`; `reversed` walks the same order backwards (for `last`). */
export function orderBySql(keys: readonly SortKey[], alias: string, reversed = false): string {
  return keys
    .map((k) => {
      const direction = reversed ? flip(k.direction) : k.direction;
      return `${sortKeySql(k, alias)} ${direction} NULLS ${direction === "ASC" ? "LAST" : "FIRST"}`;
    })
    .join(", ");
}

/** Identifies an order; a cursor is only valid for the order it was made in. */
export function orderSignature(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.field.name}_${k.direction}`).join(",");
}
