// Rows grouped by one or more fields with count and aggregates per group (Kanban column totals).
import { quoteIdent } from "@tessera/db";
import { findField, type FieldIR, type ModelIR, type SchemaIR } from "@tessera/schema";
import type { GroupByArgs, GroupRow, RequestContext } from "../queryTypes.ts";
import { compileAggregateFunctions } from "./aggregateFunctions.ts";
import { CompileContext } from "./CompileContext.ts";
import { parseJsonColumn, type CompiledRead, type ResultRow } from "./CompiledRead.ts";
import { checkArgKeys } from "./checkArgKeys.ts";
import { orderBySql, parseOrderBy, type SortKey } from "./compileOrderBy.ts";
import { compileWhere } from "./compileWhere.ts";
import { accessPredicate } from "./compileAccess.ts";
import { columnRef, jsonObjectSql, outputValueSql } from "./fieldOutput.ts";
import { and, checkDeletedMode, scopePredicates } from "./tenantScope.ts";

const GROUP_BY_KEYS: ReadonlySet<string> = new Set(["by", "where", "deleted", "orderBy", "sum", "avg", "min", "max"]);
const UNGROUPABLE_TYPES: ReadonlySet<string> = new Set(["json", "array"]);

export function compileGroupBy(schema: SchemaIR, model: ModelIR, args: GroupByArgs, ctx: RequestContext): CompiledRead<GroupRow[]> {
  const cc = new CompileContext(schema, ctx);
  checkArgKeys(cc, args, GROUP_BY_KEYS);
  const deleted = checkDeletedMode(cc, args.deleted);
  const alias = cc.alias();
  const by: FieldIR[] = [];
  const byInput: unknown = args.by;
  if (!Array.isArray(byInput) || byInput.length === 0) {
    cc.error(["by"], "type", "must be a non-empty list of field names");
  } else {
    byInput.forEach((name, i) => {
      const field = typeof name === "string" ? findField(model, name) : undefined;
      if (field) cc.requireReadable(model, field, ["by", i]);
      if (!field) cc.error(["by", i], "unknown_field", `${model.name} has no field '${String(name)}'`);
      else if (UNGROUPABLE_TYPES.has(field.type)) cc.error(["by", i], "type", `cannot group by ${field.type} field '${field.name}'`);
      else if (!by.includes(field)) by.push(field);
    });
  }
  const predicate = and([...scopePredicates(cc, model, alias, deleted), accessPredicate(cc, model, alias, "read", "root"), compileWhere(cc, model, alias, args.where)]);
  const functions = compileAggregateFunctions(cc, model, alias, args);
  // Groups are ordered by grouped fields only; by default by every grouped field ascending
  // (enums in declaration order: Kanban columns come out in stage order).
  let keys: SortKey[] = by.map((field) => ({ field, direction: "ASC" }));
  if (args.orderBy !== undefined && args.orderBy !== null) {
    const given = Array.isArray(args.orderBy) ? args.orderBy.length : 1;
    const parsed = parseOrderBy(cc, model, args.orderBy);
    // parseOrderBy ends the keys with the primary key when it was not asked for: that tie-breaker is
    // dropped here (groups are unique by their keys), an id the caller asked for is checked like any key.
    const requested = parsed.length > given ? parsed.slice(0, -1) : parsed;
    requested.forEach((k, i) => {
      if (!by.includes(k.field)) cc.error(["orderBy", i], "unknown_field", `'${k.field.name}' is not grouped by`);
    });
    // An empty list (or only the implicit id tie-breaker) means the default order, never `ORDER BY` with nothing.
    if (requested.length > 0) keys = requested;
  }
  cc.throwIfInvalid();

  const keyObject = jsonObjectSql(by.map((field) => [field.name, outputValueSql(field, columnRef(alias, field.column))]));
  const group = jsonObjectSql([["key", keyObject], ["count", "count(*)::int"], ...functions]);
  const groupBy = by.map((field) => columnRef(alias, field.column)).join(", ");
  const sql =
    `SELECT ${group} AS "group" FROM ${quoteIdent(model.tableName)} AS ${quoteIdent(alias)} WHERE ${predicate}` +
    ` GROUP BY ${groupBy} ORDER BY ${orderBySql(keys, alias)}`;
  return {
    sql,
    params: cc.params.values,
    decode(rows: readonly ResultRow[]): GroupRow[] {
      return rows.map((row) => parseJsonColumn(row.group) as GroupRow);
    },
  };
}
