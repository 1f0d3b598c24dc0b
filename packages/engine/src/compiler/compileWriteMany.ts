// updateMany / deleteMany: one statement that locks the matching rows, changes them and appends one
// event per row. The filter is the same compiled `where` reads use. Each changed row returns its own
// before-image, so events never match images by key (a nested loop, quadratic in the rows changed).
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import type { RequestContext, Where } from "../queryTypes.ts";
import { CompileContext } from "./CompileContext.ts";
import { compileWhere } from "./compileWhere.ts";
import { and, scopePredicates } from "./tenantScope.ts";
import { addRequiredIfGuards, compileGuards, guardCondition, guardCte, guardSelect, type Guard } from "./compileWrite.ts";
import { eventInsertSql } from "./eventInsertSql.ts";
import { recordFields, recordJsonExpr } from "./projectRecord.ts";
import { columnSqlType } from "./sqlTypes.ts";
import { toParam } from "./writeParams.ts";
import { accessPredicate } from "./compileAccess.ts";
import { rowImage, rowsSatisfy } from "./writeAccess.ts";
import type { CompiledQuery } from "./SqlParams.ts";

export interface CompiledWriteMany extends CompiledQuery {
  guards: Guard[];
}

/** Rows the filter matches among those the principal may read and change: others are never touched. */
function matchingRows(cc: CompileContext, model: ModelIR, where: Where, deleted: "exclude" | "only", action: "update" | "delete"): string {
  const alias = cc.alias();
  const predicate = and([
    ...scopePredicates(cc, model, alias, deleted),
    accessPredicate(cc, model, alias, action, "root"),
    accessPredicate(cc, model, alias, "read", "nested"),
    compileWhere(cc, model, alias, where),
  ]);
  cc.throwIfInvalid();
  return `SELECT ${alias}.* FROM ${quoteIdent(model.tableName)} ${alias} WHERE ${predicate} FOR UPDATE`;
}

export function compileUpdateMany(schema: SchemaIR, model: ModelIR, where: Where, values: Map<FieldIR, unknown>, ctx: RequestContext): CompiledWriteMany {
  const cc = new CompileContext(schema, ctx);
  const prev = matchingRows(cc, model, where, "exclude", "update");
  const { exprs, guards } = compileGuards(schema, model, values, cc, ctx);
  const pk = model.fields.find((f) => f.name === model.primaryKey)!;
  const placeholders = new Map<FieldIR, string>();
  for (const [field, value] of values) placeholders.set(field, cc.params.typed(toParam(field, value), columnSqlType(field)));
  const sets = [...placeholders].map(([field, placeholder]) => `${quoteIdent(field.column)} = ${placeholder}`);
  // Every changed row must stay inside the principal's update rules, or nothing is written.
  const image = (): string => `SELECT ${rowImage(model, (field) => placeholders.get(field) ?? `p.${quoteIdent(field.column)}`)} FROM prev p`;
  const allowed = rowsSatisfy(cc, model, "update", image);
  // A row that would break a required_if rule refuses the whole statement, like a failed reference:
  // skipping it silently would report a count the caller cannot explain.
  addRequiredIfGuards(model, values.keys(), cc, image, exprs, guards);
  sets.push(`"version" = u."version" + 1`, `"updated_at" = now()`);
  const fields = recordFields(model);
  const sql = `WITH prev AS (${prev}),
  ${guardCte(exprs)},
  chk AS (SELECT ${allowed} AS allowed),
  upd AS (
    UPDATE ${quoteIdent(model.tableName)} u SET ${sets.join(", ")}
    FROM prev, guard, chk WHERE u.${quoteIdent(pk.column)} = prev.${quoteIdent(pk.column)} AND chk.allowed AND ${guardCondition(exprs)}
    RETURNING u.*, ${recordJsonExpr(fields, "prev", "jsonb")} AS "__before"
  ),
  rec AS MATERIALIZED (SELECT ${recordJsonExpr(fields, "r", "jsonb")} AS record, r."__before" AS "before" FROM upd r),
  ev AS (${eventInsertSql(model, "Updated", [...values.keys()].map((f) => f.name), cc.params, ctx, { after: "rec", beforeColumn: "before" })})
SELECT (SELECT count(*) FROM ev)::int AS count, (SELECT allowed FROM chk) AS allowed${guardSelect(exprs)} FROM guard`;
  return { sql, params: cc.params.values, guards };
}

/** Soft-deletes matching rows, or destroys them when `soft` is false. */
export function compileDeleteMany(schema: SchemaIR, model: ModelIR, where: Where, ctx: RequestContext, soft: boolean): CompiledWriteMany {
  const cc = new CompileContext(schema, ctx);
  const prev = matchingRows(cc, model, where, "exclude", "delete");
  const pk = model.fields.find((f) => f.name === model.primaryKey)!;
  const fields = recordFields(model);
  const change = soft
    ? `UPDATE ${quoteIdent(model.tableName)} u SET "deleted_at" = now(), "version" = u."version" + 1, "updated_at" = now()
       FROM prev WHERE u.${quoteIdent(pk.column)} = prev.${quoteIdent(pk.column)} RETURNING u.*, ${recordJsonExpr(fields, "prev", "jsonb")} AS "__before"`
    : `DELETE FROM ${quoteIdent(model.tableName)} u USING prev WHERE u.${quoteIdent(pk.column)} = prev.${quoteIdent(pk.column)} RETURNING u.*`;
  const event = soft
    ? eventInsertSql(model, "Deleted", ["deletedAt"], cc.params, ctx, { after: "rec", beforeColumn: "before" })
    : eventInsertSql(model, "Destroyed", [], cc.params, ctx, { before: "prevrec" });
  const sql = `WITH prev AS (${prev}),
  chg AS (${change}),
  ${soft ? `rec AS MATERIALIZED (SELECT ${recordJsonExpr(fields, "r", "jsonb")} AS record, r."__before" AS "before" FROM chg r)` : `prevrec AS MATERIALIZED (SELECT ${recordJsonExpr(fields, "r", "jsonb")} AS record FROM chg r)`},
  ev AS (${event})
SELECT (SELECT count(*) FROM ev)::int AS count, TRUE AS allowed`;
  return { sql, params: cc.params.values, guards: [] };
}
