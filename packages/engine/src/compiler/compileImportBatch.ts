// Import batches: ONE statement per batch that creates, or updates by a unique key (upsert), every
// row that passes all of its checks, appends one event per written row, and reports per row which
// checks failed. Unlike createMany, a failing row does not stop the others: it is simply not
// written. Rows travel as one JSON parameter (jsonb_to_recordset), so the text does not grow with
// the batch. A row's absent value means "not given": the default on create, unchanged on update.
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import type { RequestContext } from "../queryTypes.ts";
import type { CompiledQuery } from "./SqlParams.ts";
import { CompileContext } from "./CompileContext.ts";
import { accessPredicate, decisionPredicate } from "./compileAccess.ts";
import { existingRowAccess, unsetColumnValue } from "./writeAccess.ts";
import { recordFields, recordJsonExpr } from "./projectRecord.ts";
import { columnSqlType, sqlTypeOf, elementType } from "./sqlTypes.ts";
import { eventInsertSql } from "./eventInsertSql.ts";
import { requiredIfBroken, requiredIfChecks, type RequiredIfCheck } from "./requiredIf.ts";

/** A reference check per row: `field` must point at a live, readable row of the tenant. */
export interface ImportReferenceCheck {
  field: FieldIR;
  message: string;
}

export interface CompiledImportBatch extends CompiledQuery {
  references: ImportReferenceCheck[];
  /** Required fields a created row must end up with, in the order of the `r` flags. */
  required: FieldIR[];
  /** `required_if` rules, in the order of the `q` flags. */
  conditional: RequiredIfCheck[];
}

/** One row of the batch: validated values by field name, plus whether it may match the key. */
export interface ImportBatchInput {
  /** True when the row has no key value (or there is no key): it can only be created. */
  isNew: boolean;
  /** True when the row may only update the row its key matches (a key the caller may not create with). */
  updateOnly?: boolean;
  values: Record<string, unknown>;
}

/** Flags of a row that was not written (indexes into the compiled `references` and `required`). */
export interface ImportRejection {
  i: number;
  found: boolean;
  readable: boolean;
  writable: boolean;
  allowed: boolean;
  g: boolean[];
  r: boolean[];
  q: boolean[];
}

/** The statement's single result row: batch positions, with the ids of the rows written. */
export interface ImportBatchResult {
  rejected: ImportRejection[];
  /** Ids of the inserted rows (every row carries its id, so the caller maps them back). */
  created: string[];
  updated: [number, string][];
  /** Matched rows the batch would not change: nothing written, no event. */
  unchanged: [number, string][];
}

const T = "t";
const I = "__i";

/**
 * `fields` lists every field some row gives; every row also carries its primary key (callers
 * generate ids for rows that give none). `key` is the upsert key, or null to only create.
 */
