// One record by its primary key or by a unique field, or null.
import { quoteIdent } from "@tessera/db";
import { findField, type ModelIR, type SchemaIR } from "@tessera/schema";
import type { RecordData, RequestContext, Selection, Where } from "../queryTypes.ts";
import { CompileContext } from "./CompileContext.ts";
import type { CompiledRead, ResultRow } from "./CompiledRead.ts";
import { compileRowColumns, decodeRecord } from "./compileRowColumns.ts";
import { compileWhere, isPlainObject } from "./compileWhere.ts";
import { accessPredicate } from "./compileAccess.ts";
import { and, checkDeletedMode, scopePredicates, type DeletedMode } from "./tenantScope.ts";

export interface FindUniqueOptions {
  /** Soft-deleted records are not found unless asked for (`include`, or `only` for the trash). */
  deleted?: DeletedMode;
}

/** Fields a record can be found by: the primary key and fields with a `unique` rule. */
export function uniqueFieldNames(model: ModelIR): string[] {
  return model.fields.filter((f) => f.name === model.primaryKey || f.rules.some((r) => r.kind === "unique")).map((f) => f.name);
}

export function compileFindUnique(
  schema: SchemaIR,
  model: ModelIR,
  where: Where,
  selection: Selection,
  ctx: RequestContext,
  options: FindUniqueOptions = {},
): CompiledRead<RecordData | null> {
  const cc = new CompileContext(schema, ctx);
  const deleted = checkDeletedMode(cc, options.deleted);
  const alias = cc.alias();
  const unique = uniqueFieldNames(model);
  let predicate = "FALSE";
  if (!isPlainObject(where)) {
    cc.error(["where"], "type", "must be an object");
  } else {
    const entries = Object.entries(where).filter(([, v]) => v !== undefined);
    if (entries.length !== 1) {
      cc.error(["where"], "unique", `give exactly one of ${unique.join(", ")}`);
    } else {
      const [key, value] = entries[0];
      if (!findField(model, key)) {
        cc.error(["where", key], "unknown_field", `${model.name} has no field '${key}'`);
      } else if (!unique.includes(key)) {
        cc.error(["where", key], "unique", `'${key}' is not unique; use one of ${unique.join(", ")}`);
      } else if (value === null) {
        cc.error(["where", key], "type", "must not be null");
      } else {
        predicate = compileWhere(cc, model, alias, { [key]: value });
      }
    }
  }
  const scope = [...scopePredicates(cc, model, alias, deleted), accessPredicate(cc, model, alias, "read", "root")];
  const record = compileRowColumns(cc, model, alias, selection);
  cc.throwIfInvalid();
  // A row with no selected column still says "found".
  const columns = ["TRUE AS \"found\"", ...record.columns.map((c) => c.sql)].join(", ");
  const from = [`${quoteIdent(model.tableName)} AS ${quoteIdent(alias)}`, ...record.joins].join(" ");
  const sql = `SELECT ${columns} FROM ${from} WHERE ${and([...scope, predicate])} LIMIT 1`;
  return {
    sql,
    params: cc.params.values,
    decode(rows: readonly ResultRow[]): RecordData | null {
      const row = rows[0];
      return row ? decodeRecord(record.shape, row) : null;
    },
  };
}
