// Bulk create: one statement per batch. Rows travel as one JSON parameter unpacked by
// jsonb_to_recordset, so the statement text does not grow with the batch and stays parameterised.
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import type { RequestContext } from "../queryTypes.ts";
import type { CompiledQuery } from "./SqlParams.ts";
import { CompileContext } from "./CompileContext.ts";
import { accessPredicate } from "./compileAccess.ts";
import { rowImage, rowsSatisfy, unsetColumnValue } from "./writeAccess.ts";
import { recordFields, recordJsonExpr } from "./projectRecord.ts";
import { columnSqlType as sqlTypeOf } from "./sqlTypes.ts";
import { eventInsertSql } from "./eventInsertSql.ts";
import { requiredIfBroken, requiredIfChecks } from "./requiredIf.ts";

export interface CompiledCreateMany extends CompiledQuery {
  /** One per checked foreign key: the result column listing values with no live row in the tenant. */
  referenceChecks: { column: string; field: FieldIR; target: string }[];
  /** One per `required_if` rule: the result column listing the batch positions of rows breaking it. */
  requiredIfChecks: { column: string; field: FieldIR; message: string }[];
}

/** Name of the batch-position column each row carries in the payload. */
export const ROW_INDEX = "__i";

/**
 * `rows` are validated, coerced values. Every row must set the same fields: callers fill schema
 * defaults first, so a missing key never overrides a database default with NULL.
 */
export function compileCreateMany(schema: SchemaIR, model: ModelIR, fields: readonly FieldIR[], rows: readonly Record<string, unknown>[], ctx: RequestContext): CompiledCreateMany {
  const cc = new CompileContext(schema, ctx);
  const params = cc.params;
  const payload = params.typed(JSON.stringify(rows.map((row, i) => ({ ...row, [ROW_INDEX]: i }))), "jsonb");
  const columnDefs = [`${quoteIdent(ROW_INDEX)} int`, ...fields.map((f) => `${quoteIdent(f.name)} ${sqlTypeOf(f)}`)];
  const columns = fields.map((f) => quoteIdent(f.column));
  const selected = fields.map((f) => `r.${quoteIdent(f.name)}`);
  if (model.tenantScoped) {
    columns.push(`"tenant_id"`);
    selected.push(params.typed(ctx.tenantId, "uuid"));
  }
  const referenceChecks: CompiledCreateMany["referenceChecks"] = [];
  const checks: string[] = [];
  for (const field of fields) {
    const rel = model.relations.find((r) => r.kind === "belongsTo" && r.foreignKey === field.name);
    if (!rel) continue;
    const target = schema.models.find((m) => m.name === rel.target)!;
    const tpk = target.fields.find((f) => f.name === target.primaryKey)!;
    const scope = target.tenantScoped ? ` AND x."tenant_id" = ${params.typed(ctx.tenantId, "uuid")}` : "";
    const column = `missing_${referenceChecks.length}`;
    // Only references the principal may read count as existing (no linking to hidden rows).
    const access = accessPredicate(cc, target, "x", "read", "nested");
    const readable = access === "TRUE" ? "" : ` AND (${access})`;
    // Rows of the same batch count as existing only if already committed: batches go in dependency order.
    checks.push(`(SELECT coalesce(array_agg(DISTINCT r.${quoteIdent(field.name)}::text), '{}') FROM src r
      WHERE r.${quoteIdent(field.name)} IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ${quoteIdent(target.tableName)} x WHERE x.${quoteIdent(tpk.column)} = r.${quoteIdent(field.name)}${scope} AND x."deleted_at" IS NULL${readable})) AS ${column}`);
    referenceChecks.push({ column, field, target: target.name });
  }
  // Every new row must satisfy the principal's rules (see compileCreate), or none is inserted.
  const image = (): string => `SELECT ${rowImage(model, (field) => (fields.includes(field) ? `r.${quoteIdent(field.name)}` : unsetColumnValue(field, params, ctx)))} FROM src r`;
  checks.push(`${rowsSatisfy(cc, model, "create", image)} AS allowed`);
  // Rows breaking a required_if rule, by batch position, so each is reported under its own path.
  const conditional: CompiledCreateMany["requiredIfChecks"] = [];
  for (const check of requiredIfChecks(model)) {
    const column = `required_if_${conditional.length}`;
    const images = `SELECT r.${quoteIdent(ROW_INDEX)}, ${rowImage(model, (field) => (fields.includes(field) ? `r.${quoteIdent(field.name)}` : unsetColumnValue(field, params, ctx)))} FROM src r`;
    checks.push(`(SELECT coalesce(array_agg(ri.${quoteIdent(ROW_INDEX)} ORDER BY ri.${quoteIdent(ROW_INDEX)}), '{}') FROM (${images}) ri WHERE ${requiredIfBroken(check, params, "ri")}) AS ${column}`);
    conditional.push({ column, field: check.field, message: check.message });
  }
  const ok = [...[...referenceChecks, ...conditional].map((c) => `cardinality(chk.${c.column}) = 0`), "chk.allowed"].join(" AND ");
  const sql = `WITH src AS (SELECT * FROM jsonb_to_recordset(${payload}) AS r(${columnDefs.join(", ")})),
  chk AS (SELECT ${checks.join(", ")}),
  ins AS (INSERT INTO ${quoteIdent(model.tableName)} (${columns.join(", ")}) SELECT ${selected.join(", ")} FROM src r, chk WHERE ${ok} RETURNING *),
  rec AS MATERIALIZED (SELECT ${recordJsonExpr(recordFields(model), "t", "jsonb")} AS record FROM ins t),
  ev AS (${eventInsertSql(model, "Created", fields.map((f) => f.name), params, ctx)})
SELECT (SELECT count(*) FROM ev)::int AS count, chk.allowed${[...referenceChecks, ...conditional].map((c) => `, chk.${c.column}`).join("")} FROM chk`;
  return { sql, params: params.values, referenceChecks, requiredIfChecks: conditional };
}
