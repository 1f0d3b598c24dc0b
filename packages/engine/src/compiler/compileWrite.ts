// Compiles each write into ONE statement: guards (references exist in the tenant), the row change,
// and the event-log append, as data-modifying CTEs. The event is written by the same statement as
// the row, so one cannot exist without the other.
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import { eventInsertSql, type EventType } from "./eventInsertSql.ts";

export type { EventType };
import type { RequestContext } from "../queryTypes.ts";
import { SqlParams, type CompiledQuery } from "./SqlParams.ts";
import { recordFields, recordJsonExpr } from "./projectRecord.ts";
import { columnSqlType as sqlTypeOf } from "./sqlTypes.ts";
import { toParam } from "./writeParams.ts";
import { CompileContext } from "./CompileContext.ts";
import { accessPredicate } from "./compileAccess.ts";
import { existingRowAccess, rowImage, rowsSatisfy, unsetColumnValue } from "./writeAccess.ts";
import { requiredIfChecks, requiredIfGuard } from "./requiredIf.ts";


/** A check evaluated in the statement (a reference, a conditional requirement); `path` names the input it protects. */
export interface Guard {
  path: (string | number)[];
  message: string;
  rule: "exists" | "required_if";
}

export interface CompiledWrite extends CompiledQuery {
  guards: Guard[];
}

/** Result row of every compiled write. */
export interface WriteRow {
  record: Record<string, unknown> | null;
  prev: Record<string, unknown> | null;
  seq: string | number | null;
  /** Update family: the row exists (in the tenant, in the expected deleted state). */
  found: boolean | null;
  /** Update family: the row's version before the write, for CONFLICT reports. */
  current_version: number | null;
  /** Update family: the existing row passes the principal's read rules (otherwise: NOT_FOUND). */
  readable: boolean | null;
  /** Update family: the existing row passes the action's rules (otherwise: FORBIDDEN). */
  writable: boolean | null;
  /** The new or changed row satisfies the principal's rules (otherwise: FORBIDDEN, nothing written). */
  allowed: boolean | null;
  [guard: `g${number}`]: boolean;
}

/** A unique row: the primary key or one unique field. */
export interface UniqueKey {
  field: FieldIR;
  value: unknown;
}

const T = "t";

function pkField(model: ModelIR): FieldIR {
  return model.fields.find((f) => f.name === model.primaryKey)!;
}

function col(field: FieldIR, alias = T): string {
  return `${alias}.${quoteIdent(field.column)}`;
}

function tenantParam(params: SqlParams, ctx: RequestContext): string {
  return params.typed(ctx.tenantId, "uuid");
}

/** `t.tenant_id = $n` for tenant-scoped models; `true` otherwise. */
function tenantPredicate(model: ModelIR, params: SqlParams, ctx: RequestContext, alias = T): string {
  return model.tenantScoped ? `${alias}."tenant_id" = ${tenantParam(params, ctx)}` : "true";
}

/** The key's value; which of live or soft-deleted rows it may match is the caller's `deletedState`. */
function uniquePredicate(key: UniqueKey, params: SqlParams): string {
  return `${col(key.field)} = ${params.typed(toParam(key.field, key.value), sqlTypeOf(key.field))}`;
}

/**
 * Reference guards for the values being written: every belongsTo foreign key and every `exists`
 * rule must point at a live row of the same tenant. (Foreign-key constraints alone would accept a
 * row of another tenant, because constraint checks bypass row-level security.)
 */
