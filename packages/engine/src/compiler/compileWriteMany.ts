// updateMany / deleteMany: one statement that locks the matching rows, changes them and appends one
// event per row. The filter is the same compiled `where` reads use.
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import type { RequestContext, Where } from "../queryTypes.ts";
import { CompileContext } from "./CompileContext.ts";
import { compileWhere } from "./compileWhere.ts";
import { and, scopePredicates } from "./tenantScope.ts";
import { compileGuards, guardCondition, guardCte, guardSelect, type Guard } from "./compileWrite.ts";
import { eventInsertSql } from "./eventInsertSql.ts";
import { recordFields, recordJsonExpr } from "./projectRecord.ts";
import { columnSqlType } from "./sqlTypes.ts";
import { toParam } from "./writeParams.ts";
import type { CompiledQuery } from "./SqlParams.ts";

export interface CompiledWriteMany extends CompiledQuery {
  guards: Guard[];
}

function matchingRows(cc: CompileContext, model: ModelIR, where: Where, deleted: "exclude" | "only"): string {
  const alias = cc.alias();
  const predicate = and([...scopePredicates(cc, model, alias, deleted), compileWhere(cc, model, alias, where)]);
  cc.throwIfInvalid();
  return `SELECT ${alias}.* FROM ${quoteIdent(model.tableName)} ${alias} WHERE ${predicate} FOR UPDATE`;
}

export function compileUpdateMany(schema: SchemaIR, model: ModelIR, where: Where, values: Map<FieldIR, unknown>, ctx: RequestContext): CompiledWriteMany {
  const cc = new CompileContext(schema, ctx);
  const prev = matchingRows(cc, model, where, "exclude");
  const { exprs, guards } = compileGuards(schema, model, values, cc.params, ctx);
  const pk = model.fields.find((f) => f.name === model.primaryKey)!;
  const sets = [...values].map(([field, value]) => `${quoteIdent(field.column)} = ${cc.params.typed(toParam(field, value), columnSqlType(field))}`);
  sets.push(`"version" = u."version" + 1`, `"updated_at" = now()`);
  const fields = recordFields(model);
  const sql = `WITH prev AS (${prev}),
  ${guardCte(exprs)},
  upd AS (
    UPDATE ${quoteIdent(model.tableName)} u SET ${sets.join(", ")}
    FROM prev, guard WHERE u.${quoteIdent(pk.column)} = prev.${quoteIdent(pk.column)} AND ${guardCondition(exprs)}
    RETURNING u.*
  ),
  rec AS (SELECT ${recordJsonExpr(fields, "r")} AS record FROM upd r),
  prevrec AS (SELECT ${recordJsonExpr(fields, "r")} AS record FROM prev r),
  ev AS (${eventInsertSql(model, "Updated", [...values.keys()].map((f) => f.name), cc.params, ctx, { after: "rec", before: "prevrec" })})
SELECT (SELECT count(*) FROM ev)::int AS count${guardSelect(exprs)} FROM guard`;
  return { sql, params: cc.params.values, guards };
}

/** Soft-deletes matching rows, or destroys them when `soft` is false. */
export function compileDeleteMany(schema: SchemaIR, model: ModelIR, where: Where, ctx: RequestContext, soft: boolean): CompiledWriteMany {
  const cc = new CompileContext(schema, ctx);
  const prev = matchingRows(cc, model, where, "exclude");
  const pk = model.fields.find((f) => f.name === model.primaryKey)!;
  const fields = recordFields(model);
  const change = soft
    ? `UPDATE ${quoteIdent(model.tableName)} u SET "deleted_at" = now(), "version" = u."version" + 1, "updated_at" = now()
       FROM prev WHERE u.${quoteIdent(pk.column)} = prev.${quoteIdent(pk.column)} RETURNING u.*`
    : `DELETE FROM ${quoteIdent(model.tableName)} u USING prev WHERE u.${quoteIdent(pk.column)} = prev.${quoteIdent(pk.column)} RETURNING u.*`;
  const event = soft
    ? eventInsertSql(model, "Deleted", ["deletedAt"], cc.params, ctx, { after: "rec", before: "prevrec" })
    : eventInsertSql(model, "Destroyed", [], cc.params, ctx, { before: "prevrec" });
  const sql = `WITH prev AS (${prev}),
  chg AS (${change}),
  rec AS (SELECT ${recordJsonExpr(fields, "r")} AS record FROM chg r),
  prevrec AS (SELECT ${recordJsonExpr(fields, "r")} AS record FROM ${soft ? "prev" : "chg"} r),
  ev AS (${event})
SELECT (SELECT count(*) FROM ev)::int AS count`;
  return { sql, params: cc.params.values, guards: [] };
}