export function compileImportBatch(
  schema: SchemaIR,
  model: ModelIR,
  fields: readonly FieldIR[],
  rows: readonly ImportBatchInput[],
  key: FieldIR | null,
  ctx: RequestContext,
): CompiledImportBatch {
  const cc = new CompileContext(schema, ctx);
  const params = cc.params;
  const pk = model.fields.find((f) => f.name === model.primaryKey)!;
  const given = new Set(fields);
  const carried = [pk, ...fields.filter((f) => f !== pk)];
  const src = (field: FieldIR): string => `s.${quoteIdent(field.name)}`;
  const prevCol = (field: FieldIR): string => `p.${quoteIdent(field.column)}`;
  const found = `p.${quoteIdent(pk.column)} IS NOT NULL`;

  const payload = params.typed(JSON.stringify(rows.map((row, i) => ({ ...row.values, [I]: i, __new: row.isNew, __upd: row.updateOnly === true }))), "jsonb");
  const columnDefs = [`"${I}" int`, `"__new" boolean`, `"__upd" boolean`, ...carried.map((f) => `${quoteIdent(f.name)} ${columnSqlType(f)}`)];
  // Bound only when used: a global model without tenant-scoped references never mentions it, and an
  // unused parameter has no type PostgreSQL can infer (42P18).
  let tenantPlaceholder: string | undefined;
  const tenant = (): string => (tenantPlaceholder ??= params.typed(ctx.tenantId, "uuid"));

  // The existing row by key, locked, with its access flags (unreadable = does not exist for us).
  // A lateral probe per row: the planner cannot estimate the batch's size, and hashed the table.
  const { readable, writable } = key ? existingRowAccess(cc, model, T, "update") : { readable: "TRUE", writable: "TRUE" };
  const keyMatch = key ? `${T}.${quoteIdent(key.column)} = ${src(key)} AND NOT s."__new"` : "FALSE";
  const tenantFilter = model.tenantScoped ? `${T}."tenant_id" = ${tenant()} AND ` : "";
  const prev = `SELECT ${T}.*, ${readable} AS "__readable", ${writable} AS "__writable"
    FROM ${quoteIdent(model.tableName)} ${T}
    WHERE ${keyMatch} AND ${tenantFilter}${T}."deleted_at" IS NULL
    LIMIT 1 FOR UPDATE OF ${T}`;

  // The row as it will be stored: given values over the existing row, or over the defaults.
  const imageColumn = (field: FieldIR): string => {
    switch (field.column) {
      case pk.column:
        return `COALESCE(${prevCol(field)}, ${src(field)})`;
      case "tenant_id":
        return tenant();
      case "version":
        return `COALESCE(${prevCol(field)} + 1, 1)`;
      case "created_at":
        return `COALESCE(${prevCol(field)}, now())`;
      case "updated_at":
        return "now()";
      case "deleted_at":
        return `NULL::${columnSqlType(field)}`;
    }
    const kept = `CASE WHEN ${found} THEN ${prevCol(field)} ELSE ${unsetColumnValue(field, params, ctx)} END`;
    return given.has(field) ? `CASE WHEN ${src(field)} IS NOT NULL THEN ${src(field)} ELSE ${kept} END` : kept;
  };
  const image = model.fields.filter((f) => f.column !== "tenant_id" || model.tenantScoped).map((f) => `${imageColumn(f)} AS ${quoteIdent(f.column)}`);

  // Reference checks on the values given (the existing row's references are not re-checked, as in update).
  const references: ImportReferenceCheck[] = [];
  const guardExprs: string[] = [];
  const readableTarget = (target: ModelIR): string => {
    const predicate = accessPredicate(cc, target, "x", "read", "nested");
    return predicate === "TRUE" ? "" : ` AND (${predicate})`;
  };
  for (const field of fields) {
    for (const rel of model.relations) {
      if (rel.kind !== "belongsTo" || rel.foreignKey !== field.name) continue;
      const target = schema.models.find((m) => m.name === rel.target)!;
      const tpk = target.fields.find((f) => f.name === target.primaryKey)!;
      const scope = target.tenantScoped ? ` AND x."tenant_id" = ${tenant()}` : "";
      guardExprs.push(`(${src(field)} IS NULL OR EXISTS (SELECT 1 FROM ${quoteIdent(target.tableName)} x WHERE x.${quoteIdent(tpk.column)} = ${src(field)}${scope} AND x."deleted_at" IS NULL${readableTarget(target)}))`);
      references.push({ field, message: `${field.name} refers to a ${target.name} that does not exist` });
    }
    for (const rule of field.rules) {
      if (rule.kind !== "exists") continue;
      const target = schema.models.find((m) => m.tableName === rule.table)!;
      const targetField = target.fields.find((f) => f.column === rule.column)!;
      const scope = target.tenantScoped ? ` AND x."tenant_id" = ${tenant()}` : "";
      guardExprs.push(`(${src(field)} IS NULL OR EXISTS (SELECT 1 FROM ${quoteIdent(target.tableName)} x WHERE x.${quoteIdent(targetField.column)} = ${src(field)}::${sqlTypeOf(elementType(targetField))}${scope} AND x."deleted_at" IS NULL${readableTarget(target)}))`);
      references.push({ field, message: `${field.name} must match an existing ${rule.table}.${rule.column}` });
    }
  }

  // An update that changes nothing is not written (no version bump, no event).
  const compared = fields.filter((f) => f !== pk);
  const changed = compared.length === 0 ? "FALSE" : compared.map((f) => `(${src(f)} IS NOT NULL AND ${src(f)} IS DISTINCT FROM ${prevCol(f)})`).join(" OR ");

  // Whether the row gives each field a required_if rule involves (see the `__q` flags below).
  const conditional = requiredIfChecks(model);
  const givenFlags = [...new Set(conditional.flatMap((c) => [c.field, c.condition]))].filter((f) => given.has(f));

  // The before-image of the event travels with the row (see EventSources.beforeColumn).
  const before = `CASE WHEN ${found} AND (${changed}) THEN ${recordJsonExpr(recordFields(model), "p", "jsonb")} END`;
  const img = `SELECT s."${I}", ${found} AS "__found", s."__upd" AS "__upd", COALESCE(p."__readable", TRUE) AS "__readable", COALESCE(p."__writable", TRUE) AS "__writable",
    ${[...guardExprs.map((g, k) => `${g} AS "__g${k}"`), ...givenFlags.map((f) => `${src(f)} IS NOT NULL AS ${quoteIdent(`__given_${f.name}`)}`), `(${changed}) AS "__changed"`, `${before} AS "__before"`, ...image].join(",\n    ")}
    FROM src s LEFT JOIN LATERAL (${prev}) p ON TRUE`;

  // The written row must satisfy the principal's rules: create and update rules as for single writes.
  const alias = cc.alias();
  const a = quoteIdent(alias);
  const createRule = decisionPredicate(cc, model, alias, cc.auth.require(model, "create"));
  const updateRule = key ? decisionPredicate(cc, model, alias, cc.auth.require(model, "update"), { denies: false }) : "TRUE";
  const allowed =
    createRule === "TRUE" && updateRule === "TRUE"
      ? "TRUE"
      : `CASE WHEN ${a}."__found" THEN COALESCE((${updateRule}), FALSE) ELSE COALESCE((${createRule}), FALSE) END`;
  const required = model.fields.filter((f) => !f.system && f.required && f.type !== "array");
  // A required_if rule holds on the row as it will be stored; an update is held to it only when the
  // row gives the field or its condition (as a single update: see requiredIfChecks).
  const givenSql = (field: FieldIR): string => (given.has(field) ? `${a}.${quoteIdent(`__given_${field.name}`)}` : "FALSE");
  const conditionalFlags = conditional.map((c, k) => `, NOT ((NOT ${a}."__found" OR ${givenSql(c.field)} OR ${givenSql(c.condition)}) AND ${requiredIfBroken(c, params, a)}) AS "__q${k}"`);
  const chk = `SELECT ${a}.*, ${allowed} AS "__allowed"${required.map((f, k) => `, ${a}.${quoteIdent(f.column)} IS NOT NULL AS "__r${k}"`).join("")}${conditionalFlags.join("")}
    FROM (${img}) ${a}`;

  const ok = (c: string): string =>
    [...guardExprs.map((_, k) => `${c}."__g${k}"`), ...required.map((_, k) => `${c}."__r${k}"`), ...conditional.map((_, k) => `${c}."__q${k}"`), `${c}."__allowed"`, `${c}."__readable"`, `${c}."__writable"`, `(${c}."__found" OR NOT ${c}."__upd")`].join(" AND ");
  const inserted = model.fields.filter((f) => !f.system || f === pk || (f.column === "tenant_id" && model.tenantScoped));
  const insertColumns = inserted.map((f) => quoteIdent(f.column));
  const updatedColumns = fields.filter((f) => f !== pk).map((f) => `${quoteIdent(f.column)} = c.${quoteIdent(f.column)}`);
  updatedColumns.push(`"version" = c."version"`, `"updated_at" = c."updated_at"`);
  const pkc = quoteIdent(pk.column);
  const recordOf = recordJsonExpr(recordFields(model), T, "jsonb");

  // One materialised row set (chk: the image and its flags) is read by every later step.
  const sql = `WITH src AS (SELECT * FROM jsonb_to_recordset(${payload}) AS r(${columnDefs.join(", ")})),
  chk AS MATERIALIZED (${chk}),
  ins AS (INSERT INTO ${quoteIdent(model.tableName)} (${insertColumns.join(", ")})
    SELECT ${inserted.map((f) => `c.${quoteIdent(f.column)}`).join(", ")} FROM chk c WHERE NOT c."__found" AND ${ok("c")}
    ON CONFLICT DO NOTHING RETURNING *),
  upd AS (UPDATE ${quoteIdent(model.tableName)} ${T} SET ${updatedColumns.join(", ")}
    FROM chk c WHERE ${T}.${pkc} = c.${pkc} AND c."__found" AND c."__changed" AND ${ok("c")}
    RETURNING ${T}.*, c."${I}" AS "${I}", c."__before" AS "__before"),
  rec AS MATERIALIZED (SELECT ${recordOf} AS record FROM ins ${T}),
  urec AS MATERIALIZED (SELECT ${recordOf} AS record, ${T}."__before" AS "before" FROM upd ${T}),
  evc AS (${eventInsertSql(model, "Created", fields.map((f) => f.name), params, ctx, { after: "rec" })}),
  evu AS (${eventInsertSql(model, "Updated", compared.map((f) => f.name), params, ctx, { after: "urec", beforeColumn: "before" })})
SELECT
  (SELECT COALESCE(json_agg(json_build_object('i', c."${I}", 'found', c."__found", 'readable', c."__readable", 'writable', c."__writable",
     'allowed', c."__allowed", 'g', json_build_array(${guardExprs.map((_, k) => `c."__g${k}"`).join(", ")}),
     'r', json_build_array(${required.map((_, k) => `c."__r${k}"`).join(", ")}),
     'q', json_build_array(${conditional.map((_, k) => `c."__q${k}"`).join(", ")}))), '[]'::json)
   FROM chk c WHERE NOT (${ok("c")})) AS rejected,
  (SELECT COALESCE(array_agg(${pkc}::text), '{}') FROM ins) AS created,
  (SELECT COALESCE(json_agg(json_build_array("${I}", ${pkc})), '[]'::json) FROM upd) AS updated,
  (SELECT COALESCE(json_agg(json_build_array(c."${I}", c.${pkc})), '[]'::json) FROM chk c WHERE c."__found" AND NOT c."__changed" AND ${ok("c")}) AS unchanged`;
  return { sql, params: params.values, references, required, conditional };
}