export function compileGuards(schema: SchemaIR, model: ModelIR, values: Map<FieldIR, unknown>, cc: CompileContext, ctx: RequestContext): { exprs: string[]; guards: Guard[] } {
  const params = cc.params;
  // A reference must also be readable by the principal: no linking to, or probing for, hidden rows.
  const readable = (target: ModelIR): string => {
    const predicate = accessPredicate(cc, target, "x", "read", "nested");
    return predicate === "TRUE" ? "" : ` AND (${predicate})`;
  };
  const exprs: string[] = [];
  const guards: Guard[] = [];
  for (const [field, value] of values) {
    if (value === null) continue;
    for (const rel of model.relations) {
      if (rel.kind !== "belongsTo" || rel.foreignKey !== field.name) continue;
      const target = schema.models.find((m) => m.name === rel.target)!;
      const tpk = pkField(target);
      const scope = target.tenantScoped ? ` AND x."tenant_id" = ${tenantParam(params, ctx)}` : "";
      exprs.push(`EXISTS (SELECT 1 FROM ${quoteIdent(target.tableName)} x WHERE x.${quoteIdent(tpk.column)} = ${params.typed(value, "uuid")}${scope} AND x."deleted_at" IS NULL${readable(target)})`);
      guards.push({ path: ["data", field.name], message: `${field.name} refers to a ${target.name} that does not exist`, rule: "exists" });
    }
    for (const rule of field.rules) {
      if (rule.kind !== "exists") continue;
      const target = schema.models.find((m) => m.tableName === rule.table)!;
      const targetField = target.fields.find((f) => f.column === rule.column)!;
      const scope = target.tenantScoped ? ` AND x."tenant_id" = ${tenantParam(params, ctx)}` : "";
      exprs.push(`EXISTS (SELECT 1 FROM ${quoteIdent(target.tableName)} x WHERE x.${quoteIdent(targetField.column)} = ${params.typed(toParam(field, value), sqlTypeOf(targetField))}${scope} AND x."deleted_at" IS NULL${readable(target)})`);
      guards.push({ path: ["data", field.name], message: `${field.name} must match an existing ${rule.table}.${rule.column}`, rule: "exists" });
    }
  }
  return { exprs, guards };
}

/**
 * Adds a guard per `required_if` rule the write can break, over `images` (a SELECT of the rows as
 * they will be stored). `touched` is undefined for a create: every rule applies.
 */
export function addRequiredIfGuards(model: ModelIR, touched: Iterable<FieldIR> | undefined, cc: CompileContext, images: () => string, exprs: string[], guards: Guard[]): void {
  for (const check of requiredIfChecks(model, touched)) {
    // Built per use: a statement must not carry parameters it does not use (42P18).
    exprs.push(requiredIfGuard(check, cc.params, images()));
    guards.push({ path: ["data", check.field.name], message: check.message, rule: "required_if" });
  }
}

export function guardCte(exprs: string[]): string {
  const cols = exprs.map((e, i) => `${e} AS g${i}`);
  return `guard AS (SELECT ${cols.length > 0 ? cols.join(", ") : "true AS g_none"})`;
}

export function guardCondition(exprs: string[]): string {
  return exprs.length > 0 ? exprs.map((_, i) => `guard.g${i}`).join(" AND ") : "true";
}

export function guardSelect(exprs: string[]): string {
  return exprs.map((_, i) => `, guard.g${i}`).join("");
}

export function compileCreate(schema: SchemaIR, model: ModelIR, values: Map<FieldIR, unknown>, ctx: RequestContext): CompiledWrite {
  const cc = new CompileContext(schema, ctx);
  const params = cc.params;
  const { exprs, guards } = compileGuards(schema, model, values, cc, ctx);
  const columns: string[] = [];
  const inserted: string[] = [];
  const placeholders = new Map<FieldIR, string>();
  for (const [field, value] of values) {
    const placeholder = params.typed(toParam(field, value), sqlTypeOf(field));
    placeholders.set(field, placeholder);
    columns.push(quoteIdent(field.column));
    inserted.push(placeholder);
  }
  if (model.tenantScoped) {
    columns.push(`"tenant_id"`);
    inserted.push(tenantParam(params, ctx));
  }
  // The new row as it will be stored, checked against the principal's rules before it is inserted.
  const image = (): string => `SELECT ${rowImage(model, (field) => placeholders.get(field) ?? unsetColumnValue(field, params, ctx))}`;
  addRequiredIfGuards(model, undefined, cc, image, exprs, guards);
  const allowed = rowsSatisfy(cc, model, "create", image);
  const fields = recordFields(model);
  const insert =
    columns.length > 0
      ? `INSERT INTO ${quoteIdent(model.tableName)} (${columns.join(", ")}) SELECT ${inserted.join(", ")} FROM guard WHERE ${guardCondition(exprs)} AND (${allowed})`
      : `INSERT INTO ${quoteIdent(model.tableName)} SELECT FROM guard WHERE ${allowed}`;
  const sql = `WITH ${guardCte(exprs)},
  ins AS (${insert} RETURNING *),
  rec AS (SELECT ${recordJsonExpr(fields, T)} AS record FROM ins ${T}),
  ev AS (${eventInsertSql(model, "Created", [...values.keys()].map((f) => f.name), params, ctx, { after: "rec" })})
SELECT (SELECT record FROM rec) AS record, NULL::json AS prev, (SELECT seq FROM ev) AS seq, NULL::boolean AS found, NULL::int AS current_version,
  TRUE AS readable, TRUE AS writable, (${allowed}) AS allowed${guardSelect(exprs)}
FROM guard`;
  return { sql, params: params.values, guards };
}

export interface UpdateOptions {
  expectedVersion?: number;
}

type RowChange =
  | { kind: "update"; values: Map<FieldIR, unknown> }
  | { kind: "softDelete" }
  | { kind: "restore" };

/**
 * Update, soft delete and restore share one shape: lock the current row, check version and guards,
 * change it, append the event with the before and after images.
 */
export function compileRowChange(schema: SchemaIR, model: ModelIR, key: UniqueKey, change: RowChange, ctx: RequestContext, options: UpdateOptions = {}): CompiledWrite {
  const cc = new CompileContext(schema, ctx);
  const params = cc.params;
  const values = change.kind === "update" ? change.values : new Map<FieldIR, unknown>();
  const action = change.kind === "update" ? "update" : "delete";
  const { exprs, guards } = compileGuards(schema, model, values, cc, ctx);
  const pk = pkField(model);
  const deletedState = change.kind === "restore" ? `${T}."deleted_at" IS NOT NULL` : `${T}."deleted_at" IS NULL`;
  const sets: string[] = [];
  const placeholders = new Map<FieldIR, string>();
  for (const [field, value] of values) {
    const placeholder = params.typed(toParam(field, value), sqlTypeOf(field));
    placeholders.set(field, placeholder);
    sets.push(`${quoteIdent(field.column)} = ${placeholder}`);
  }
  if (change.kind === "softDelete") sets.push(`"deleted_at" = now()`);
  if (change.kind === "restore") sets.push(`"deleted_at" = NULL`);
  sets.push(`"version" = ${T}."version" + 1`, `"updated_at" = now()`);
  const versionCheck = options.expectedVersion === undefined ? "true" : `prev."version" = ${params.typed(options.expectedVersion, "int")}`;
  const changed =
    change.kind === "update" ? [...values.keys()].map((f) => f.name) : ["deletedAt"];
  const type: EventType = change.kind === "update" ? "Updated" : change.kind === "softDelete" ? "Deleted" : "Restored";
  const fields = recordFields(model);
  const { readable, writable } = existingRowAccess(cc, model, T, action);
  // An update must leave the row inside the principal's update rules (WITH CHECK).
  const image = (): string => `SELECT ${rowImage(model, (field) => placeholders.get(field) ?? `p.${quoteIdent(field.column)}`)} FROM prev p`;
  const allowed = change.kind === "update" ? rowsSatisfy(cc, model, "update", image) : "TRUE";
  // The existing row with the new values over it: a partial update is checked as the row will be.
  if (change.kind === "update") addRequiredIfGuards(model, values.keys(), cc, image, exprs, guards);
  const sql = `WITH prev AS (
    SELECT ${T}.*, ${readable} AS "__readable", ${writable} AS "__writable" FROM ${quoteIdent(model.tableName)} ${T}
    WHERE ${uniquePredicate(key, params)} AND ${tenantPredicate(model, params, ctx)} AND ${deletedState}
    -- A unique value is unique among live rows only: several soft-deleted rows may share it, and
    -- restoring by it brings back the most recently deleted one.
    ORDER BY ${T}."deleted_at" DESC NULLS FIRST LIMIT 1
    FOR UPDATE
  ),
  ${guardCte(exprs)},
  chk AS (SELECT ${allowed} AS allowed),
  upd AS (
    UPDATE ${quoteIdent(model.tableName)} ${T} SET ${sets.join(", ")}
    FROM prev, guard, chk
    WHERE ${col(pk)} = prev.${quoteIdent(pk.column)} AND prev."__readable" AND prev."__writable" AND chk.allowed AND ${versionCheck} AND ${guardCondition(exprs)}
    RETURNING ${T}.*
  ),
  rec AS (SELECT ${recordJsonExpr(fields, T)} AS record FROM upd ${T}),
  prevrec AS (SELECT ${recordJsonExpr(fields, T)} AS record FROM prev ${T}),
  ev AS (${eventInsertSql(model, type, changed, params, ctx, { after: "rec", before: "prevrec" })})
SELECT (SELECT record FROM rec) AS record, (SELECT record FROM prevrec) AS prev, (SELECT seq FROM ev) AS seq,
  EXISTS (SELECT 1 FROM prev) AS found, (SELECT "version" FROM prev) AS current_version,
  COALESCE((SELECT "__readable" FROM prev), FALSE) AS readable, COALESCE((SELECT "__writable" FROM prev), FALSE) AS writable,
  (SELECT allowed FROM chk) AS allowed${guardSelect(exprs)}
FROM guard`;
  return { sql, params: params.values, guards };
}

/** Hard delete. Soft-deleted rows can be destroyed too (emptying the trash). */
export function compileDestroy(schema: SchemaIR, model: ModelIR, key: UniqueKey, ctx: RequestContext): CompiledWrite {
  const cc = new CompileContext(schema, ctx);
  const params = cc.params;
  const pk = pkField(model);
  const fields = recordFields(model);
  const keyPredicate = `${col(key.field)} = ${params.typed(toParam(key.field, key.value), sqlTypeOf(key.field))}`;
  const { readable, writable } = existingRowAccess(cc, model, T, "delete");
  const sql = `WITH prev AS (
    SELECT ${T}.*, ${readable} AS "__readable", ${writable} AS "__writable" FROM ${quoteIdent(model.tableName)} ${T}
    WHERE ${keyPredicate} AND ${tenantPredicate(model, params, ctx)}
    FOR UPDATE
  ),
  del AS (
    DELETE FROM ${quoteIdent(model.tableName)} ${T} USING prev
    WHERE ${col(pk)} = prev.${quoteIdent(pk.column)} AND prev."__readable" AND prev."__writable"
    RETURNING ${T}.*
  ),
  prevrec AS (SELECT ${recordJsonExpr(fields, T)} AS record FROM del ${T}),
  ev AS (${eventInsertSql(model, "Destroyed", [], params, ctx, { before: "prevrec" })})
SELECT NULL::json AS record, (SELECT record FROM prevrec) AS prev, (SELECT seq FROM ev) AS seq,
  EXISTS (SELECT 1 FROM prev) AS found, NULL::int AS current_version,
  COALESCE((SELECT "__readable" FROM prev), FALSE) AS readable, COALESCE((SELECT "__writable" FROM prev), FALSE) AS writable, TRUE AS allowed`;
  return { sql, params: params.values, guards: [] };
}
